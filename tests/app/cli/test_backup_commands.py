"""``coachlab export`` / ``coachlab import``: a round trip through files."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from app.cli import main


def test_export_import_export_round_trip(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["demo"]) == 0
    first = tmp_path / "first.json"
    assert main(["export", "--output", str(first), "--include-password-hashes"]) == 0
    monkeypatch.setenv("COACHLAB_DATA_DIR", str(tmp_path / "restored"))
    assert main(["init"]) == 0
    assert main(["import", str(first)]) == 0
    assert "imported" in capsys.readouterr().out
    second = tmp_path / "second.json"
    assert main(["export", "--output", str(second), "--include-password-hashes"]) == 0
    a, b = json.loads(first.read_text()), json.loads(second.read_text())
    a.pop("exported_at"), b.pop("exported_at")
    assert a == b


def test_import_errors_are_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    broken = tmp_path / "broken.json"
    broken.write_text('{"format": \n', encoding="utf-8")
    assert main(["import", str(broken)]) == 2
    err = capsys.readouterr().err
    assert f"{broken}:" in err and "Traceback" not in err
    assert main(["import", str(tmp_path / "missing.json")]) == 2


def test_export_to_a_folder_that_does_not_exist_is_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = tmp_path / "no-such-folder" / "backup.json"
    assert main(["export", "--output", str(target)]) == 2
    assert capsys.readouterr().err == (
        f"error: {target}: cannot write file: No such file or directory\n"
    )
    assert not target.parent.exists()


def test_export_replaces_an_older_backup_whole(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (folder := tmp_path / "backups").mkdir()
    target = folder / "backup.json"
    target.write_text("an older backup, much longer than nothing at all " * 10_000)
    assert main(["export", "--output", str(target)]) == 0
    assert json.loads(target.read_text())["tables"]
    assert [p.name for p in folder.iterdir()] == ["backup.json"]  # no partial file left behind
