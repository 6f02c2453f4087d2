"""Shared state of one CLI invocation: settings and lazily built services."""

from __future__ import annotations

from app.bootstrap import Services, build_services
from app.settings import Settings


class CliError(Exception):
    """A user error detected by the CLI itself (bad file, bad option)."""


class CliContext:
    """Builds settings and services on first use, once per invocation."""

    def __init__(self, settings: Settings | None = None) -> None:
        self._settings = settings
        self._services: Services | None = None

    @property
    def settings(self) -> Settings:
        """Settings from the environment (built once)."""
        if self._settings is None:
            self._settings = Settings()
        return self._settings

    def services(self, *, prepare: bool = True) -> Services:
        """The services, with the database created or upgraded unless ``prepare`` is False."""
        if self._services is None:
            self._services = build_services(self.settings)
            if prepare:
                report = self._services.prepare()
                for error in report.errors:
                    print(f"warning: skipped invalid built-in content: {error}")
        return self._services

    def close(self) -> None:
        """Release resources."""
        if self._services is not None:
            self._services.close()
