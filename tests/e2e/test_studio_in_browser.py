"""Browser run of the facilitator studio: author and test-drive a scenario, write a rubric and
import another version of it from a file, calibrate it on three hand-scored transcripts, assign
the scenario to a cohort, and see the demo learner's attempt on the cohort dashboard."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.support.browser import send_chat, wait_idle

pytestmark = [pytest.mark.browser, pytest.mark.slow]

REPO = Path(__file__).resolve().parents[2]
STARTERS = REPO / "app" / "services" / "starters"
TRANSCRIPTS = (
    "Coach: What would you like from today?\nClient: Less stress.\n"
    "Coach: It sounds like you're stretched.\nClient: I am.",
    "Coach: Have you tried saying no?\nClient: Not really.\n"
    "Coach: You should talk to your boss.\nClient: Maybe.",
    "Coach: What matters most here?\nClient: My family.\n"
    "Coach: So time with them is what's at stake.\nClient: Yes.",
)


def _login(browser: Any, app_url: str, username: str) -> Any:
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    page.set_default_timeout(30_000)
    page.goto(app_url)
    page.get_by_role("textbox", name="Username").fill(username)
    page.get_by_role("textbox", name="Password").fill("coachlab-demo")
    page.get_by_role("button", name="Log in").click()
    return page


def _fill(page: Any, label: str, text: str) -> None:
    """Fill a Streamlit text widget and commit it (they commit on blur)."""
    box = page.get_by_label(label, exact=True)
    expect(box).to_have_count(1)  # a rerun can briefly show a stale copy of the widget
    box.fill(text)
    box.press("Tab")


def _choose(page: Any, label: str, option: str) -> None:
    page.get_by_label(label, exact=True).click()
    page.get_by_role("option", name=option).first.click()


def test_facilitator_studio_end_to_end(app_url: str, browser: Any, artifacts: Path) -> None:
    page = _login(browser, app_url, "facilitator")
    page.get_by_role("link", name="Scenario studio").click()
    page.get_by_role("heading", name="Scenario studio").wait_for()
    scenario = (STARTERS / "scenario.yaml").read_text(encoding="utf-8")
    scenario = scenario.replace("my-new-scenario", "late-reports").replace(
        '"A new conversation"', '"Late reports"'
    )
    _fill(page, "Scenario YAML", scenario)
    page.get_by_text("Learner's brief").wait_for()
    page.get_by_text("No problems found.").first.wait_for()

    page.get_by_role("button", name="Start test drive").click()
    page.get_by_test_id("stChatInputTextArea").wait_for()
    send_chat(page, "What's been happening for you lately?", 3)
    page.get_by_text("Layers earned: the_fact").wait_for()
    page.screenshot(path=str(artifacts / "studio-01-scenario.png"), full_page=True)
    page.get_by_role("button", name="Save new version").click()
    page.get_by_text("Saved late-reports version 1.").wait_for()
    page.get_by_role("button", name="Publish").click()
    page.get_by_text("Learners can practise this scenario.").wait_for()

    page.get_by_role("link", name="Rubric studio").click()
    page.get_by_role("heading", name="Rubric studio").wait_for()
    rubric = (STARTERS / "rubric.yaml").read_text(encoding="utf-8")
    _fill(page, "Rubric YAML", rubric.replace("my-new-rubric", "team-rubric"))
    page.get_by_text("No problems found.").first.wait_for()
    _fill(page, "…or paste one (Coach: … / Client: … lines)", TRANSCRIPTS[0])
    page.get_by_role("button", name="Try rubric").click()
    page.get_by_test_id("stMetric").first.wait_for()
    page.get_by_role("button", name="Save new version").click()
    page.get_by_text("Saved team-rubric version 1.").wait_for()
    wait_idle(page)
    imported = rubric.replace("my-new-rubric", "team-rubric").replace("version: 1", "version: 3")
    uploader = page.get_by_test_id("stFileUploader").filter(has_text="Import a rubric file")
    expect(uploader).to_contain_text("2MB per file")  # .streamlit/config.toml bounds uploads
    uploader.locator("input[type=file]").set_input_files(
        files=[{"name": "team.yaml", "mimeType": "text/yaml", "buffer": imported.encode()}]
    )
    page.get_by_role("button", name="Import as a new version").click()
    page.get_by_text("Imported team-rubric version 3.").wait_for()
    expect(page.get_by_label("Rubric", exact=True)).to_have_value(re.compile(r"\(v3\)$"))
    page.screenshot(path=str(artifacts / "studio-02-rubric.png"), full_page=True)

    page.get_by_role("link", name="Calibration").click()
    page.get_by_role("heading", name="Calibration").wait_for()
    _fill(page, "Set name", "Pilot")
    _choose(page, "Rubric", "team-rubric")
    for n, transcript in enumerate(TRANSCRIPTS, start=1):
        _fill(page, "Title", f"Transcript {n}")
        _fill(page, "…or paste it (Coach: … / Client: … lines)", transcript)
        page.get_by_role("button", name="Add hand-scored transcript").click()
        page.get_by_text(f"{n} transcript(s)").wait_for()
    page.get_by_role("heading", name="Disagreements").wait_for()
    wait_idle(page)  # the rerun the click started would re-render the dropdown
    page.screenshot(path=str(artifacts / "studio-03-calibration.png"), full_page=True)

    page.get_by_role("link", name="Cohorts").click()
    page.get_by_role("heading", name="Cohorts").wait_for()
    page.get_by_text("New cohort").click()
    _fill(page, "Cohort name", "Spring")
    page.get_by_role("button", name="Create cohort").click()
    wait_idle(page)  # the rerun the click started would re-render the dropdown
    _choose(page, "Cohort", "Spring")
    expect(page.get_by_role("button", name="Remove")).to_have_count(0)
    page.get_by_role("button", name="Add learner").click()
    expect(page.get_by_role("button", name="Remove")).to_have_count(1)
    page.get_by_role("tab", name="Assignments").click()
    _choose(page, "Scenario", "Late reports")
    page.get_by_label("Pass threshold (0–100)").fill("0")
    page.get_by_label("Pass threshold (0–100)").press("Enter")
    page.get_by_role("button", name="Assign").click()
    page.get_by_text("Assigned.").wait_for()

    learner = _login(browser, app_url, "learner")
    learner.get_by_role("heading", name="Practise a conversation").wait_for()
    _choose(learner, "Scenario", "Late reports · difficulty 2")
    learner.get_by_role("button", name="Start practising").click()
    learner.get_by_test_id("stChatInputTextArea").wait_for()
    send_chat(learner, "What's been happening for you lately?", 3)
    learner.get_by_role("button", name="End session and see feedback").click()
    learner.get_by_role("heading", name="Debrief").wait_for()
    learner.close()

    page.get_by_role("link", name="Calibration").click()  # leave and come back: a fresh run
    page.get_by_role("heading", name="Calibration").wait_for()
    page.get_by_role("link", name="Cohorts").click()
    try:
        page.get_by_role("heading", name="Cohorts").wait_for()
        page.get_by_role("tab", name="Dashboard").click()
        page.get_by_text("1 of 1 completed, 1 passed").wait_for()
        page.get_by_test_id("stVegaLiteChart").first.wait_for()
    except Exception:
        page.screenshot(path=str(artifacts / "studio-failed-dashboard.png"), full_page=True)
        raise
    page.screenshot(path=str(artifacts / "studio-04-dashboard.png"), full_page=True)
    page.close()
