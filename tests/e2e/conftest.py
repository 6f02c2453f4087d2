"""Browser tests: a real ``streamlit run`` server per module and Debian's headless Chromium."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.app_server import demo_env, seed_demo, start_app, stop_app
from tests.support.network import free_port

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


@pytest.fixture(scope="session")
def demo_data(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A data folder seeded once with the demo users and content (copied, never used directly)."""
    data = tmp_path_factory.mktemp("e2e-demo") / "data"
    seed_demo(demo_env(data), init=False)
    return data


@pytest.fixture(scope="module")
def app_data(tmp_path_factory: pytest.TempPathFactory, demo_data: Path) -> Path:
    """This module's own copy of the demo data folder (the operator CLI may act on it)."""
    data = tmp_path_factory.mktemp("e2e-data") / "data"
    shutil.copytree(demo_data, data)  # closed files: SQLite and Chroma copy whole
    return data


@pytest.fixture(scope="module")
def app_url(tmp_path_factory: pytest.TempPathFactory, app_data: Path) -> Iterator[str]:
    """Start the app on this module's copy of the demo data, on a free port; yield its URL.

    One server per test module: each browser journey starts from the same demo data, so one
    journey's shares, sessions or cohorts never change what another one sees.
    """
    port = free_port()
    proc = start_app(demo_env(app_data), port, tmp_path_factory.mktemp("e2e-log") / "streamlit.log")
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
