"""The persona's state between turns: plain, JSON-serialisable data that any engine can resume.

What must stay true: the state holds ids, numbers and hashes only — never the text of a hidden
layer — so storing it next to a session (or sending it anywhere) leaks nothing.  ``unlocked`` keeps
the order in which layers were earned.  Engines never mutate a state; they return a new one.
"""

from __future__ import annotations

import hashlib
import re

from pydantic import BaseModel, ConfigDict, Field

_SPACE = re.compile(r"\s+")


def reply_key(text: str) -> str:
    """Return the short hash under which a reply is remembered (case and spacing ignored)."""
    norm = _SPACE.sub(" ", text.strip().lower())
    return hashlib.sha1(norm.encode("utf-8"), usedforsecurity=False).hexdigest()[:12]


class PersonaState(BaseModel):
    """Where a persona stands in one practice session."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    scenario_id: str = Field(description="The scenario this state belongs to.")
    scenario_version: int = Field(ge=1, description="Content version the session started on.")
    seed: int = Field(default=0, description="Seeds the variety of phrasing.")
    trust: float = Field(ge=0, le=1, description="0 closed … 1 fully open.")
    unlocked: list[str] = Field(default=[], description="Layer ids in the order earned.")
    told: dict[str, int] = Field(
        default={}, description="Per unlocked layer, how many of its reveal lines were said."
    )
    options_explored: bool = Field(default=False, description="The persona named its options.")
    committed: bool = Field(default=False, description="The persona committed to an action.")
    turn: int = Field(default=0, ge=0, description="Coach turns answered so far.")
    said: list[str] = Field(default=[], description="reply_key of every reply, oldest first.")
    reactions: dict[str, int] = Field(default={}, description="How often each reaction was used.")

    def has_said(self, text: str) -> bool:
        """Return True if this exact reply (ignoring case and spacing) was given before."""
        return reply_key(text) in self.said

    def to_json(self) -> str:
        """Serialise to JSON for storage."""
        return self.model_dump_json()

    @classmethod
    def from_json(cls, data: str) -> PersonaState:
        """Restore a state stored with ``to_json``."""
        return cls.model_validate_json(data)
