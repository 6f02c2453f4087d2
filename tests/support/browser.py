"""Driving the practice chat in a real browser without racing Streamlit's reruns."""

from __future__ import annotations

import re
from typing import Any

from playwright.sync_api import expect

# the avatar's icon name plus at least one word: the reply's text has arrived (a streaming
# reply starts as its avatar alone)
_WORDS = re.compile(r"\w+\W+\w+")
# Streamlit marks the app root with its script state; st.rerun() passes through "notRunning"
# for a moment between two runs, so idleness must hold for a short quiet spell
_IDLE = "[data-testid='stApp'][data-test-script-state='notRunning']"
_QUIET_MS = 300


def send_chat(page: Any, line: str, messages: int) -> None:
    """Type a learner line, press Enter, and wait until ``messages`` settled messages show."""
    chat = page.get_by_test_id("stChatInputTextArea")
    chat.fill(line)
    chat.press("Enter")
    settle_chat(page, messages)


def settle_chat(page: Any, messages: int) -> None:
    """Wait for ``messages`` chat messages, the last one with its text, and no stale extra."""
    shown = page.get_by_test_id("stChatMessage")
    # a streamed reply first appears empty, and the rerun that stores it briefly keeps the
    # streamed element beside the stored one: wait through both
    expect(shown).to_have_count(messages)
    expect(shown.nth(messages - 1)).to_have_text(_WORDS)
    wait_idle(page)
    expect(shown).to_have_count(messages)


def wait_idle(page: Any) -> None:
    """Wait until no script run is in progress or about to start (a rerun included)."""
    idle = page.locator(_IDLE)
    for _ in range(100):
        idle.wait_for(state="attached")
        page.wait_for_timeout(_QUIET_MS)
        if idle.count() == 1:
            return
    raise AssertionError("the app kept rerunning: never idle for a quiet spell")
