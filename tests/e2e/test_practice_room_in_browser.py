"""Browser run of the practice room at laptop and phone widths: practise (partly keyboard-only),
rewind and branch, open the debrief, export; a screenshot of every step."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.support.browser import send_chat, settle_chat, wait_idle

pytestmark = [pytest.mark.browser, pytest.mark.slow]

VIEWPORTS = {"laptop": (1280, 900), "phone": (390, 844)}


def _focused_test_id(page: Any) -> str | None:
    return page.evaluate("document.activeElement && document.activeElement.dataset.testid")


def _wait_or_explain(page: Any, text: str, shot: Any) -> None:
    """Wait for ``text``; if it never shows, fail with what the page showed instead."""
    try:
        page.get_by_text(text).first.wait_for()
    except Exception as exc:  # a timeout: say what the learner saw instead
        shot("xx-missing")
        shown = page.locator("[data-testid='stAlert'], [data-testid='stException']")
        messages = [shown.nth(i).inner_text() for i in range(shown.count())]
        raise AssertionError(f"{text!r} never showed; alerts on the page: {messages}") from exc


@pytest.mark.parametrize("device", list(VIEWPORTS))
def test_practise_rewind_branch_debrief_export(
    app_url: str, browser: Any, artifacts: Path, device: str
) -> None:
    width, height = VIEWPORTS[device]
    context = browser.new_context(
        viewport={"width": width, "height": height}, accept_downloads=True
    )
    page = context.new_page()
    page.set_default_timeout(30_000)
    shot = lambda step: page.screenshot(  # noqa: E731
        path=str(artifacts / f"room-{device}-{step}.png"), full_page=True
    )
    try:
        page.goto(app_url)
        page.get_by_role("textbox", name="Username").fill("learner")
        page.get_by_role("textbox", name="Password").fill("coachlab-demo")
        page.get_by_role("button", name="Log in").click()
        page.get_by_role("heading", name="Practise a conversation").wait_for()
        page.get_by_text("Recommended next").wait_for()
        shot("01-catalogue")

        page.get_by_role("button", name="Start practising").click()
        page.get_by_test_id("stChatInputTextArea").wait_for()
        send_chat(page, "What would you like to get out of our time today?", 3)

        # keyboard only: Tab from the page to the chat input, type, Enter
        page.get_by_role("heading").first.click()
        for _ in range(60):
            page.keyboard.press("Tab")
            if _focused_test_id(page) == "stChatInputTextArea":
                break
        assert _focused_test_id(page) == "stChatInputTextArea", "chat input reachable by Tab"
        page.keyboard.type("It sounds like you're stretched thin. What's taking most energy?")
        page.keyboard.press("Enter")
        settle_chat(page, 5)
        send_chat(page, "What matters most to you about how this gets resolved?", 7)
        expect(page.get_by_test_id("stChatMessage")).to_have_count(7)
        shot("02-conversation")

        page.get_by_text("Rewind and try a different line").click()
        branch = page.get_by_role("button", name="Branch from here")
        branch.wait_for()
        wait_idle(page)
        branch.click()
        _wait_or_explain(page, "A branch of session", shot)
        page.get_by_test_id("stChatInputTextArea").wait_for()
        expect(page.get_by_test_id("stChatMessage")).to_have_count(5)
        send_chat(page, "So the work keeps landing on you. What would you like instead?", 7)
        shot("03-branch")

        end = page.get_by_role("button", name="End session and see feedback")
        end.focus()
        page.keyboard.press("Enter")  # buttons work from the keyboard too
        page.get_by_role("heading", name="Debrief").wait_for()
        page.get_by_text("Overall").first.wait_for()
        page.get_by_text("A branch of session").wait_for()
        shot("04-debrief-scorecard")

        page.get_by_role("tab", name="Transcript").click()
        page.get_by_role("heading", name="Turn 5").wait_for()
        shot("05-debrief-transcript")
        page.get_by_role("tab", name="What was hidden").click()
        page.get_by_role("heading", name="What was really going on").wait_for()
        shot("06-debrief-hidden")

        page.get_by_role("tab", name="Replay, export, delete").click()
        for label, suffix in (("Download Markdown", ".md"), ("Download JSON", ".json")):
            with page.expect_download() as download:
                page.get_by_role("button", name=label).click()
            saved = artifacts / f"room-{device}-export{suffix}"
            download.value.save_as(str(saved))
            assert saved.stat().st_size > 200
        assert "## Transcript" in (artifacts / f"room-{device}-export.md").read_text()
        shot("07-export")
    except Exception:
        shot("failed")
        raise
    finally:
        context.close()
