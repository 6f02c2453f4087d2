"""Typed settings for CoachLab: one pydantic-settings class, read from the environment.

Every knob lives here with a description; the composition root builds one instance and passes it on.
Streamlit secrets are mapped into the same fields by ``settings_from_mapping`` — the only place that
knows about them.  Nothing here has side effects at import time.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Literal

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    """All CoachLab configuration (environment prefix ``COACHLAB_``)."""

    model_config = SettingsConfigDict(env_prefix="COACHLAB_", extra="ignore", frozen=True)

    data_dir: Path = Field(
        default=Path("./data"),
        description="Folder for the SQLite database and the on-disk Chroma index.",
    )
    database_url: str | None = Field(
        default=None,
        description="SQLAlchemy URL overriding the SQLite default, e.g. postgresql+psycopg://...",
    )
    llm_provider: Literal["offline", "openai"] = Field(
        default="offline",
        description="Persona and judge engine: the deterministic offline engine or an "
        "OpenAI-compatible chat endpoint.",
    )
    llm_model: str = Field(
        default="gpt-4o-mini", description="Chat model name for the openai provider."
    )
    llm_timeout_s: float = Field(
        default=30.0, gt=0, description="Per-request LLM timeout, seconds."
    )
    llm_max_retries: int = Field(
        default=3, ge=0, le=10, description="Retries on timeouts, 429, 5xx."
    )
    openai_api_key: SecretStr | None = Field(
        default=None,
        validation_alias="OPENAI_API_KEY",
        description="API key for the OpenAI-compatible endpoint (read from OPENAI_API_KEY).",
    )
    openai_base_url: str | None = Field(
        default=None,
        validation_alias="OPENAI_BASE_URL",
        description="Base URL of any OpenAI-compatible server (read from OPENAI_BASE_URL).",
    )
    embedder: Literal["minilm", "minilm-int8", "hashing", "openai"] = Field(
        default="minilm",
        description="Sentence embedder: the bundled all-MiniLM-L6-v2 (offline, float32), the same "
        "model quantised to int8 (offline, ~2.5x faster, slightly different vectors; needs a CPU "
        "with AVX-512 VNNI or AVX-VNNI), a hashing embedder (tests, tiny installs) or OpenAI "
        "embeddings.",
    )
    openai_embedding_model: str = Field(
        default="text-embedding-3-small", description="Embedding model for embedder=openai."
    )
    embedder_threads: int = Field(
        default=0,
        ge=0,
        le=64,
        description="Threads the bundled embedder spreads a large batch over; 0 means one per "
        "core (at most 4).",
    )
    chroma_host: str | None = Field(
        default=None, description="Chroma server host; unset means the on-disk index in data_dir."
    )
    chroma_port: int = Field(default=8000, ge=1, le=65535, description="Chroma server port.")
    chroma_collection: str = Field(
        default="library_exchanges",
        pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]{1,61}[A-Za-z0-9]$",
        description="Chroma collection of the library (one per CoachLab instance on a shared "
        "Chroma server).",
    )
    max_message_chars: int = Field(
        default=2000, ge=100, le=20000, description="Longest learner message accepted."
    )
    messages_per_minute: int = Field(
        default=30, ge=1, le=10000, description="Most learner messages one user may send a minute."
    )

    content_dir: Path | None = Field(
        default=None,
        description="Folder of the organisation's own scenario and rubric files "
        "(scenarios/*.yaml, rubrics/*.yaml), stored at start-up after the built-in ones; a file "
        "that does not load is skipped and reported to facilitators and in the log.",
    )

    @field_validator("database_url")
    @classmethod
    def _blank_is_none(cls, value: str | None) -> str | None:
        return value or None

    @field_validator("content_dir", mode="before")
    @classmethod
    def _blank_dir_is_none(cls, value: Any) -> Any:
        return None if isinstance(value, str) and not value.strip() else value

    @property
    def resolved_database_url(self) -> str:
        """The database URL in use: the override or SQLite inside data_dir."""
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.data_dir / 'coachlab.db').resolve()}"

    @property
    def chroma_path(self) -> Path:
        """Folder of the on-disk Chroma index."""
        return self.data_dir / "chroma"

    def to_portable_json(self) -> str:
        """JSON that rebuilds these exact settings elsewhere (secrets included: keep it private)."""
        values = self.model_dump(mode="json", exclude={"openai_api_key", "openai_base_url"})
        values["OPENAI_API_KEY"] = self.llm_api_key()
        values["OPENAI_BASE_URL"] = self.openai_base_url
        return json.dumps(values, sort_keys=True)

    @classmethod
    def from_portable_json(cls, text: str) -> Settings:
        """Settings from ``to_portable_json`` (the environment does not override them)."""
        return cls(**json.loads(text))

    def llm_api_key(self) -> str | None:
        """The LLM API key as plain text, if any."""
        return self.openai_api_key.get_secret_value() if self.openai_api_key else None


_ALIASED = {"OPENAI_API_KEY", "OPENAI_BASE_URL"}


def settings_from_mapping(secrets: Mapping[str, Any], **overrides: Any) -> Settings:
    """Build Settings from Streamlit-style secrets over the environment, then explicit overrides.

    Secrets may use the environment names (``COACHLAB_DATA_DIR``, ``OPENAI_API_KEY``) or the bare
    field names (``data_dir``), at the top level or under a ``coachlab`` table.
    """
    values: dict[str, Any] = {}
    nested = secrets.get("coachlab")
    for source in (secrets, nested if isinstance(nested, Mapping) else {}):
        for key, value in source.items():
            if isinstance(value, Mapping):
                continue
            upper = str(key).upper()
            if upper in _ALIASED:
                values[upper] = value
            elif upper.startswith("COACHLAB_"):
                values[upper.removeprefix("COACHLAB_").lower()] = value
            elif str(key) in Settings.model_fields:
                values[str(key)] = value
    for key, value in overrides.items():
        alias = key.upper()
        values[alias if alias in _ALIASED else key] = value
    # init arguments take precedence over the environment in pydantic-settings
    return Settings(**values)
