"""Rubric catalogue: built-in rubrics load and are sound; file rubrics report errors by file."""

from __future__ import annotations

from pathlib import Path

import pytest

from rubrics.catalogue import (
    BUILTIN_DIR,
    builtin_rubrics,
    load_rubric_file,
    load_rubric_text,
    resolve_rubric,
)
from rubrics.metrics import METRICS
from rubrics.model import CombinationMeasure, LlmJudgeMeasure, MetricScale
from rubrics.yaml_source import ContentError


def scales(rubric) -> list[MetricScale]:
    found: list[MetricScale] = []
    for criterion in rubric.criteria:
        measure = criterion.measure
        if isinstance(measure, CombinationMeasure):
            found += measure.parts
        elif isinstance(measure, LlmJudgeMeasure):
            found.append(measure.offline_metric)
        else:
            found.append(measure)
    return found


def test_builtin_rubrics_are_the_three_shipped_files() -> None:
    rubrics = builtin_rubrics()
    assert list(rubrics) == ["core-coaching", "grow-structure", "mi-consistency"]
    assert {p.stem for p in BUILTIN_DIR.glob("*.yaml")} == set(rubrics)
    for rubric in rubrics.values():
        assert rubric.version >= 1
        assert all(s.metric in METRICS for s in scales(rubric))


def test_builtin_rubrics_cover_the_documented_criteria() -> None:
    rubrics = builtin_rubrics()
    assert [c.id for c in rubrics["core-coaching"].criteria] == [
        "agreement",
        "open-questions",
        "active-listening",
        "client-talks-most",
        "acknowledges-strengths",
        "evokes-not-advises",
        "designs-actions",
    ]
    mi_metrics = {s.metric for s in scales(rubrics["mi-consistency"])}
    assert {
        "complex_reflection_share",
        "reflection_question_ratio",
        "mi_adherent_rate",
        "mi_non_adherent_rate",
    } <= mi_metrics
    # rates, not counts: a long session must not score better for being long
    assert not any(metric.endswith("_count") for metric in mi_metrics)
    grow_metrics = {s.metric for s in scales(rubrics["grow-structure"])}
    assert {"grow_coverage", "grow_order_score", "commitment_with_when"} <= grow_metrics


def test_mi_thresholds_follow_miti_fair_and_good() -> None:
    criteria = {c.id: c.measure for c in builtin_rubrics()["mi-consistency"].criteria}
    complex_share, ratio = criteria["complex-reflections"], criteria["reflection-question-ratio"]
    assert isinstance(complex_share, MetricScale) and isinstance(ratio, MetricScale)
    # MITI 4.2.1: %CR fair 40%, good 50%; R:Q fair 1:1, good 2:1
    assert (complex_share.level_for(0.39), complex_share.level_for(0.4)) == (2, 3)
    assert complex_share.level_for(0.5) == 4
    assert (ratio.level_for(0.99), ratio.level_for(1.0), ratio.level_for(2.0)) == (2, 3, 4)


def test_builtin_descriptors_are_distinct_per_level() -> None:
    for rubric in builtin_rubrics().values():
        for criterion in rubric.criteria:
            assert len(set(criterion.levels.values())) == 5, criterion.id


def test_load_rubric_file_and_text(tmp_path: Path) -> None:
    source = (BUILTIN_DIR / "grow-structure.yaml").read_text(encoding="utf-8")
    path = tmp_path / "mine.yaml"
    path.write_text(source.replace("id: grow-structure", "id: my-grow"), encoding="utf-8")
    assert load_rubric_file(path).id == "my-grow"
    assert load_rubric_file(str(path)) == load_rubric_text(path.read_text(), "other.yaml")


def test_file_errors_name_the_file(tmp_path: Path) -> None:
    path = tmp_path / "broken.yaml"
    path.write_text("id: x\nname: [unclosed\n", encoding="utf-8")
    with pytest.raises(ContentError) as caught:
        load_rubric_file(path)
    assert str(caught.value).startswith(f"{path}:")
    with pytest.raises(ContentError, match="cannot read file"):
        load_rubric_file(tmp_path / "missing.yaml")


def test_resolve_rubric_by_id_or_path(tmp_path: Path) -> None:
    assert resolve_rubric("mi-consistency").id == "mi-consistency"
    path = tmp_path / "copy.yaml"
    path.write_text((BUILTIN_DIR / "core-coaching.yaml").read_text(), encoding="utf-8")
    assert resolve_rubric(str(path)).id == "core-coaching"
    with pytest.raises(ContentError, match="no built-in rubric with this id"):
        resolve_rubric("nope")


def test_docs_list_every_metric_and_the_example_rubric_loads() -> None:
    docs = (Path(__file__).parents[2] / "docs" / "rubrics.md").read_text(encoding="utf-8")
    for name in METRICS:
        assert f"| `{name}` |" in docs, name
    example = docs.split("## Example\n\n```yaml\n", 1)[1].split("```", 1)[0]
    rubric = load_rubric_text(example, "docs/rubrics.md")
    assert [c.id for c in rubric.criteria] == ["reflections", "one-at-a-time", "empathy"]
