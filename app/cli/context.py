"""Shared state of one CLI invocation: settings and lazily built services."""

from __future__ import annotations

from pathlib import Path

from app.bootstrap import Services, build_services
from app.settings import Settings


class CliError(Exception):
    """A user error detected by the CLI itself (bad file, bad option)."""


def read_text_file(path: Path) -> str:
    """A UTF-8 text file's content; a CliError naming the file when it cannot be read."""
    try:
        return path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise CliError(f"{path}: not UTF-8 text (byte {exc.start})") from None
    except OSError as exc:
        raise CliError(f"{path}: cannot read file: {exc.strerror or exc}") from None


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
