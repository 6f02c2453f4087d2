"""How a practice session behaves for its learner: live nudges and private practice.

What must stay true:
- A session that belongs to an assessment assignment never shows nudges and offers no switch for
  them, whatever its ``nudges`` column says; the learner cannot turn them back on.
- Private practice hides numeric scores wherever the learner sees or exports the session; levels
  and written feedback stay.
- Only the session's owner (or an administrator) reads or changes these options; others get
  NotFound, as for the session itself.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import select

from app.services.errors import InvalidInput
from app.services.nudges import Nudge, nudges_for
from app.services.practice import owned_session
from app.services.principal import Principal
from app.storage.database import Database
from app.storage.models import Assignment, PracticeSession, TurnRecord
from rubrics.labels import CoachLabels


@dataclass(frozen=True, slots=True)
class SessionOptions:
    """The learner-facing switches of one session."""

    session_id: int
    private_mode: bool
    nudges_on: bool
    assessment: bool

    @property
    def nudges_switchable(self) -> bool:
        """Whether the learner may switch nudges on or off (never in an assessment)."""
        return not self.assessment


def is_assessment(s: Any, session: PracticeSession) -> bool:
    """Whether ``session`` was started for an assessment assignment."""
    if session.assignment_id is None:
        return False
    assignment = s.get(Assignment, session.assignment_id)
    return bool(assignment is not None and assignment.assessment)


class SessionOptionsService:
    """Read and change a session's nudges and private-practice switches; compute live nudges."""

    def __init__(self, db: Database) -> None:
        self._db = db

    def options(self, principal: Principal, session_id: int) -> SessionOptions:
        """The session's switches as they apply now."""
        with self._db.session() as s:
            session = owned_session(s, principal, session_id)
            assessment = is_assessment(s, session)
            return SessionOptions(
                session_id=session_id,
                private_mode=session.private_mode,
                nudges_on=session.nudges and not assessment,
                assessment=assessment,
            )

    def set_nudges(self, principal: Principal, session_id: int, on: bool) -> SessionOptions:
        """Switch live nudges on or off (refused in an assessment)."""
        with self._db.session() as s:
            session = owned_session(s, principal, session_id, write=True)
            if is_assessment(s, session):
                raise InvalidInput("Nudges are off for assessments.")
            session.nudges = on
        return self.options(principal, session_id)

    def set_private_mode(self, principal: Principal, session_id: int, on: bool) -> SessionOptions:
        """Switch private practice (no numeric scores shown) on or off."""
        with self._db.session() as s:
            owned_session(s, principal, session_id, write=True).private_mode = on
        return self.options(principal, session_id)

    def live_nudges(self, principal: Principal, session_id: int) -> list[Nudge]:
        """The nudges to show now: none when switched off, in an assessment or after the end."""
        with self._db.session() as s:
            session = owned_session(s, principal, session_id)
            if not session.nudges or session.status != "active" or is_assessment(s, session):
                return []
            rows = s.scalars(
                select(TurnRecord.labels)
                .where(TurnRecord.session_id == session_id, TurnRecord.speaker == "coach")
                .order_by(TurnRecord.position)
            ).all()
        return nudges_for([CoachLabels.model_validate(r) for r in rows if r])
