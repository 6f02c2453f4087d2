"""``coachlab score``: three input formats, the JSON contract, and one-line errors."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from app.cli import main

TURNS = [
    ("coach", "What would you like to focus on today?"),
    ("client", "I'm drowning in the monthly reports and I can't say no to my boss."),
    ("coach", "You're stretched thin, and saying no feels risky."),
    ("client", "Yes. I'm worried they'll think I can't cope."),
    ("coach", "You should just delegate the reports."),
    ("client", "I could ask Sam to take the data part by Friday."),
]


def _json_file(tmp_path: Path) -> Path:
    path = tmp_path / "session.json"
    turns = [{"speaker": s, "text": t} for s, t in TURNS]
    path.write_text(json.dumps({"turns": turns}), encoding="utf-8")
    return path


def _text_file(tmp_path: Path) -> Path:
    path = tmp_path / "session.txt"
    names = {"coach": "Coach", "client": "Client"}
    path.write_text("\n".join(f"{names[s]}: {t}" for s, t in TURNS), encoding="utf-8")
    return path


def _vtt_file(tmp_path: Path) -> Path:
    path = tmp_path / "meeting.vtt"
    cues = ["WEBVTT", ""]
    for n, (speaker, text) in enumerate(TURNS):
        name = "Dana Coach" if speaker == "coach" else "Robin"
        cues += [f"00:00:{n:02d}.000 --> 00:00:{n:02d}.900", f"<v {name}>{text}</v>", ""]
    path.write_text("\n".join(cues), encoding="utf-8")
    return path


@pytest.mark.parametrize("make", [_json_file, _text_file, _vtt_file])
def test_each_format_gives_the_json_contract(
    make, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = make(tmp_path)
    args = ["score", str(path), "--format", "json"]
    if path.suffix == ".vtt":
        args += ["--coach", "dana coach"]
    assert main(args) == 0
    card = json.loads(capsys.readouterr().out)
    assert card["rubric"]["id"] == "core-coaching" and card["rubric"]["version"] >= 1
    assert 0 <= card["overall"] <= 100
    assert {"id", "name", "score", "level", "evidence", "feedback"} <= set(card["criteria"][0])
    assert [t["speaker"] for t in card["turns"]] == [s for s, _ in TURNS]
    for turn in card["turns"]:
        assert {"index", "speaker", "text", "techniques", "primary", "suggestion"} <= set(turn)
    advice = card["turns"][4]
    assert "advice" in advice["techniques"] and advice["suggestion"]
    coach_turns = {t["index"] for t in card["turns"] if t["speaker"] == "coach"}
    for criterion in card["criteria"]:
        assert all(e["turn"] in coach_turns for e in criterion["evidence"])
    assert isinstance(card["metrics"], dict) and "coach_talk_share" in card["metrics"]


def test_jsonl_and_markdown(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    a, b = _json_file(tmp_path), _text_file(tmp_path)
    assert main(["score", str(a), str(b), "--format", "jsonl", "--rubric", "grow-structure"]) == 0
    lines = capsys.readouterr().out.strip().splitlines()
    assert [json.loads(line)["source"] for line in lines] == [str(a), str(b)]
    assert all(json.loads(line)["rubric"]["id"] == "grow-structure" for line in lines)
    assert main(["score", str(a), "--format", "markdown"]) == 0
    assert "#" in capsys.readouterr().out


def test_bad_input_is_one_clear_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    empty = tmp_path / "empty.txt"
    empty.write_text("", encoding="utf-8")
    assert main(["score", str(empty)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and str(empty) in err[0]

    client_only = tmp_path / "client.json"
    client_only.write_text(json.dumps({"turns": [{"speaker": "client", "text": "hi"}]}))
    assert main(["score", str(client_only)]) == 2
    assert "coach" in capsys.readouterr().err

    broken = tmp_path / "broken.json"
    broken.write_text('{"turns": [\n  {"speaker": "coach",\n')
    assert main(["score", str(broken)]) == 2
    assert str(broken) in capsys.readouterr().err

    assert main(["score", str(_json_file(tmp_path)), "--rubric", "no-such-rubric"]) == 2
    err = capsys.readouterr().err
    assert "no-such-rubric" in err and "Traceback" not in err


def test_large_batches_use_worker_processes_and_keep_order(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    paths = []
    for n in range(8):
        folder = tmp_path / f"t{n}"
        folder.mkdir()
        paths.append(_json_file(folder) if n % 2 else _text_file(folder))
    bad = tmp_path / "bad.txt"
    bad.write_text("", encoding="utf-8")
    paths.insert(3, bad)
    args = ["score", *map(str, paths), "--format", "jsonl", "--jobs", "2"]
    assert main(args) == 2  # the bad file is reported, the others are scored
    lines = capsys.readouterr()
    sources = [json.loads(line)["source"] for line in lines.out.strip().splitlines()]
    assert sources == [str(p) for p in paths if p != bad]
    assert str(bad) in lines.err
    serial = main(["score", *map(str, paths[:2]), "--format", "jsonl", "--jobs", "1"])
    assert serial == 0
    first_serial = json.loads(capsys.readouterr().out.splitlines()[0])
    assert first_serial["overall"] == json.loads(lines.out.splitlines()[0])["overall"]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ('{"turns": ' + "[" * 100_000 + "]" * 100_000 + "}", ":1: nested more than 64 levels deep"),
        ("Client: I'm stuck.\nClient: Really stuck.\n", ": no coach turns (speakers: Client)"),
        (
            '{"turns": [{"speaker": "client", "text": "I am stuck."}]}',
            ": no coach turns (speakers: client)",
        ),
    ],
    ids=["deep-json", "client-only-text", "client-only-json"],
)
def test_hostile_or_coachless_transcripts_are_one_line_and_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], content: str, message: str
) -> None:
    path = tmp_path / "session.json"
    path.write_text(content, encoding="utf-8")
    assert main(["score", str(path)]) == 2
    captured = capsys.readouterr()
    assert captured.err.startswith(f"error: {path}{message}")
    assert captured.err.count("\n") == 1 and captured.out == ""
