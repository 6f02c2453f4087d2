"""``coachlab --help``, ``init``, ``user add|passwd|deactivate|activate`` and ``demo``."""

from __future__ import annotations

import io
import shutil
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from app.cli import main
from app.settings import Settings
from app.storage.database import Database


def test_help_lists_every_command() -> None:
    exe = shutil.which("coachlab", path=str(Path(sys.executable).parent))
    assert exe, "the console script is installed"
    out = subprocess.run([exe, "--help"], capture_output=True, text=True, check=True).stdout
    for command in ("init", "user", "demo", "score", "eval", "scenario", "rubric"):
        assert command in out


def test_init_creates_then_reports_up_to_date(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["init"]) == 0
    first = capsys.readouterr().out
    assert "database created" in first
    assert "loaded scenario" in first and "loaded rubric" in first
    assert main(["init"]) == 0
    assert "up to date" in capsys.readouterr().out
    db = Database(Settings().resolved_database_url)
    assert db.is_current()
    db.dispose()


def test_user_add_reads_the_password_from_stdin(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(sys, "stdin", io.StringIO("a-long-password\n"))
    assert main(["user", "add", "maria", "--role", "learner", "--role", "peer"]) == 0
    assert "added user maria with roles learner, peer" in capsys.readouterr().out
    assert main(["user", "list"]) == 0
    assert "maria\tlearner,peer" in capsys.readouterr().out


def test_user_add_refuses_a_password_argument_and_bad_input(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit):
        main(["user", "add", "maria", "--role", "learner", "--password", "x"])
    assert "unrecognized arguments: --password" in capsys.readouterr().err
    monkeypatch.setattr(sys, "stdin", io.StringIO("short\n"))
    assert main(["user", "add", "maria", "--role", "learner"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: Password must be") and "Traceback" not in err


def test_user_passwd_sets_a_password_and_names_an_unknown_user_before_asking(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(sys, "stdin", io.StringIO("a-long-password\n"))
    assert main(["user", "add", "maria", "--role", "learner"]) == 0
    monkeypatch.setattr(sys, "stdin", io.StringIO("another-password\n"))
    assert main(["user", "passwd", "maria"]) == 0
    assert "password set for maria" in capsys.readouterr().out
    stdin = io.StringIO("never-read-password\n")
    monkeypatch.setattr(sys, "stdin", stdin)
    assert main(["user", "passwd", "nobody"]) == 2
    assert capsys.readouterr().err == "error: unknown user 'nobody' (see `coachlab user list`)\n"
    assert stdin.tell() == 0  # no password was asked for


def test_demo_seeds_one_user_per_role(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["demo"]) == 0
    assert main(["demo"]) == 0  # idempotent
    assert main(["user", "list"]) == 0
    out = capsys.readouterr().out
    for role in ("learner", "peer", "facilitator", "admin"):
        assert f"{role}\t" in out


def test_user_deactivate_and_activate(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(sys, "stdin", io.StringIO("a-long-enough-password\n"))
    assert main(["user", "add", "sam", "--role", "learner"]) == 0
    assert main(["user", "deactivate", "sam"]) == 0
    assert "sam is deactivated" in capsys.readouterr().out
    assert main(["user", "list"]) == 0
    assert "sam\tlearner\tsam\tdeactivated" in capsys.readouterr().out
    assert main(["user", "activate", "sam"]) == 0
    assert "sam is active" in capsys.readouterr().out
    assert main(["user", "deactivate", "nobody"]) == 2


def test_init_keeps_the_data_folder_and_database_private(cli_env: Path) -> None:
    cli_env.mkdir(mode=0o755)
    cli_env.chmod(0o755)  # an existing folder made with a loose umask is tightened too
    assert main(["init"]) == 0
    assert stat.S_IMODE(cli_env.stat().st_mode) == 0o700
    files = [p for p in cli_env.glob("coachlab.db*") if p.is_file()]
    assert files and all(stat.S_IMODE(p.stat().st_mode) == 0o600 for p in files), files
