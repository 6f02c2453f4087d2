"""Browser run of the library's "done when": share with redaction from a debrief, a peer finds it
by a paraphrase and by technique, comments and votes, the author is notified, an outsider never
sees it."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.support.browser import send_chat, wait_idle

pytestmark = [pytest.mark.browser, pytest.mark.slow]
SECRET_LINE = (
    "It sounds like your manager Priya, priya@acme.com, leaves you stretched thin and unheard."
)
DEMO_PASSWORD = "coachlab-demo"
PARAPHRASE = "overworked and ignored by the boss"  # no content word shared with the line


def _login(browser: Any, url: str, username: str, password: str = DEMO_PASSWORD) -> Any:
    page = browser.new_page(viewport={"width": 1280, "height": 1000})
    page.set_default_timeout(30_000)
    page.goto(url)
    page.get_by_role("textbox", name="Username").fill(username)
    page.get_by_role("textbox", name="Password").fill(password)
    page.get_by_role("button", name="Log in").click()
    return page


def _library(page: Any) -> None:
    page.get_by_role("link", name="Library").click()
    page.get_by_role("heading", name="Community library").wait_for()


def _search(page: Any, query: str) -> None:
    box = page.get_by_role("textbox", name=re.compile("Search by meaning"))
    box.fill(query)
    box.press("Enter")
    wait_idle(page)


def test_share_find_review_notify_and_stay_private(
    app_url: str, app_data: Path, browser: Any, artifacts: Path
) -> None:
    # a learner in no cohort, added with the operator CLI to the running app's data folder
    env = {**os.environ, "COACHLAB_DATA_DIR": str(app_data)}
    coachlab = shutil.which("coachlab", path=str(Path(sys.executable).parent)) or "coachlab"
    subprocess.run(
        [coachlab, "user", "add", "outsider", "--role", "learner"],
        input="outsider-password-1\n",
        text=True,
        env=env,
        check=True,
        capture_output=True,
    )

    learner = _login(browser, app_url, "learner")
    learner.get_by_role("button", name="Start practising").click()
    learner.get_by_test_id("stChatInputTextArea").wait_for()
    for n, line in enumerate(["What would you like to get out of today?", SECRET_LINE], start=1):
        send_chat(learner, line, 2 * n + 1)
    learner.get_by_role("button", name="End session and see feedback").click()
    learner.get_by_role("heading", name="Debrief").wait_for()
    learner.get_by_role("tab", name=re.compile("export")).click()  # the debrief's share tab
    learner.get_by_role("heading", name="Share to the community library").wait_for()
    learner.get_by_role("textbox", name="Why it worked, or what to discuss").fill(
        "A reflection of overload that landed; ask Priya?"
    )
    learner.get_by_text("Preview — exactly what will be published").wait_for()
    wait_idle(learner)
    learner.get_by_text(re.compile(r"Coach:.*stretched thin")).wait_for()
    shown = learner.get_by_text(re.compile(r"Coach:.*stretched thin")).inner_text()
    assert "[EMAIL]" in shown and "[NAME]" in shown and "priya" not in shown.casefold()
    learner.get_by_text("I agree to publish this preview").click()
    learner.get_by_role("button", name="Publish").click()
    published = learner.get_by_text(re.compile(r"Published as library item #\d+"))
    item_id = re.search(r"#(\d+)", published.inner_text()).group(1)  # type: ignore[union-attr]
    learner.screenshot(path=str(artifacts / "library-01-shared.png"), full_page=True)

    peer = _login(browser, app_url, "peer")
    peer.get_by_role("heading", name="Community library").wait_for()
    _search(peer, PARAPHRASE)
    peer.get_by_text("stretched thin and unheard").first.wait_for()
    first = peer.get_by_text(re.compile(r"#\d+ · Anonymous · ")).first.inner_text()
    assert first.startswith(f"#{item_id} "), "the paraphrase ranks the shared exchange first"
    header = peer.get_by_text(re.compile(rf"#{item_id} · Anonymous · ")).first.inner_text()
    technique = header.split(" · ")[2].split(",")[0].strip()
    _search(peer, "")
    technique_box = peer.get_by_role("combobox", name=re.compile("Technique"))
    technique_box.click()
    peer.get_by_role("option", name=technique, exact=True).click()
    peer.get_by_role("heading", name="Community library").click()  # close the dropdown
    wait_idle(peer)
    peer.get_by_text("stretched thin and unheard").first.wait_for()
    peer.screenshot(path=str(artifacts / "library-02-found.png"), full_page=True)
    # open the item by its link (the page keeps the open item in the URL)
    peer.goto(f"{peer.url.split('?')[0]}?{peer.url.split('?')[1]}&item={item_id}")
    try:
        peer.get_by_role("heading", name=re.compile("Exchange #")).wait_for()
    except Exception:
        peer.screenshot(path=str(artifacts / "library-failed-open.png"), full_page=True)
        raise
    peer.get_by_role("textbox", name="Add a comment").fill("That reflection really landed.")
    peer.get_by_role("button", name="Post comment").click()
    peer.get_by_text("That reflection really landed.").first.wait_for()
    try:
        peer.get_by_role("button", name=re.compile("Helpful")).click()
    except Exception:
        peer.screenshot(path=str(artifacts / "library-failed-vote.png"), full_page=True)
        raise
    peer.get_by_role("button", name="Take back helpful vote").wait_for()
    peer.screenshot(path=str(artifacts / "library-03-reviewed.png"), full_page=True)
    peer.close()

    _library(learner)
    learner.get_by_role("tab", name="Notifications (1)").click()
    learner.get_by_text(re.compile("commented on your shared exchange")).first.wait_for()
    learner.screenshot(path=str(artifacts / "library-04-notified.png"), full_page=True)
    learner.close()

    outsider = _login(browser, app_url, "outsider", "outsider-password-1")
    outsider.get_by_role("heading", name="Practise a conversation").wait_for()
    _library(outsider)
    for query in (PARAPHRASE, "stretched thin and unheard", ""):
        _search(outsider, query)
        assert outsider.get_by_text("stretched thin and unheard").count() == 0
    outsider.screenshot(path=str(artifacts / "library-05-outsider.png"), full_page=True)
    outsider.close()
