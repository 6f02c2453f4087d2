"""A real ``streamlit run`` server on loopback, seeded with the demo users and content."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]


def demo_env(data: Path, **overrides: str) -> dict[str, str]:
    """The environment of an offline app on ``data`` (``overrides`` add COACHLAB_* settings)."""
    env = {
        **os.environ,
        "COACHLAB_DATA_DIR": str(data),
        "COACHLAB_LLM_PROVIDER": "offline",
        # one demo learner types for every browser test in quick succession
        "COACHLAB_MESSAGES_PER_MINUTE": "1000",
        **overrides,
    }
    env.pop("COACHLAB_DATABASE_URL", None)
    return env


def seed_demo(env: dict[str, str], *, init: bool = True) -> None:
    """Create the database with the demo users and content: ``coachlab init``, then ``demo``.

    ``init=False`` saves a process start: ``demo`` creates or upgrades the database itself.
    """
    bin_dir = Path(sys.executable).parent
    coachlab = shutil.which("coachlab", path=str(bin_dir)) or "coachlab"
    for command in ["init", "demo"] if init else ["demo"]:
        subprocess.run([coachlab, command], env=env, check=True, cwd=REPO, capture_output=True)


def start_app(env: dict[str, str], port: int, log_path: Path) -> subprocess.Popen[bytes]:
    """Start ``streamlit run`` on ``port``, its output in ``log_path``; return once it is healthy.

    The caller owns the process: ``stop_app`` it, or kill it to simulate a crash.
    """
    with log_path.open("ab") as log:  # the child keeps its own handle
        proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "streamlit",
                "run",
                "streamlit_app.py",
                "--server.headless",
                "true",
                "--server.address",
                "127.0.0.1",
                "--server.port",
                str(port),
                "--browser.gatherUsageStats",
                "false",
            ],
            cwd=REPO,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    health = f"http://127.0.0.1:{port}/_stcore/health"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            pytest.fail(f"streamlit exited with {proc.returncode}; see {log_path}")
        try:
            with urllib.request.urlopen(health, timeout=2) as response:
                if response.status == 200:
                    return proc
        except OSError:
            time.sleep(0.5)
    stop_app(proc)
    pytest.fail(f"streamlit did not become healthy within 60 s; see {log_path}")


def stop_app(proc: subprocess.Popen[bytes]) -> None:
    """Stop a server started by ``start_app`` (politely, then by force)."""
    proc.terminate()
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(timeout=10)
