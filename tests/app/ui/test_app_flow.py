"""The real Streamlit app under AppTest: login, role-based pages, practice, reload, scorecard."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from app.services.principal import Principal, Role
from app.settings import Settings
from tests.builders import PASSWORD
from tests.support.apptest import APP, log_in, prepared, use_app_env


@pytest.fixture
def app_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The app on a fresh data folder with a learner, a peer and a facilitator."""
    settings = use_app_env(monkeypatch, tmp_path / "data")
    users = (("lee", [Role.LEARNER]), ("pat", [Role.PEER]), ("fran", [Role.FACILITATOR]))
    prepared(settings, users).close()
    return settings.data_dir


def _login(at: AppTest, username: str, password: str = PASSWORD) -> AppTest:
    return log_in(username, password, at=at)


def _new_app() -> AppTest:
    return AppTest.from_file(APP, default_timeout=60)


def test_wrong_password_shows_an_error(app_env: Path) -> None:
    at = _login(_new_app(), "lee", "not-the-password")
    assert not at.exception
    assert any("Wrong username or password" in e.value for e in at.error)


def test_learner_practises_and_gets_a_scorecard(app_env: Path) -> None:
    at = _login(_new_app(), "lee")
    assert not at.exception
    assert at.title[0].value == "Practise a conversation"
    at.button(key="start").click().run()
    assert not at.exception
    assert len(at.chat_message) == 1  # the persona's opening line
    for line in (
        "What would you like to get out of today?",
        "It sounds like the workload is wearing you down. What's behind that?",
    ):
        at.chat_input[0].set_value(line).run()
        assert not at.exception
    assert len(at.chat_message) == 5
    assert at.chat_message[1].markdown[0].value.startswith("What would you like")

    # a reload (a fresh browser session with the same URL) keeps login and conversation
    reloaded = _new_app()
    reloaded.query_params.update(at.query_params)
    reloaded.run()
    assert not reloaded.exception
    assert len(reloaded.chat_message) == 5

    at.button(key="end").click().run()
    assert not at.exception
    assert at.title[0].value == "Debrief"
    assert any(m.label == "Overall" for m in at.metric)
    assert at.expander, "criteria are listed"
    assert any("What was really going on" in h.value for h in at.subheader)


def test_pages_depend_on_role(app_env: Path) -> None:
    peer = _login(_new_app(), "pat")
    assert not peer.exception
    assert peer.title[0].value == "Community library"
    facilitator = _login(_new_app(), "fran")
    assert not facilitator.exception
    assert facilitator.title[0].value == "Scenarios and rubrics"


def test_user_text_is_never_rendered_as_html(app_env: Path) -> None:
    at = _login(_new_app(), "lee")
    at.button(key="start").click().run()
    at.chat_input[0].set_value("<img src=x onerror=alert(1)> **bold** [link](http://x)").run()
    shown = at.chat_message[1].markdown[0].value
    assert "\\<img" in shown and "\\*\\*bold\\*\\*" in shown and "\\[link\\]" in shown


def test_a_deactivated_user_is_logged_out_at_the_next_click(app_env: Path) -> None:
    at = _login(_new_app(), "lee")
    assert at.title[0].value == "Practise a conversation"
    services = prepared(Settings(data_dir=app_env))
    services.accounts.set_active(Principal.system(), "lee", False)
    services.close()
    at.run()
    assert not at.exception
    assert at.button[0].label == "Log in", "back on the login page"
    assert "auth" not in at.query_params
