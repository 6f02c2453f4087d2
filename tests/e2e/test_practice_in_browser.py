"""Browser run: the demo learner logs in, practises, reloads, ends and reads the scorecard."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.support.browser import send_chat

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def test_demo_learner_completes_a_conversation(app_url: str, browser: Any, artifacts: Path) -> None:
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.set_default_timeout(30_000)
    page.goto(app_url)
    page.get_by_role("textbox", name="Username").fill("learner")
    page.get_by_role("textbox", name="Password").fill("coachlab-demo")
    page.get_by_role("button", name="Log in").click()
    page.get_by_role("heading", name="Practise a conversation").wait_for()
    page.screenshot(path=str(artifacts / "01-catalogue.png"), full_page=True)

    page.get_by_role("button", name="Start practising").click()
    chat = page.get_by_test_id("stChatInputTextArea")
    chat.wait_for()
    lines = [
        "What would you like to get out of our time today?",
        "It sounds like you're stretched thin. What's taking most of your energy?",
    ]
    for n, line in enumerate(lines, start=1):
        try:
            send_chat(page, line, 2 * n + 1)
        except Exception:
            page.screenshot(path=str(artifacts / f"failed-turn-{n}.png"), full_page=True)
            raise
    page.screenshot(path=str(artifacts / "02-conversation.png"), full_page=True)

    page.reload()
    page.get_by_test_id("stChatInputTextArea").wait_for()
    page.get_by_test_id("stChatMessage").nth(4).wait_for()
    expect(page.get_by_test_id("stChatMessage")).to_have_count(5)
    assert "stretched thin" in page.get_by_test_id("stChatMessage").nth(3).inner_text()

    page.get_by_role("button", name="End session and see feedback").click()
    page.get_by_role("heading", name="Debrief").wait_for()
    page.get_by_text("Overall").first.wait_for()
    page.get_by_role("tab", name="What was hidden").click()
    page.get_by_role("heading", name="What was really going on").wait_for()
    page.screenshot(path=str(artifacts / "03-scorecard.png"), full_page=True)
    page.close()
