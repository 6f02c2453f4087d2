"""Running the real Streamlit app under AppTest: its environment, its users, a logged-in page."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from app.bootstrap import Services, build_services
from app.services.principal import Principal, Role
from app.settings import Settings
from tests.builders import PASSWORD

APP = str(Path(__file__).resolve().parents[2] / "streamlit_app.py")


def use_app_env(
    monkeypatch: pytest.MonkeyPatch, data_dir: Path, *, embedder: str = "minilm", **env: str
) -> Settings:
    """Point the app's environment at ``data_dir``, offline, SQLite; return the same settings.

    ``env`` adds ``COACHLAB_*`` variables by their lowercase suffix (``content_dir="…"``).
    """
    monkeypatch.setenv("COACHLAB_DATA_DIR", str(data_dir))
    monkeypatch.setenv("COACHLAB_EMBEDDER", embedder)
    monkeypatch.setenv("COACHLAB_LLM_PROVIDER", "offline")
    monkeypatch.delenv("COACHLAB_DATABASE_URL", raising=False)
    for key, value in env.items():
        monkeypatch.setenv(f"COACHLAB_{key.upper()}", value)
    return Settings()


def prepared(settings: Settings, users: Iterable[tuple[str, Iterable[Role]]] = ()) -> Services:
    """Services on ``settings`` with the schema, built-in content and ``users`` (PASSWORD)."""
    services = build_services(settings)
    services.prepare()
    for name, roles in users:
        services.accounts.create_user(Principal.system(), name, PASSWORD, set(roles))
    return services


def log_in(
    username: str, password: str = PASSWORD, *, timeout: float = 60, at: AppTest | None = None
) -> AppTest:
    """Open the app (or run ``at``) and log in through the real login form."""
    at = at or AppTest.from_file(APP, default_timeout=timeout)
    at.run()
    at.text_input[0].input(username)
    at.text_input[1].input(password)
    at.button[0].click()
    return at.run()
