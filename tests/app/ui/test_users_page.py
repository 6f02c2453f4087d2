"""The administrators' Users page under AppTest: list, add, deactivate and reactivate."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from app.bootstrap import build_services
from app.services.errors import AuthenticationFailed
from app.services.principal import Principal, Role
from app.settings import Settings
from tests.builders import PASSWORD
from tests.support.apptest import prepared, use_app_env


@pytest.fixture
def admin(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Principal:
    """An administrator and a learner on the app's data folder; returns the administrator."""
    settings = use_app_env(monkeypatch, tmp_path / "data", embedder="hashing")
    services = prepared(settings, [("ada", [Role.ADMIN]), ("lee", [Role.LEARNER])])
    principal = services.accounts.authenticate("ada", PASSWORD)
    services.close()
    return principal


def _users_page() -> None:
    from app.ui import users

    users.render()


def _open(principal: Principal) -> AppTest:
    at = AppTest.from_function(_users_page, default_timeout=60)
    at.session_state["principal"] = principal
    return at.run()


def _texts(at: AppTest) -> str:
    return "\n".join(m.value for m in at.markdown)


def test_admin_deactivates_and_reactivates_a_user(admin: Principal) -> None:
    at = _open(admin)
    assert not at.exception
    assert "`lee`" in _texts(at) and "`ada`" in _texts(at)
    labels = [b.label for b in at.button]
    assert labels.count("Deactivate") == 1, "no button to lock yourself out"
    at.button[labels.index("Deactivate")].click().run()
    assert "deactivated" in _texts(at)
    services = build_services(Settings())
    try:
        with pytest.raises(AuthenticationFailed):
            services.accounts.authenticate("lee", PASSWORD)
        at.button[[b.label for b in at.button].index("Reactivate")].click().run()
        assert services.accounts.authenticate("lee", PASSWORD).username == "lee"
    finally:
        services.close()


def test_admin_adds_a_user_and_bad_input_is_explained(admin: Principal) -> None:
    at = _open(admin)
    at.text_input[0].input("sam")
    at.text_input[1].input("short")
    at.button[[b.label for b in at.button].index("Add user")].click().run()
    assert any("Password must be" in e.value for e in at.error)
    at.text_input[0].input("sam")
    at.text_input[1].input("a-long-enough-password")
    at.button[[b.label for b in at.button].index("Add user")].click().run()
    assert any("Added sam" in s.value for s in at.success)
    assert "`sam`" in _texts(at)
