"""Rubric schema: valid rubrics load; every mistake is reported with its file, line and field."""

from __future__ import annotations

import pytest

from rubrics.catalogue import load_rubric_text
from rubrics.model import CombinationMeasure, LlmJudgeMeasure, MetricMeasure, MetricScale
from rubrics.yaml_source import ContentError

HEAD = """\
id: demo
name: Demo
version: 1
description: A rubric for tests.
criteria:
"""
CRITERION = """\
  - id: {id}
    name: Open questions
    weight: {weight}
    description: Mainly open questions.
    levels: {{1: none, 2: few, 3: half, 4: most, 5: all}}
    measure:
{measure}
"""
METRIC = """\
      type: metric
      metric: open_question_share
      thresholds: [0.2, 0.4, 0.6, 0.8]
"""


def rubric_yaml(*criteria: dict[str, object]) -> str:
    parts = [
        CRITERION.format(**({"id": "open", "weight": 10, "measure": METRIC} | c)) for c in criteria
    ]
    return HEAD + "".join(parts).replace("\n\n", "\n")


def issues(text: str) -> list[str]:
    with pytest.raises(ContentError) as caught:
        load_rubric_text(text, "demo.yaml")
    return [str(i) for i in caught.value.issues]


def test_valid_rubric_loads_with_all_measure_types() -> None:
    combination = """\
      type: combination
      parts:
        - {metric: open_question_share, thresholds: [0.2, 0.4, 0.6, 0.8], weight: 2}
        - {metric: stacked_question_count, thresholds: [0, 1, 2, 3], higher_is_better: false}
"""
    judge = """\
      type: llm_judge
      prompt: Rate how curious the coach is.
      offline_metric: {metric: open_question_share, thresholds: [0.2, 0.4, 0.6, 0.8]}
"""
    rubric = load_rubric_text(
        rubric_yaml(
            {},
            {"id": "combo", "weight": 30, "measure": combination},
            {"id": "judged", "weight": 60, "measure": judge},
        ),
        "demo.yaml",
    )
    kinds = [type(c.measure) for c in rubric.criteria]
    assert kinds == [MetricMeasure, CombinationMeasure, LlmJudgeMeasure]
    assert rubric.normalised_weights() == {"open": 0.1, "combo": 0.3, "judged": 0.6}
    assert rubric.criteria[0].descriptor(4) == "most"


@pytest.mark.parametrize(
    ("value", "higher_is_better", "level"),
    [
        (0.0, True, 1),
        (0.2, True, 2),
        (0.59, True, 3),
        (0.6, True, 4),
        (1.0, True, 5),
        (0.0, False, 5),
        (0.2, False, 5),
        (0.21, False, 4),
        (0.8, False, 2),
        (0.81, False, 1),
    ],
)
def test_thresholds_map_values_to_levels(value: float, higher_is_better: bool, level: int) -> None:
    scale = MetricScale(
        metric="open_question_share",
        thresholds=[0.2, 0.4, 0.6, 0.8],
        higher_is_better=higher_is_better,
    )
    assert scale.level_for(value) == level


def test_unknown_metric_names_line_field_and_close_matches() -> None:
    text = rubric_yaml({"measure": METRIC.replace("open_question_share", "open_questions")})
    assert issues(text) == [
        "demo.yaml:13: criteria[0].measure.metric: unknown metric 'open_questions'; "
        "did you mean open_question_share, open_question_count, closed_question_count?"
    ]


def test_unknown_field_is_an_error_at_its_line() -> None:
    text = rubric_yaml({}).replace("    weight: 10\n", "    weight: 10\n    colour: blue\n")
    assert issues(text) == [
        "demo.yaml:9: criteria[0].colour: unknown field (check the spelling; see the docs for "
        "allowed fields)"
    ]


def test_missing_level_and_bad_weight_are_reported_together() -> None:
    text = rubric_yaml({"weight": 0}).replace(" 4: most,", "")
    found = issues(text)
    assert any(f.startswith("demo.yaml:8: criteria[0].weight:") for f in found)
    assert any("demo.yaml:10: criteria[0].levels:" in f and "missing [4]" in f for f in found)


@pytest.mark.parametrize(
    ("thresholds", "message"),
    [
        ("[0.2, 0.4, 0.4, 0.8]", "strictly ascending"),
        ("[0.2, 0.4, 0.6]", "at least 4 items"),
        ("[0.2, 0.4, 0.6, 1.5]", "at least 0 and at most 1"),
    ],
)
def test_bad_thresholds(thresholds: str, message: str) -> None:
    text = rubric_yaml({"measure": METRIC.replace("[0.2, 0.4, 0.6, 0.8]", thresholds)})
    (issue,) = issues(text)
    assert issue.startswith("demo.yaml:1") and "criteria[0].measure" in issue and message in issue


def test_unknown_measure_type_and_missing_offline_fallback() -> None:
    assert issues(rubric_yaml({"measure": "      type: vibes\n"})) == [
        "demo.yaml:11: criteria[0].measure: measure needs 'type: metric', 'type: combination' "
        "or 'type: llm_judge'"
    ]
    judge = "      type: llm_judge\n      prompt: Rate it.\n"
    (issue,) = issues(rubric_yaml({"measure": judge}))
    assert issue.startswith("demo.yaml:11: criteria[0].measure")
    assert issue.endswith("this field is required but missing")


def test_duplicate_criterion_ids_and_bad_slug() -> None:
    (issue,) = issues(rubric_yaml({}, {}))
    assert issue.startswith("demo.yaml:15: criteria[1].id:")
    assert "duplicate criterion id 'open'" in issue
    (issue,) = issues(rubric_yaml({"id": "Open Questions"}))
    assert issue.startswith("demo.yaml:6: criteria[0].id:")


def test_rubric_level_fields() -> None:
    found = issues(HEAD.replace("version: 1", "version: 0") + "  []\n")
    assert any(f.startswith("demo.yaml:3: version:") for f in found)
    assert any(f.startswith("demo.yaml:5: criteria:") for f in found)
