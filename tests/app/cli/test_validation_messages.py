"""Every kind of content mistake, through ``coachlab scenario|rubric validate``: file, line, field,
plain words, exit status 2 and no traceback."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from app.cli import main

REPO = Path(__file__).resolve().parents[3]
SCENARIO = (REPO / "scenarios" / "builtin" / "peer-conflict.yaml").read_text(encoding="utf-8")
# the built-in rubric, pinned at version 1 so the cases below can edit that line
RUBRIC = re.sub(
    r"(?m)^version: \d+$",
    "version: 1",
    (REPO / "rubrics" / "builtin" / "core-coaching.yaml").read_text(encoding="utf-8"),
    count=1,
)


def _line_of(text: str, needle: str, nth: int = 0) -> int:
    lines = [i + 1 for i, line in enumerate(text.splitlines()) if needle in line]
    return lines[nth]


def _check(
    kind: str, text: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> tuple[Path, str]:
    path = tmp_path / f"{kind}.yaml"
    path.write_text(text, encoding="utf-8")
    assert main([kind, "validate", str(path)]) == 2
    captured = capsys.readouterr()
    assert "Traceback" not in captured.err and captured.out == ""
    return path, captured.err


SCENARIO_CASES = {
    "syntax": (
        SCENARIO.replace("difficulty: 3", "difficulty: 3: x"),
        "difficulty: 3: x",
        "",
        "YAML syntax error",
    ),
    "wrong type": (
        SCENARIO.replace("difficulty: 3", "difficulty: hard"),
        "difficulty: hard",
        "difficulty",
        "must be a whole number (found 'hard')",
    ),
    "out of range": (
        SCENARIO.replace("difficulty: 3", "difficulty: 9"),
        "difficulty: 9",
        "difficulty",
        "must be at most 5 (found 9)",
    ),
    "unknown field": (
        SCENARIO.replace("difficulty: 3", "difficulty: 3\ncolour: red"),
        "colour: red",
        "colour",
        "unknown field",
    ),
    "duplicate key": (
        SCENARIO.replace("difficulty: 3", "difficulty: 3\ndifficulty: 4"),
        "difficulty: 4",
        "",
        "duplicate key 'difficulty'",
    ),
    "duplicate layer id": (
        SCENARIO.replace("id: shared_history", "id: public_overrule"),
        "id: public_overrule",
        "layers[1].id",
        "duplicate layer id 'public_overrule'",
    ),
    "missing prerequisite": (
        SCENARIO.replace("requires: [public_overrule]", "requires: [nope]", 1),
        "requires: [nope]",
        "layers[1].earn.requires[0]",
        "unknown prerequisite layer 'nope'",
    ),
    "cyclic prerequisites": (
        SCENARIO.replace(
            "      trust: 0.15", "      requires: [shared_history]\n      trust: 0.15", 1
        ),
        "requires: [public_overrule]",
        "layers[1].earn.requires",
        "prerequisites form a cycle: public_overrule -> shared_history -> public_overrule",
    ),
    "wrong choice": (
        SCENARIO.replace("context: peer", "context: team"),
        "context: team",
        "context",
        "'manager_report'",
    ),
}


@pytest.mark.parametrize("case", sorted(SCENARIO_CASES))
def test_scenario_mistakes_name_file_line_and_field(
    case: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    text, needle, field, words = SCENARIO_CASES[case]
    nth = 1 if case == "duplicate layer id" else 0
    path, err = _check("scenario", text, tmp_path, capsys)
    line = _line_of(text, needle, nth)
    prefix = f"error: {path}:{line}: " + (f"{field}: " if field else "")
    assert err.startswith(prefix), err
    assert words in err
    assert "Value error" not in err and "Input should" not in err


def _weight(text: str, value: str) -> str:
    return re.sub(r"weight: 15\b", f"weight: {value}", text, count=1)


RUBRIC_CASES = {
    "syntax": (RUBRIC.replace("version: 1", "version: 1: x"), "version: 1: x", "", "YAML syntax"),
    "wrong type": (
        RUBRIC.replace("version: 1", "version: two"),
        "version: two",
        "version",
        "must be a whole number (found 'two')",
    ),
    "weight too high": (
        _weight(RUBRIC, "150"),
        "weight: 150",
        "criteria[0].weight",
        "must be at most 100 (found 150)",
    ),
    "weight not positive": (
        _weight(RUBRIC, "0"),
        "weight: 0",
        "criteria[0].weight",
        "must be more than 0 (found 0)",
    ),
    "unknown field": (
        RUBRIC.replace("name: Core coaching skills", "name: Core coaching skills\nowner: me"),
        "owner: me",
        "owner",
        "unknown field",
    ),
    "unknown metric": (
        RUBRIC.replace("metric: goal_timing", "metric: goal_timeing"),
        "metric: goal_timeing",
        "criteria[0].measure.metric",
        "unknown metric 'goal_timeing'; did you mean goal_timing",
    ),
    "duplicate criterion id": (
        RUBRIC.replace("  - id: open-questions", "  - id: agreement"),
        "  - id: agreement",
        "criteria[1].id",
        "duplicate criterion id 'agreement' (also criteria[0])",
    ),
    "missing level": (
        RUBRIC.replace(
            "      5: The first exchanges set out what the client wants from the session.\n", ""
        ),
        "    levels:",
        "criteria[0].levels",
        "levels must be exactly 1 to 5: missing [5]",
    ),
}


@pytest.mark.parametrize("case", sorted(RUBRIC_CASES))
def test_rubric_mistakes_name_file_line_and_field(
    case: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    text, needle, field, words = RUBRIC_CASES[case]
    nth = 1 if case == "duplicate criterion id" else 0
    path, err = _check("rubric", text, tmp_path, capsys)
    line = _line_of(text, needle, nth)
    prefix = f"error: {path}:{line}: " + (f"{field}: " if field else "")
    assert err.startswith(prefix), err
    assert words in err
    assert "Value error" not in err and "Input should" not in err


def test_every_file_is_checked_and_a_good_one_still_passes(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    good = tmp_path / "good.yaml"
    good.write_text(RUBRIC, encoding="utf-8")
    bad = tmp_path / "bad.yaml"
    bad.write_text(_weight(RUBRIC, "150"), encoding="utf-8")
    assert main(["rubric", "validate", str(bad), str(good)]) == 2
    out = capsys.readouterr()
    assert f"{good}: ok" in out.out and f"{bad}:" in out.err


def test_unreadable_file_is_a_plain_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["scenario", "validate", str(tmp_path / "missing.yaml")]) == 2
    err = capsys.readouterr().err
    assert "cannot read file" in err and "Traceback" not in err
