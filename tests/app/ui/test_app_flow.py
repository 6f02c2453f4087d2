"""The real Streamlit app under AppTest: login, role-based pages, practice, reload, scorecard."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from app.bootstrap import build_services
from app.services.principal import Principal, Role
from app.settings import Settings

APP = str(Path(__file__).resolve().parents[3] / "streamlit_app.py")
PASSWORD = "correct-horse-battery"


@pytest.fixture
def app_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    data = tmp_path / "data"
    monkeypatch.setenv("COACHLAB_DATA_DIR", str(data))
    monkeypatch.delenv("COACHLAB_DATABASE_URL", raising=False)
    monkeypatch.setenv("COACHLAB_LLM_PROVIDER", "offline")
    services = build_services(Settings(data_dir=data))
    services.prepare()
    for name, role in (("lee", Role.LEARNER), ("pat", Role.PEER), ("fran", Role.FACILITATOR)):
        services.accounts.create_user(Principal.system(), name, PASSWORD, {role})
    services.close()
    return data


def _login(at: AppTest, username: str, password: str = PASSWORD) -> AppTest:
    at.run()
    at.text_input[0].input(username)
    at.text_input[1].input(password)
    at.button[0].click()
    return at.run()


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
