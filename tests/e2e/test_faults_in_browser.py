"""Browser run of a crash: the app is killed mid-session, restarted, and the session resumes.

The app server is killed with SIGKILL (no shutdown code runs) after the learner's second turn; a
new server starts on the same data folder and port.  Opening the page's URL again (what a browser
does on reconnecting) restores the login from the URL token and the conversation from the
database, and the learner carries on.
"""

from __future__ import annotations

import signal
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.support.app_server import demo_env, seed_demo, start_app, stop_app
from tests.support.browser import send_chat
from tests.support.network import free_port

pytestmark = [pytest.mark.browser, pytest.mark.slow]

LINES = [
    "What would you like to get out of our time today?",
    "It sounds like you're stretched thin. What's taking most of your energy?",
    "What would a good week look like for you?",
]


def _say(page: Any, line: str, messages: int) -> None:
    send_chat(page, line, messages)


def test_a_killed_app_resumes_the_session_after_a_restart(
    tmp_path: Path, browser: Any, artifacts: Path
) -> None:
    env = demo_env(tmp_path / "data", COACHLAB_EMBEDDER="hashing")  # nothing here needs MiniLM
    seed_demo(env, init=False)
    port = free_port()
    server = start_app(env, port, tmp_path / "streamlit-1.log")
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.set_default_timeout(30_000)
    try:
        page.goto(f"http://127.0.0.1:{port}")
        page.get_by_role("textbox", name="Username").fill("learner")
        page.get_by_role("textbox", name="Password").fill("coachlab-demo")
        page.get_by_role("button", name="Log in").click()
        page.get_by_role("button", name="Start practising").click()
        page.get_by_test_id("stChatInputTextArea").wait_for()
        _say(page, LINES[0], 3)
        _say(page, LINES[1], 5)
        before = page.get_by_test_id("stChatMessage").all_inner_texts()
        url = page.url
        assert "auth=" in url and "session=" in url

        server.send_signal(signal.SIGKILL)
        assert server.wait(timeout=10) == -signal.SIGKILL
        server = start_app(env, port, tmp_path / "streamlit-2.log")

        page.goto(url)
        page.get_by_test_id("stChatInputTextArea").wait_for()
        expect(page.get_by_test_id("stChatMessage")).to_have_count(5)
        assert page.get_by_test_id("stChatMessage").all_inner_texts() == before
        assert page.get_by_role("textbox", name="Username").count() == 0  # still logged in
        _say(page, LINES[2], 7)
        assert LINES[2] in page.get_by_test_id("stChatMessage").nth(5).inner_text()
        assert page.get_by_test_id("stChatMessage").nth(6).inner_text().strip()
        page.screenshot(path=str(artifacts / "faults-resumed.png"), full_page=True)
    except Exception:
        page.screenshot(path=str(artifacts / "faults-failed.png"), full_page=True)
        raise
    finally:
        page.close()
        stop_app(server)
