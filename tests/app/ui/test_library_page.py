"""The library page and the share panel under AppTest, on the real app and services."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from app.bootstrap import build_services
from app.services.library import ImportItem
from app.services.principal import Principal, Role
from app.settings import Settings
from tests.builders import PASSWORD
from tests.support.apptest import log_in, prepared, use_app_env


@pytest.fixture
def app_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The app with a cohort (lee, pat, fran), an outsider (oz) and one shared exchange."""
    settings = use_app_env(monkeypatch, tmp_path / "data", embedder="hashing")
    users = (
        ("lee", [Role.LEARNER]),
        ("pat", [Role.PEER]),
        ("oz", [Role.PEER]),
        ("fran", [Role.FACILITATOR]),
    )
    services = prepared(settings, users)
    services.curation.ensure_cohort(Principal.system(), "Spring", ["lee", "pat", "fran"])
    lee = services.accounts.authenticate("lee", PASSWORD)
    services.library.import_exchanges(
        lee,
        [
            ImportItem(
                "It sounds like you're carrying the whole team <img src=x onerror=alert(1)>",
                "I'm exhausted.",
                note="A reflection that landed",
            )
        ],
    )
    services.close()
    return settings.data_dir


def _login(username: str) -> AppTest:
    return log_in(username)


def _texts(at: AppTest) -> str:
    return "\n".join(m.value for m in at.markdown)


def test_a_peer_lands_in_the_library_finds_comments_and_votes(app_env: Path) -> None:
    at = _login("pat")
    assert not at.exception
    assert at.title[0].value == "Community library"
    at.text_input(key="lib_query").input("carrying the team").run()
    assert "carrying the whole team" in _texts(at)
    assert "\\<img" in _texts(at), "user text is escaped, never HTML"
    at.button(key="open_search_1").click().run()
    assert at.subheader[0].value.startswith("Exchange #1")
    at.text_area(key="lib_comment").input("That reflection landed well.")
    at.button[[b.label for b in at.button].index("Post comment")].click().run()
    assert not at.exception
    assert "That reflection landed well" in _texts(at)
    at.button(key="lib_vote").click().run()
    assert any(m.label == "Helpful" and m.value == "1" for m in at.metric)

    services = build_services(Settings(data_dir=app_env, embedder="hashing"))
    lee = services.accounts.authenticate("lee", PASSWORD)
    notes = services.reviews.notifications(lee, unread_only=True)
    services.close()
    assert [n.text for n in notes] == [
        "pat commented on your shared exchange: That reflection landed well."
    ]


def test_outside_the_cohort_nothing_shows(app_env: Path) -> None:
    at = _login("oz")
    at.text_input(key="lib_query").input("carrying the team").run()
    assert not at.exception
    assert "carrying" not in _texts(at)
    assert any("Nothing found" in i.value for i in at.info)


def _share_script(session_id: int) -> None:
    from app.ui.share import render_share_panel

    render_share_panel(session_id)


def test_share_panel_previews_redaction_and_needs_consent(app_env: Path) -> None:
    services = build_services(Settings(data_dir=app_env, embedder="hashing"))
    lee = services.accounts.authenticate("lee", PASSWORD)
    view = services.practice.start(lee, "workload-delegation", seed=1)
    services.practice.send(lee, view.id, "Did my manager Priya email priya@acme.com about it?")
    services.close()

    at = AppTest.from_function(_share_script, args=(view.id,), default_timeout=60)
    at.session_state["principal"] = lee
    at.run()
    assert not at.exception
    preview = _texts(at)
    assert "\\[EMAIL\\]" in preview and "Priya" not in preview.split("Redacted")[0]
    publish = at.button(key=f"share_{view.id}_publish")
    assert publish.disabled
    at.text_area(key=f"share_{view.id}_note").input("Call me on 07700 900123").run()
    assert "\\[PHONE\\]" in _texts(at)
    at.checkbox(key=f"share_{view.id}_consent").check().run()
    at.button(key=f"share_{view.id}_publish").click().run()
    assert not at.exception
    assert any("Published as library item" in s.value for s in at.success)
