"""Test data builders shared by the suites."""

from __future__ import annotations

from app.bootstrap import Services
from app.services.principal import Principal, Role

PASSWORD = "correct-horse-battery"


def make_user(services: Services, username: str, *roles: Role) -> Principal:
    """Create a user with ``roles`` and return their principal."""
    services.accounts.create_user(
        Principal.system(), username, PASSWORD, set(roles or (Role.LEARNER,))
    )
    return services.accounts.authenticate(username, PASSWORD)
