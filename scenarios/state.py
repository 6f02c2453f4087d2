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
_SENTENCE = re.compile(r"[^.!?…]+[.!?…]*")
_WORD = re.compile(r"[a-z0-9]+(?:'[a-z0-9]+)*")
# Sentences at least this long may be said once per session; shorter ones ("Yeah.", "Not
# really.") are the fillers and acknowledgements of ordinary talk.
LONG_SENTENCE_WORDS = 8


def reply_key(text: str) -> str:
    """Return the short hash under which a reply is remembered (case and spacing ignored)."""
    norm = _SPACE.sub(" ", text.strip().lower())
    return hashlib.sha1(norm.encode("utf-8"), usedforsecurity=False).hexdigest()[:12]


def long_sentence_keys(text: str) -> list[str]:
    """Keys of the sentences of ``text`` with at least LONG_SENTENCE_WORDS words (words only,
    so punctuation, case and spacing do not make a repeat look new)."""
    keys = []
    for sentence in _SENTENCE.findall(text.replace("\u2019", "'")):
        words = _WORD.findall(sentence.lower())
        if len(words) >= LONG_SENTENCE_WORDS:
            keys.append(reply_key(" ".join(words)))
    return keys


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
    sentences: list[str] = Field(
        default=[], description="long_sentence_keys of everything said, so none comes back."
    )
    reactions: dict[str, int] = Field(default={}, description="How often each reaction was used.")
    progress: dict[str, float] = Field(
        default={}, description="Per locked layer, evidence gathered towards earning it (0-1)."
    )
    topics: dict[str, int] = Field(
        default={}, description="Per surface topic, how many of its lines were said."
    )
    last_topic: str | None = Field(
        default=None, description="Layer or surface topic id the last reply was about."
    )
    granted_permission: bool = Field(
        default=False, description="The persona just agreed to hear an idea (next turn only)."
    )

    def has_said(self, text: str) -> bool:
        """True if this reply was given before, or repeats a long sentence already said."""
        if reply_key(text) in self.said:
            return True
        said = set(self.sentences)
        return any(key in said for key in long_sentence_keys(text))

    def to_json(self) -> str:
        """Serialise to JSON for storage."""
        return self.model_dump_json()

    @classmethod
    def from_json(cls, data: str) -> PersonaState:
        """Restore a state stored with ``to_json``."""
        return cls.model_validate_json(data)
