"""``coachlab library import|search`` and ``coachlab reindex`` in-process on a temp data folder."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from app.cli import main
from app.cli.context import CliContext
from app.services.principal import Principal, Role

PASSWORD = "correct-horse-battery"


@pytest.fixture
def users(cli_env: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COACHLAB_EMBEDDER", "hashing")
    ctx = CliContext()
    services = ctx.services()
    for name, roles in (
        ("lee", {Role.LEARNER}),
        ("pat", {Role.PEER}),
        ("oz", {Role.PEER}),
        ("sol", {Role.LEARNER}),
    ):
        services.accounts.create_user(Principal.system(), name, PASSWORD, roles)
    services.curation.ensure_cohort(Principal.system(), "Spring", ["lee", "pat"])
    ctx.close()


def _write(path: Path, rows: list[object]) -> Path:
    path.write_text("\n".join(r if isinstance(r, str) else json.dumps(r) for r in rows) + "\n")
    return path


def _search(capsys: pytest.CaptureFixture[str], *args: str) -> list[dict[str, object]]:
    capsys.readouterr()
    assert main(["library", "search", *args, "--format", "json"]) == 0
    return json.loads(capsys.readouterr().out)


def test_import_then_search_as_different_users(
    users: None, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = _write(
        tmp_path / "ex.jsonl",
        [
            {
                "coach": "What would make this week feel lighter?",
                "client": "I'm swamped.",
                "note": "Ask Priya at priya@acme.com",
                "scenario": "workload-delegation",
                "visibility": "cohort",
            },
            {
                "coach": "So you feel torn between staying and leaving.",
                "client": "I can't decide.",
                "note": "",
                "scenario": "career-change",
                "visibility": "community",
            },
        ],
    )
    assert main(["library", "import", str(path), "--as", "lee"]) == 0
    assert "imported 2 exchanges" in capsys.readouterr().out

    rows = _search(capsys, "week feel lighter", "--as", "pat")
    assert rows[0]["coach"] == "What would make this week feel lighter?"
    assert rows[0]["note"] == "Ask [NAME] at [EMAIL]"
    assert set(rows[0]) == {
        "id",
        "coach",
        "client",
        "note",
        "techniques",
        "scenario",
        "author",
        "helpful",
    }
    assert rows[0]["author"] == "Anonymous" and rows[0]["helpful"] == 0
    outsider = _search(capsys, "week feel lighter", "--as", "oz")
    assert [r["scenario"] for r in outsider] == ["career-change"]
    only = _search(capsys, "feel", "--scenario", "career-change", "--as", "pat")
    assert [r["scenario"] for r in only] == ["career-change"]
    questions = _search(capsys, "", "--technique", "question_open", "--as", "pat", "--limit", "1")
    assert len(questions) == 1 and "question_open" in questions[0]["techniques"]

    assert main(["reindex"]) == 0
    assert "reindexed 2 library items" in capsys.readouterr().out
    assert _search(capsys, "torn between staying", "--as", "oz")[0]["scenario"] == "career-change"


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("{not json", "ex.jsonl:2: not valid JSON"),
        ('{"coach": "", "client": "x"}', "ex.jsonl:2: field 'coach' must be a non-empty string"),
        ('{"coach": "a", "client": "b", "visibility": "world"}', "ex.jsonl:2: field 'visibility'"),
        ('{"coach": "a", "client": "b", "mood": 1}', "ex.jsonl:2: unknown field(s) mood"),
        ("[" * 100_000 + "]" * 100_000, "ex.jsonl:2: nested more than 64 levels deep"),
    ],
)
def test_bad_lines_name_file_and_line_and_store_nothing(
    users: None, tmp_path: Path, capsys: pytest.CaptureFixture[str], line: str, message: str
) -> None:
    good = {"coach": "What matters?", "client": "Time.", "visibility": "community"}
    path = _write(tmp_path / "ex.jsonl", [good, line])
    assert main(["library", "import", str(path), "--as", "lee"]) == 2
    assert message in capsys.readouterr().err
    assert _search(capsys, "", "--as", "pat") == []


def test_unknown_user_and_cohort_less_author(
    users: None, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = _write(tmp_path / "ex.jsonl", [{"coach": "What matters?", "client": "Time."}])
    assert main(["library", "search", "x", "--as", "nobody"]) == 2
    assert "unknown user 'nobody'" in capsys.readouterr().err
    assert main(["library", "import", str(path), "--as", "oz"]) == 2  # peers cannot share
    assert "does not allow" in capsys.readouterr().err
    assert main(["library", "import", str(path), "--as", "sol"]) == 2
    assert "ex.jsonl:1: You are not in a cohort" in capsys.readouterr().err
