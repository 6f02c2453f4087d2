"""A real ``streamlit run`` server on loopback and Debian's headless Chromium under Playwright."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
ARTIFACTS = REPO / "artifacts" / "e2e"
CHROMIUM = os.environ.get("COACHLAB_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
    "--no-first-run",
]


def free_port() -> int:
    """A loopback port nothing listens on (bound, then released)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


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


@pytest.fixture(scope="module")
def app_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """Start the app with fresh demo content on a free port; yield its URL.

    One server per test module: each browser journey starts from the same demo data, so one
    journey's shares, sessions or cohorts never change what another one sees.
    """
    env = demo_env(tmp_path_factory.mktemp("e2e-data"))
    seed_demo(env)
    port = free_port()
    proc = start_app(env, port, tmp_path_factory.mktemp("e2e-log") / "streamlit.log")
    yield f"http://127.0.0.1:{port}"
    stop_app(proc)


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    """Headless Debian Chromium through Playwright's bundled driver."""
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: `make test` installs Debian's chromium package")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield browser
        browser.close()


@pytest.fixture
def artifacts() -> Path:
    """Folder for screenshots."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    return ARTIFACTS
