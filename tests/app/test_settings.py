"""Settings: environment prefix, defaults and the Streamlit secrets mapping."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.settings import Settings, settings_from_mapping


def test_defaults_are_offline_and_embedded(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("COACHLAB_DATA_DIR", "COACHLAB_DATABASE_URL", "COACHLAB_LLM_PROVIDER"):
        monkeypatch.delenv(name, raising=False)
    settings = Settings()
    assert settings.llm_provider == "offline"
    assert settings.embedder == "minilm"
    assert settings.data_dir == Path("./data")
    assert settings.resolved_database_url.startswith("sqlite:///")
    assert settings.resolved_database_url.endswith("data/coachlab.db")


def test_environment_overrides(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("COACHLAB_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("COACHLAB_DATABASE_URL", "postgresql+psycopg://u@127.0.0.1/test")
    monkeypatch.setenv("COACHLAB_LLM_PROVIDER", "openai")
    monkeypatch.setenv("OPENAI_API_KEY", "sk-test")
    monkeypatch.setenv("OPENAI_BASE_URL", "http://127.0.0.1:9/v1")
    monkeypatch.setenv("COACHLAB_LLM_MODEL", "tiny")
    settings = Settings()
    assert settings.data_dir == tmp_path
    assert settings.resolved_database_url == "postgresql+psycopg://u@127.0.0.1/test"
    assert settings.llm_provider == "openai"
    assert settings.llm_api_key() == "sk-test"
    assert settings.openai_base_url == "http://127.0.0.1:9/v1"
    assert settings.llm_model == "tiny"
    assert "sk-test" not in repr(settings)


def test_invalid_provider_is_rejected(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COACHLAB_LLM_PROVIDER", "magic")
    with pytest.raises(ValueError, match="llm_provider"):
        Settings()


def test_secrets_map_into_the_same_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    secrets = {
        "OPENAI_API_KEY": "sk-secret",
        "coachlab": {"llm_provider": "openai", "COACHLAB_LLM_MODEL": "m1"},
        "unrelated": "ignored",
    }
    settings = settings_from_mapping(secrets, data_dir="/tmp/x")
    assert settings.llm_provider == "openai"
    assert settings.llm_model == "m1"
    assert settings.llm_api_key() == "sk-secret"
    assert settings.data_dir == Path("/tmp/x")


def test_portable_json_keeps_the_secret(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", "sk-real")
    monkeypatch.setenv("COACHLAB_LLM_PROVIDER", "openai")
    settings = Settings(data_dir=Path("/tmp/p"))
    monkeypatch.setenv("OPENAI_API_KEY", "sk-other")  # the copy must not read the environment
    copy = Settings.from_portable_json(settings.to_portable_json())
    assert copy == settings and copy.llm_api_key() == "sk-real"
