"""Loading, validating and exporting scenario files; the built-in catalogue's coverage."""

from __future__ import annotations

from pathlib import Path

import pytest

from rubrics.yaml_source import ContentError
from scenarios.catalogue import (
    BUILTIN_DIR,
    builtin_scenarios,
    dump_scenario_yaml,
    load_scenario_file,
    load_scenario_text,
)
from scenarios.model import Scenario

SOURCE = (BUILTIN_DIR / "workload-delegation.yaml").read_text(encoding="utf-8")


def _line_of(text: str, needle: str, after: int = 0) -> int:
    lines = text.splitlines()
    for number, line in enumerate(lines[after:], start=after + 1):
        if needle in line:
            return number
    raise AssertionError(needle)


def _error(text: str) -> ContentError:
    with pytest.raises(ContentError) as caught:
        load_scenario_text(text, "mine.yaml")
    return caught.value


def test_at_least_eight_builtin_scenarios_with_four_kinds_of_layer() -> None:
    scenarios = builtin_scenarios()
    assert len(scenarios) >= 8
    for scenario in scenarios.values():
        assert len(scenario.layers) >= 4
        assert {layer.kind for layer in scenario.layers} == {"fact", "feeling", "value", "goal"}
        assert scenario.debrief.facilitator_notes


def test_builtin_scenarios_cover_every_context_and_distinct_personas() -> None:
    scenarios = builtin_scenarios().values()
    assert {s.context for s in scenarios} == {
        "manager_report",
        "mentor_mentee",
        "peer",
        "external_coach",
    }
    assert len({s.persona.name for s in scenarios}) == len(scenarios)
    assert max(s.difficulty for s in scenarios) == 5


def test_yaml_syntax_error_names_file_and_line() -> None:
    broken = SOURCE.replace("difficulty: 2", "difficulty: [2", 1)
    issue = _error(broken).issues[0]
    assert issue.file == "mine.yaml"
    assert issue.line is not None and issue.line >= _line_of(SOURCE, "difficulty: 2")
    assert "syntax" in issue.message


def test_unknown_field_names_line_and_field() -> None:
    text = SOURCE.replace("  openness: 3", "  opennes: 3", 1)
    issues = _error(text).issues
    unknown = next(i for i in issues if i.field == "persona.opennes")
    assert unknown.line == _line_of(text, "opennes: 3")
    assert "unknown field" in unknown.message
    assert any(i.field.startswith("persona") and "missing" in i.message for i in issues)


def test_difficulty_out_of_range_names_line_and_field() -> None:
    text = SOURCE.replace("difficulty: 2", "difficulty: 7", 1)
    (issue,) = _error(text).issues
    assert (issue.file, issue.line, issue.field) == (
        "mine.yaml",
        _line_of(text, "difficulty: 7"),
        "difficulty",
    )
    assert "5" in issue.message


def test_missing_prerequisite_names_line_and_field() -> None:
    text = SOURCE.replace("requires: [fear_of_slipping]", "requires: [fear_of_sliping]", 1)
    (issue,) = _error(text).issues
    assert issue.line == _line_of(text, "requires: [fear_of_sliping]")
    assert issue.field == "layers[3].earn.requires[0]"
    assert "fear_of_sliping" in issue.message


def test_cyclic_prerequisites_are_reported() -> None:
    first = _line_of(SOURCE, "trust: 0.15")
    text = SOURCE.replace(
        "      trust: 0.15", "      requires: [present_for_daughter]\n      trust: 0.15", 1
    )
    issues = _error(text).issues
    assert any("cycle" in i.message and i.field.startswith("layers[") for i in issues)
    assert all(i.line and i.line >= first for i in issues)


def test_duplicate_layer_id_names_line() -> None:
    text = SOURCE.replace("- id: junior_asked", "- id: covering_two_roles", 1)
    issues = _error(text).issues
    dup = next(i for i in issues if "duplicate" in i.message)
    assert dup.field == "layers[1].id"
    assert dup.line == _line_of(
        text, "- id: covering_two_roles", after=_line_of(text, "layers:") + 2
    )


def test_duplicate_yaml_key_names_line() -> None:
    text = SOURCE.replace("difficulty: 2", "difficulty: 2\ndifficulty: 3", 1)
    issue = _error(text).issues[0]
    assert issue.line == _line_of(text, "difficulty: 3")


def test_unreadable_file_is_a_content_error(tmp_path: Path) -> None:
    with pytest.raises(ContentError, match="cannot read"):
        load_scenario_file(tmp_path / "missing.yaml")


def test_load_file_round_trips_through_dump(tmp_path: Path) -> None:
    for scenario in builtin_scenarios().values():
        path = tmp_path / f"{scenario.id}.yaml"
        path.write_text(dump_scenario_yaml(scenario), encoding="utf-8")
        assert load_scenario_file(path) == scenario


def test_dump_includes_hidden_material() -> None:
    scenario: Scenario = builtin_scenarios()["peer-conflict"]
    text = dump_scenario_yaml(scenario)
    assert scenario.layers[-1].reveal[0] in text or "keep_the_friendship" in text
    assert "facilitator_notes" in text
