"""``coachlab practice``: coach lines played against a persona, JSON contract and errors."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from app.cli import main

SCRIPTS = Path(__file__).resolve().parents[2] / "scenarios" / "scripts"


def test_practice_json_contract(capsys: pytest.CaptureFixture[str]) -> None:
    script = SCRIPTS / "workload-delegation.txt"
    code = main(
        [
            "practice",
            "--scenario",
            "workload-delegation",
            "--coach-lines",
            str(script),
            "--format",
            "json",
        ]
    )
    assert code == 0
    out = json.loads(capsys.readouterr().out)
    assert set(out) >= {"transcript", "unlocked", "scorecard"}
    speakers = [t["speaker"] for t in out["transcript"]]
    assert speakers[0] == "client" and speakers[1] == "coach"
    assert out["unlocked"], "good technique earns layers"
    assert 0 <= out["scorecard"]["overall"] <= 100


def test_practice_errors_are_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    empty = tmp_path / "empty.txt"
    empty.write_text("# nothing\n\n", encoding="utf-8")
    assert main(["practice", "--scenario", "workload-delegation", "--coach-lines", str(empty)]) == 2
    assert "no coach lines" in capsys.readouterr().err
    lines = tmp_path / "lines.txt"
    lines.write_text("What brings you here?\n", encoding="utf-8")
    assert main(["practice", "--scenario", "nope", "--coach-lines", str(lines)]) == 2
    assert "unknown scenario 'nope'" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("text", "where", "message"),
    [
        ("What matters?\n" * 201, ":201", "more than 200 coach lines"),
        ("Hi\n" + "x" * 2001 + "\n", ":2", "line is longer than 2000 characters"),
        ("# padding\n" * 60_000, "", "file is larger than 500 kB"),
    ],
    ids=["too-many-lines", "line-too-long", "file-too-large"],
)
def test_coach_lines_have_size_and_turn_limits(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], text: str, where: str, message: str
) -> None:
    lines = tmp_path / "lines.txt"
    lines.write_text(text, encoding="utf-8")
    args = ["practice", "--scenario", "workload-delegation", "--coach-lines", str(lines)]
    assert main(args) == 2
    assert capsys.readouterr().err == f"error: {lines}{where}: {message}\n"
