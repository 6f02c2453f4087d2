"""The facilitator studio under AppTest, on the real pages and services: author a scenario from
scratch, test-drive it, write a rubric, calibrate it on three hand-scored transcripts, assign the
scenario to a cohort and see a learner's attempt on the dashboard."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from app.bootstrap import build_services
from app.services.principal import Role
from app.settings import Settings
from tests.builders import PASSWORD
from tests.support.apptest import log_in, prepared, use_app_env

TRANSCRIPTS = (
    "Coach: What would you like from today?\nClient: Less stress.\n"
    "Coach: It sounds like you're stretched.\nClient: I am.\n",
    "Coach: Have you tried saying no?\nClient: Not really.\n"
    "Coach: You should talk to your boss.\nClient: Maybe.\n",
    "Coach: What matters most here?\nClient: My family.\n"
    "Coach: So time with them is what's at stake.\nClient: Yes.\n",
)


@pytest.fixture
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The app on a fresh data folder with a facilitator and a learner."""
    settings = use_app_env(monkeypatch, tmp_path / "data", embedder="hashing")
    prepared(settings, [("fran", [Role.FACILITATOR]), ("lee", [Role.LEARNER])]).close()
    return settings.data_dir


def _open(page: str, username: str = "fran") -> AppTest:
    """Run one studio page as ``username`` (the entry point's navigation is tested separately)."""
    services = build_services(Settings(embedder="hashing"))
    principal = services.accounts.authenticate(username, PASSWORD)
    services.close()
    at = AppTest.from_function(_page, args=(page,), default_timeout=90)
    at.session_state["principal"] = principal
    return at.run()


def _page(name: str) -> None:
    import importlib

    importlib.import_module(f"app.ui.{name}").render()


def _errors(at: AppTest) -> list[str]:
    return [e.value.replace("\\", "") for e in at.error]


def _text(at: AppTest) -> str:
    parts = [m.value for m in at.markdown] + [e.value for e in at.error]
    shown = [*parts, *(s.value for s in at.success), *(c.value for c in at.caption)]
    return "\n".join(shown).replace("\\", "")  # drop plain()'s Markdown escapes


def test_facilitator_sees_the_studio_in_the_navigation(data_dir: Path) -> None:
    at = log_in("fran", timeout=90)
    assert not at.exception
    assert at.title[0].value == "Scenarios and rubrics"  # the overview, with reported replies


def test_studio_from_scenario_to_dashboard(data_dir: Path) -> None:
    # 1. author a scenario from scratch, with live validation and the brief preview
    at = _open("studio_scenarios")
    assert not at.exception and at.title[0].value == "Scenario studio"
    draft = at.text_area(key="studio_scenario_yaml").value
    draft = draft.replace("my-new-scenario", "late-reports").replace(
        '"A new conversation"', '"Late reports"'
    )
    at.text_area(key="studio_scenario_yaml").input(draft.replace("difficulty: 2", "difficulty: 9"))
    at.run()
    line = draft.splitlines().index("difficulty: 2") + 1
    assert any(f"line {line} · difficulty: must be at most 5" in e for e in _errors(at))
    at.text_area(key="studio_scenario_yaml").input(draft).run()
    assert not at.error and "Learner's brief" in [s.value for s in at.subheader]
    assert "Late reports" in _text(at)

    # 2. test-drive the persona: nothing is stored
    at.button(key="drive-start").click().run()
    assert len(at.chat_message) == 1
    at.chat_input[0].set_value("What's been happening for you lately?").run()
    assert not at.exception and len(at.chat_message) == 3
    assert "Layers earned: the_fact" in _text(at)
    assert [e.label for e in at.expander] == ["Why this reply"]  # the engine's trace, for authors

    # 3. save and publish
    at.button(key="save-scenario").click().run()
    assert not at.exception and "Saved late-reports version 1." in _text(at)
    assert "Draft: hidden from learners." in _text(at)
    at.button(key="publish-toggle").click().run()
    assert "Learners can practise this scenario." in _text(at)

    # 4. write a rubric and try it on a pasted transcript
    at = _open("studio_rubrics")
    assert not at.exception
    text = at.text_area(key="studio_rubric_yaml").value.replace("my-new-rubric", "team-rubric")
    at.text_area(key="studio_rubric_yaml").input(text.replace("weight: 50", "weight: 0", 1)).run()
    assert any("criteria[0].weight: must be more than 0" in e for e in _errors(at))
    at.text_area(key="studio_rubric_yaml").input(text).run()
    at.text_area(key="try-text").input(TRANSCRIPTS[0])
    at.button(key="try-rubric").click().run()
    assert not at.exception and [m.label for m in at.metric] == ["Overall"]
    at.button(key="save-rubric").click().run()
    assert "Saved team-rubric version 1." in _text(at)

    # 5. calibrate it against three hand-scored transcripts
    at = _open("calibration")
    at.text_input(key="calibration-new-name").input("Pilot")
    at.selectbox(key="calibration-rubric").set_value("team-rubric")
    at.run()
    for n, transcript in enumerate(TRANSCRIPTS, start=1):
        at.text_input(key="calibration-title").input(f"Transcript {n}")
        at.text_area(key="cal-text").input(transcript)
        at.slider(key="hand-open-questions").set_value(5 if n != 2 else 1)
        at.slider(key="hand-listening").set_value(n)
        at.button(key="add-item").click().run()
        assert not at.exception and not at.error
    assert at.selectbox(key="calibration-set").value == "Pilot"
    assert "3 transcript(s)" in _text(at)
    assert any("Agreement with the engine" in s.value for s in at.subheader)
    table = at.dataframe[0].value
    assert list(table["transcripts"]) == [3, 3]
    assert {"exact", "within one level", "weighted kappa"} <= set(table.columns)
    assert [m.label for m in at.metric][:2] == ["Your level", "Engine level"]

    # 6. assign the scenario to a cohort; the learner practises; the dashboard shows it
    at = _open("cohorts")
    at.text_input(key="cohort-name").input("Spring")
    at.button(key="create-cohort").click().run()
    assert at.selectbox(key="cohort-choice").value is not None
    at.button(key="add-member").click().run()
    assert "lee" in _text(at)
    at.selectbox(key="assign-scenario").set_value("late-reports")
    at.number_input(key="assign-threshold").set_value(0)
    at.button(key="assign").click().run()
    assert not at.exception and "Assigned." in _text(at)
    assert "0 of 1 completed" in _text(at)

    services = build_services(Settings(embedder="hashing"))
    lee = services.accounts.authenticate("lee", PASSWORD)
    session = services.practice.start(lee, "late-reports", seed=1)
    services.practice.send(lee, session.id, "What's been happening for you lately?")
    services.practice.end(lee, session.id)
    services.close()

    at.run()
    assert not at.exception
    assert "1 of 1 completed, 1 passed (lee)" in _text(at)
    board = at.dataframe[0].value
    assert list(board["learner"]) == ["lee"] and board["overall"][0] >= 0
    assert "open-questions" in board.columns
    assert len(at.get("vega_lite_chart")) == 2, "the heatmap and the trend chart render"


def test_uploads_page_needs_consent(data_dir: Path) -> None:
    at = _open("uploads")
    at.text_input(key="upload-title").input("Dana")
    at.text_area(key="upload-text").input(TRANSCRIPTS[0])
    at.button(key="upload").click().run()
    assert any("agreed" in e for e in _errors(at))
    at.checkbox(key="upload-consent").check()
    at.button(key="upload").click().run()
    assert not at.exception and "Scored and saved." in _text(at)
    assert any("Dana" in e.label for e in at.expander)
