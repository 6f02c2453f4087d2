"""``coachlab export`` / ``coachlab import``: a round trip through files."""

from __future__ import annotations

import json
import stat
from collections.abc import Callable
from pathlib import Path
from typing import Any

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


def test_an_export_is_readable_by_its_owner_only(tmp_path: Path) -> None:
    target = tmp_path / "backup.json"
    target.write_text("an older backup")
    target.chmod(0o644)
    assert main(["export", "--output", str(target), "--include-password-hashes"]) == 0
    assert stat.S_IMODE(target.stat().st_mode) == 0o600


def _broken_exports(export: dict[str, Any]) -> dict[str, tuple[dict[str, Any] | list[Any], str]]:
    """Damaged copies of an export and the one-line error each must give."""

    def damaged(change: Callable[[dict[str, Any]], None]) -> dict[str, Any]:
        copy = json.loads(json.dumps(export))
        change(copy["tables"])
        return copy

    users = "table 'users' row 1"
    return {
        "bad-date": (
            damaged(lambda t: t["users"][0].update(created_at="yesterday")),
            f"{users} column 'created_at': not an ISO date and time ('yesterday').",
        ),
        "bad-type": (
            damaged(lambda t: t["users"][0].update(id="one")),
            f"{users} column 'id': must be a whole number.",
        ),
        "huge-number": (
            damaged(lambda t: t["scenario_versions"][0].update(id=2**70)),
            f"table 'scenario_versions' row 1 column 'id': {2**70} is out of range.",
        ),
        "missing-column": (
            damaged(lambda t: t["users"][0].pop("username")),
            f"{users} column 'username': missing.",
        ),
        "duplicate-key": (
            damaged(lambda t: t["users"].append(dict(t["users"][0]))),
            f"table 'users' row {len(export['tables']['users']) + 1}: duplicate key id = 1 "
            "(also row 1).",
        ),
        "foreign-key": (
            damaged(lambda t: t["library_exchanges"][0].update(author_id=99_999)),
            "table 'library_exchanges': the rows do not fit the database",
        ),
        "empty-list": ([], "This is not a CoachLab export (missing 'format')."),
    }


def test_damaged_backups_are_refused_in_one_line_and_leave_the_database_empty(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["demo"]) == 0
    good = tmp_path / "good.json"
    assert main(["export", "--output", str(good)]) == 0
    export = json.loads(good.read_text())
    monkeypatch.setenv("COACHLAB_DATA_DIR", str(tmp_path / "restored"))
    assert main(["init"]) == 0
    deep = tmp_path / "deep.json"
    deep.write_text('{"format": "coachlab-export", "tables":\n' + "[" * 100_000 + "]" * 100_000)
    cases = {"deep": (deep, f"{deep}:2: nested more than 64 levels deep")}
    for name, (document, message) in _broken_exports(export).items():
        path = tmp_path / f"{name}.json"
        path.write_text(json.dumps(document), encoding="utf-8")
        cases[name] = (path, f"{path}: {message}")
    capsys.readouterr()
    for path, message in cases.values():
        assert main(["import", str(path)]) == 2, path
        err = capsys.readouterr().err
        assert err.startswith(f"error: {message}") and err.count("\n") == 1, err
    assert main(["import", str(good)]) == 0  # nothing half-imported was left behind
