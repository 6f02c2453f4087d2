"""Who is asking: the principal every service method receives, and what each role may do.

Permissions are checked in services, never only in the UI.  ``Principal.system()`` is the operator
running the CLI on the server itself and holds every permission.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from app.services.errors import PermissionDenied


class Role(StrEnum):
    """Roles a user may hold (several at once)."""

    LEARNER = "learner"
    PEER = "peer"
    FACILITATOR = "facilitator"
    ADMIN = "admin"


class Action(StrEnum):
    """Things a principal may be allowed to do."""

    PRACTISE = "practise"
    VIEW_LIBRARY = "view_library"
    SHARE = "share"
    REVIEW = "review"
    AUTHOR_CONTENT = "author_content"
    MANAGE_COHORTS = "manage_cohorts"
    MANAGE_USERS = "manage_users"
    SCORE_TRANSCRIPTS = "score_transcripts"


ROLE_ACTIONS: dict[Role, frozenset[Action]] = {
    Role.LEARNER: frozenset(
        {Action.PRACTISE, Action.VIEW_LIBRARY, Action.SHARE, Action.SCORE_TRANSCRIPTS}
    ),
    Role.PEER: frozenset({Action.VIEW_LIBRARY, Action.REVIEW}),
    Role.FACILITATOR: frozenset(
        {
            Action.VIEW_LIBRARY,
            Action.REVIEW,
            Action.AUTHOR_CONTENT,
            Action.MANAGE_COHORTS,
            Action.SCORE_TRANSCRIPTS,
        }
    ),
    Role.ADMIN: frozenset(Action),
}


@dataclass(frozen=True, slots=True)
class Principal:
    """An authenticated user (or the system operator) and their roles."""

    user_id: int | None
    username: str
    display_name: str
    roles: frozenset[Role]

    @classmethod
    def system(cls) -> Principal:
        """The operator running the CLI on the server: allowed everything."""
        return cls(None, "system", "System", frozenset({Role.ADMIN}))

    def has_role(self, role: Role) -> bool:
        """Whether the principal holds ``role``."""
        return role in self.roles

    def can(self, action: Action) -> bool:
        """Whether any of the principal's roles allows ``action``."""
        return any(action in ROLE_ACTIONS[role] for role in self.roles)

    def require(self, action: Action) -> None:
        """Raise PermissionDenied unless the principal may perform ``action``."""
        if not self.can(action):
            raise PermissionDenied(f"Your role does not allow this ({action.value}).")

    @property
    def is_admin(self) -> bool:
        """Whether the principal is an administrator."""
        return Role.ADMIN in self.roles
