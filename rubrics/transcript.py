"""Transcript turns: the neutral input every part of the rubric engine works on.

A transcript is an ordered sequence of turns; the coach is the learner being scored and every other
speaker is the client.  Turn indices are positions in that sequence (0-based) and are what evidence
points at.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Speaker = Literal["coach", "client"]


@dataclass(frozen=True, slots=True)
class Turn:
    """One utterance in a conversation."""

    speaker: Speaker
    text: str
