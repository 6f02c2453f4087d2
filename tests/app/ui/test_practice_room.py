"""The practice room under AppTest: catalogue, conversation, nudges, rewind, debrief, progress."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from app.bootstrap import Services
from app.services.principal import Principal, Role
from tests.app.services.practice_helpers import LINES, make_assessment, play
from tests.builders import PASSWORD
from tests.support.apptest import log_in, prepared, use_app_env

CLOSED = ["Is it the reports?", "Is it your boss?", "Do you sleep enough?"]


@pytest.fixture
def room(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[Services, Principal]]:
    """Services on the app's data folder (to arrange sessions fast) and the learner 'lee'."""
    settings = use_app_env(monkeypatch, tmp_path / "data")
    services = prepared(settings, [("lee", [Role.LEARNER])])
    yield services, services.accounts.authenticate("lee", PASSWORD)
    services.close()


def _app(**params: str | int) -> AppTest:
    at = log_in("lee", timeout=90)
    for key, value in params.items():
        at.query_params[key] = str(value)
    if params:
        at.run()
    assert not at.exception
    return at


def _progress_page() -> None:
    from app.ui import progress

    progress.render()


def _progress(principal: Principal) -> AppTest:
    at = AppTest.from_function(_progress_page, default_timeout=90)
    at.session_state["principal"] = principal
    return at.run()


def test_catalogue_filters_recommends_and_starts_private(
    room: tuple[Services, Principal],
) -> None:
    services, lee = room
    at = _app()
    assert any(h.value == "Recommended next" for h in at.subheader)
    everything = len(at.selectbox(key="scenario").options)
    at.selectbox(key="filter_context").select("peer").run()
    peers = at.selectbox(key="scenario").options
    assert 0 < len(peers) < everything
    at.text_input(key="filter_skill").input("no such skill").run()
    assert any("No scenario matches" in w.value for w in at.warning)
    at.text_input(key="filter_skill").input("").run()
    at.checkbox(key="private").check().run()
    at.button(key="start").click().run()
    assert not at.exception
    session = int(at.query_params["session"][0])
    assert services.practice.get(lee, session).private_mode
    assert at.toggle(key=f"private-{session}").value


def test_nudges_show_switch_off_and_vanish_in_assessments(
    room: tuple[Services, Principal],
) -> None:
    services, lee = room
    session = play(services, lee, CLOSED)
    at = _app(session=session)
    assert any("closed questions in a row" in i.value for i in at.info)
    at.toggle(key=f"nudges-{session}").set_value(False).run()
    assert not any("closed questions" in i.value for i in at.info)
    assert not services.room.options.options(lee, session).nudges_on

    assessed = play(services, lee, CLOSED)
    make_assessment(services, assessed)
    at = _app(session=assessed)
    assert not any("closed questions" in i.value for i in at.info)
    assert not [t for t in at.toggle if t.key == f"nudges-{assessed}"]
    assert any("Assessment" in c.value for c in at.caption)


def test_rewind_branches_and_both_lines_are_kept(room: tuple[Services, Principal]) -> None:
    services, lee = room
    session = play(services, lee, LINES)
    at = _app(session=session)
    assert len(at.chat_message) == 9
    at.selectbox(key=f"rewind_at-{session}-9").select(4).run()
    at.button(key="branch").click().run()
    assert not at.exception
    branch = int(at.query_params["session"][0])
    assert branch != session
    assert len(at.chat_message) == 5
    assert any(f"branch of session {session}" in c.value for c in at.caption)
    at.chat_input[0].set_value("What would you like to be different by Friday?").run()
    assert not at.exception
    assert len(at.chat_message) == 7
    assert len(services.practice.get(lee, session).turns) == 9


def test_debrief_shows_annotations_layers_exports_and_deletes(
    room: tuple[Services, Principal],
) -> None:
    services, lee = room
    session = play(services, lee, [*LINES, "Is it the reports?"])
    at = _app(session=session)
    at.button(key="end").click().run()
    assert not at.exception
    assert at.title[0].value == "Debrief"
    assert [t.label for t in at.tabs] == [
        "Scorecard",
        "Transcript",
        "What was hidden",
        "Replay, export, delete",
    ]
    assert any(m.label == "Overall" and "/ 100" in m.value for m in at.metric)
    markdown = [m.value for m in at.markdown]
    assert any(v.startswith("> [Turn ") for v in markdown), "evidence links to turns"
    assert "###### Turn 1" in markdown
    assert any("GROW · GOAL" in v and "open question" in v for v in markdown)
    assert any(v.startswith("🔓 This turn earned") for v in markdown)
    assert any("Layers that stayed locked" in v for v in markdown)
    assert any(i.value.startswith("**Try instead:**") for i in at.info)
    labels = [b.label for b in at.get("download_button")]
    assert labels == ["Download Markdown", "Download JSON"]

    at.checkbox(key="confirm_delete").check().run()
    at.button(key="delete").click().run()
    assert not at.exception
    assert services.practice.list_sessions(lee) == []
    assert any("End a practice session" in i.value for i in at.info)


def test_private_debrief_has_no_numbers(room: tuple[Services, Principal]) -> None:
    services, lee = room
    view = services.practice.start(lee, "workload-delegation", seed=3, private_mode=True)
    services.practice.send(lee, view.id, LINES[0])
    at = _app(session=view.id)
    at.button(key="end").click().run()
    assert not at.exception and at.title[0].value == "Debrief"
    overall = next(m for m in at.metric if m.label == "Overall")
    assert overall.value == "hidden"
    assert all(" of 5 (" not in e.label for e in at.expander), "levels without scores"
    assert any(" of 5" in e.label for e in at.expander)


def test_progress_goals_trends_and_comparison(room: tuple[Services, Principal]) -> None:
    services, lee = room
    at = _progress(lee)
    assert any("No sessions yet" in i.value for i in at.info)

    parent = play(services, lee, LINES)
    services.practice.end(lee, parent)
    branch = services.room.branching.branch(lee, parent, 2)
    services.practice.send(lee, branch, "What would a good week look like?")
    services.practice.end(lee, branch)
    at = _progress(lee)
    assert not at.exception
    assert at.title[0].value == "Progress"
    assert len(at.dataframe) == 2, "the sessions table and the comparison table"
    assert at.get("vega_lite_chart"), "the trend chart"
    assert any("share the first 3 turns" in m.value for m in at.markdown)

    at.text_input[0].input("Ask one question at a time")
    at.button[0].click().run()
    (goal,) = services.room.progress.goals(lee)
    assert goal.text == "Ask one question at a time"
    at.checkbox(key=f"goal-{goal.id}").check().run()
    assert services.room.progress.goals(lee)[0].done
    at.button(key=f"goal-delete-{goal.id}").click().run()
    assert services.room.progress.goals(lee) == []
