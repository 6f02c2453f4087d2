"""``coachlab scenario ...`` and ``coachlab rubric ...``."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from app.cli import main
from tests.builders import alias_bomb

REPO = Path(__file__).resolve().parents[3]


def test_scenario_list_json(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["scenario", "list", "--format", "json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert rows and set(rows[0]) == {"id", "title", "version", "context", "difficulty"}


def test_scenario_validate_ok_and_errors(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    builtin = sorted((REPO / "scenarios" / "builtin").glob("*.yaml"))
    assert main(["scenario", "validate", *map(str, builtin)]) == 0
    bad = tmp_path / "bad.yaml"
    bad.write_text("id: x\ntitle: [unclosed\n", encoding="utf-8")
    assert main(["scenario", "validate", str(bad)]) == 2
    err = capsys.readouterr().err
    assert f"{bad}:" in err and "Traceback" not in err


def test_scenario_export_import_round_trip(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["scenario", "list", "--format", "json"]) == 0
    first = json.loads(capsys.readouterr().out)[0]
    assert main(["scenario", "export", first["id"]]) == 0
    text = capsys.readouterr().out
    assert "layers" in text
    assert main(["scenario", "import", _write(tmp_path, text)]) == 2  # same version exists
    assert "already exists" in capsys.readouterr().err
    bumped = re.sub(
        rf"^version: {first['version']}$", f"version: {first['version'] + 1}", text, flags=re.M
    )
    assert bumped != text
    assert main(["scenario", "import", _write(tmp_path, bumped)]) == 0
    assert "imported scenario" in capsys.readouterr().out
    assert main(["scenario", "list", "--format", "json"]) == 0
    rows = {r["id"]: r for r in json.loads(capsys.readouterr().out)}
    assert rows[first["id"]]["version"] == first["version"] + 1


def test_rubric_validate(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    builtin = sorted((REPO / "rubrics" / "builtin").glob("*.yaml"))
    assert main(["rubric", "validate", *map(str, builtin)]) == 0
    bad = tmp_path / "rubric.yaml"
    bad.write_text("id: r\nname: R\nversion: 1\ndescription: d\ncriteria: []\nsurprise: 1\n")
    assert main(["rubric", "validate", str(bad)]) == 2
    err = capsys.readouterr().err
    assert "surprise" in err and f"{bad}:6" in err


def _write(tmp_path: Path, text: str) -> str:
    path = tmp_path / "exported.yaml"
    path.write_text(text, encoding="utf-8")
    return str(path)


def test_rubric_export_import_round_trip(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["rubric", "list", "--format", "json"]) == 0
    rows = {r["id"]: r for r in json.loads(capsys.readouterr().out)}
    assert {"core-coaching", "mi-consistency", "grow-structure"} <= set(rows)
    version = rows["core-coaching"]["version"]
    assert main(["rubric", "export", "core-coaching"]) == 0
    text = capsys.readouterr().out
    assert "criteria:" in text
    assert main(["rubric", "import", _write(tmp_path, text)]) == 2  # same version exists
    assert "already exists" in capsys.readouterr().err
    bumped = re.sub(rf"^version: {version}$", f"version: {version + 1}", text, flags=re.M)
    assert main(["rubric", "import", _write(tmp_path, bumped)]) == 0
    assert capsys.readouterr().out == f"imported rubric core-coaching v{version + 1}\n"
    assert main(["rubric", "list", "--format", "json"]) == 0
    rows = {r["id"]: r for r in json.loads(capsys.readouterr().out)}
    assert rows["core-coaching"]["version"] == version + 1
    assert main(["rubric", "export", "no-such-rubric"]) == 2
    assert "No rubric 'no-such-rubric'" in capsys.readouterr().err


@pytest.mark.parametrize("kind", ["scenario", "rubric"])
def test_import_of_an_unreadable_file_names_it(
    kind: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    missing = tmp_path / "missing.yaml"
    assert main([kind, "import", str(missing)]) == 2
    assert capsys.readouterr().err == (
        f"error: {missing}: cannot read file: No such file or directory\n"
    )
    binary = tmp_path / "binary.yaml"
    binary.write_bytes(b"id: x\n\xff\xfe")
    assert main([kind, "import", str(binary)]) == 2
    assert capsys.readouterr().err == f"error: {binary}: not UTF-8 text (byte 6)\n"


@pytest.mark.parametrize("kind", ["scenario", "rubric"])
def test_validate_refuses_a_yaml_alias_bomb_in_one_line(
    kind: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bomb = tmp_path / "bomb.yaml"
    bomb.write_text(alias_bomb(6), encoding="utf-8")
    assert main([kind, "validate", str(bomb)]) == 2
    err = capsys.readouterr().err
    assert (
        err
        == f"error: {bomb}:2: YAML aliases (*name) are not allowed: write the value out in full\n"
    )


@pytest.mark.parametrize("kind", ["scenario", "rubric"])
def test_a_version_beyond_64_bits_is_one_line_and_exit_2(
    kind: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = REPO / ("scenarios" if kind == "scenario" else "rubrics") / "builtin"
    text = sorted(source.glob("*.yaml"))[0].read_text(encoding="utf-8")
    huge = re.sub(r"(?m)^version: \d+$", "version: 99999999999999999999999999", text)
    path = tmp_path / "huge.yaml"
    path.write_text(huge, encoding="utf-8")
    for action in ("validate", "import"):
        assert main([kind, action, str(path)]) == 2
        line = huge.splitlines().index("version: 99999999999999999999999999") + 1
        assert capsys.readouterr().err == (
            f"error: {path}:{line}: version: must be at most 2147483647 "
            "(found 99999999999999999999999999)\n"
        )
