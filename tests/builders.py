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


def alias_bomb(levels: int, prefix: str = "") -> str:
    """A YAML "billion laughs" document: ``levels`` anchors of nine aliases each (9**levels)."""
    lines = [prefix + 'a0: &a0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for level in range(1, levels):
        aliases = ",".join([f"*a{level - 1}"] * 9)
        lines.append(f"a{level}: &a{level} [{aliases}]")
    return "\n".join(lines) + "\n"
