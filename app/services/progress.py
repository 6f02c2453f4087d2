"""A learner's progress: every attempt with its levels, trends per criterion, comparisons, goals.

What must stay true:
- Everything here is the caller's own data: sessions and goals of other users are never listed,
  and asking for one by id answers NotFound.
- Trends use criterion *levels* (1–5) from each session's latest scorecard, so private-practice
  sessions count too; numeric scores of private sessions are never returned.
- Two attempts can be compared only when they practise the same scenario.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select

from app.services.errors import InvalidInput, NotFound, PermissionDenied
from app.services.principal import Principal
from app.services.text_safety import clean_message
from app.storage.database import Database
from app.storage.models import (
    PracticeGoal,
    PracticeSession,
    ScenarioRecord,
    ScenarioVersion,
    ScorecardRecord,
    TurnRecord,
)

GOAL_CHARS = 300


@dataclass(frozen=True, slots=True)
class Attempt:
    """One practice session with its latest scorecard's levels."""

    session_id: int
    scenario_id: str
    scenario_title: str
    status: str
    started_at: datetime
    rubric_id: str | None
    overall: float | None
    levels: dict[str, int]
    criteria: dict[str, str]
    parent_id: int | None
    branched_at: int | None
    private_mode: bool

    @property
    def label(self) -> str:
        """A short human label for pickers."""
        branch = f" · branch of #{self.parent_id}" if self.parent_id else ""
        return (
            f"#{self.session_id} {self.scenario_title} — {self.started_at:%Y-%m-%d %H:%M}{branch}"
        )


@dataclass(frozen=True, slots=True)
class TrendPoint:
    """One criterion's level in one scored session."""

    session_id: int
    when: datetime
    rubric_id: str
    criterion: str
    level: int


@dataclass(frozen=True, slots=True)
class LevelRow:
    """One criterion side by side in two attempts (None when an attempt lacks it)."""

    criterion: str
    first: int | None
    second: int | None


@dataclass(frozen=True, slots=True)
class LineTurn:
    """A turn in a line of conversation."""

    position: int
    speaker: str
    text: str


@dataclass(frozen=True, slots=True)
class Comparison:
    """Two attempts at one scenario: levels side by side and, for branches, the two lines."""

    first: Attempt
    second: Attempt
    rows: list[LevelRow]
    related: bool
    shared: list[LineTurn]
    first_line: list[LineTurn]
    second_line: list[LineTurn]


@dataclass(frozen=True, slots=True)
class Goal:
    """A learner's own practice goal."""

    id: int
    text: str
    done: bool
    created_at: datetime


class ProgressService:
    """Read a learner's attempts and trends; keep their practice goals."""

    def __init__(self, db: Database) -> None:
        self._db = db

    # -- attempts and trends -----------------------------------------------------------------
    def attempts(self, principal: Principal) -> list[Attempt]:
        """The caller's sessions, oldest first, with their latest scorecard's levels."""
        if principal.user_id is None:
            return []
        with self._db.session() as s:
            rows = s.execute(
                select(PracticeSession, ScenarioVersion.scenario_id, ScenarioRecord.title)
                .join(ScenarioVersion, ScenarioVersion.id == PracticeSession.scenario_version_id)
                .join(ScenarioRecord, ScenarioRecord.id == ScenarioVersion.scenario_id)
                .where(PracticeSession.user_id == principal.user_id)
                .order_by(PracticeSession.started_at, PracticeSession.id)
            ).all()
            ids = [session.id for session, _, _ in rows]
            cards: dict[int, dict[str, Any]] = {}
            if ids:
                for record in s.scalars(
                    select(ScorecardRecord)
                    .where(ScorecardRecord.session_id.in_(ids))
                    .order_by(ScorecardRecord.id)
                ):
                    cards[record.session_id] = record.data  # the latest one wins
            return [
                _attempt(session, sid, title, cards.get(session.id)) for session, sid, title in rows
            ]

    def trends(self, principal: Principal) -> list[TrendPoint]:
        """Criterion levels over time, one point per criterion per scored session."""
        return [
            TrendPoint(a.session_id, a.started_at, a.rubric_id, a.criteria[cid], level)
            for a in self.attempts(principal)
            if a.rubric_id is not None
            for cid, level in a.levels.items()
        ]

    def compare(self, principal: Principal, first_id: int, second_id: int) -> Comparison:
        """Two of the caller's attempts at the same scenario, side by side."""
        if first_id == second_id:
            raise InvalidInput("Pick two different attempts to compare.")
        attempts = {a.session_id: a for a in self.attempts(principal)}
        if first_id not in attempts or second_id not in attempts:
            raise NotFound("No such attempt.")
        first, second = attempts[first_id], attempts[second_id]
        if first.scenario_id != second.scenario_id:
            raise InvalidInput("Only attempts at the same scenario can be compared.")
        names = {**first.criteria, **second.criteria}
        rows = [LevelRow(names[c], first.levels.get(c), second.levels.get(c)) for c in names]
        with self._db.session() as s:
            a_turns, b_turns = _line(s, first_id), _line(s, second_id)
        shared = 0
        while shared < min(len(a_turns), len(b_turns)) and (
            a_turns[shared].speaker,
            a_turns[shared].text,
        ) == (b_turns[shared].speaker, b_turns[shared].text):
            shared += 1
        related = (
            first.parent_id == second_id
            or second.parent_id == first_id
            or (first.parent_id is not None and first.parent_id == second.parent_id)
        )
        return Comparison(
            first=first,
            second=second,
            rows=rows,
            related=related,
            shared=a_turns[:shared],
            first_line=a_turns[shared:],
            second_line=b_turns[shared:],
        )

    # -- goals -------------------------------------------------------------------------------
    def goals(self, principal: Principal) -> list[Goal]:
        """The caller's goals: open ones first, then done, each oldest first."""
        if principal.user_id is None:
            return []
        with self._db.session() as s:
            rows = s.scalars(
                select(PracticeGoal)
                .where(PracticeGoal.user_id == principal.user_id)
                .order_by(PracticeGoal.done, PracticeGoal.created_at, PracticeGoal.id)
            )
            return [Goal(g.id, g.text, g.done, g.created_at) for g in rows]

    def add_goal(self, principal: Principal, text: str) -> Goal:
        """Add a goal for the caller."""
        if principal.user_id is None:
            raise PermissionDenied("Only a logged-in learner has practice goals.")
        cleaned = clean_message(text, GOAL_CHARS)
        with self._db.session() as s:
            goal = PracticeGoal(user_id=principal.user_id, text=cleaned)
            s.add(goal)
            s.flush()
            return Goal(goal.id, goal.text, goal.done, goal.created_at)

    def set_goal_done(self, principal: Principal, goal_id: int, done: bool = True) -> None:
        """Mark one of the caller's goals done (or open again)."""
        with self._db.session() as s:
            self._goal(s, principal, goal_id).done = done

    def delete_goal(self, principal: Principal, goal_id: int) -> None:
        """Delete one of the caller's goals."""
        with self._db.session() as s:
            s.delete(self._goal(s, principal, goal_id))

    @staticmethod
    def _goal(s: Any, principal: Principal, goal_id: int) -> PracticeGoal:
        goal = s.get(PracticeGoal, goal_id)
        if goal is None or goal.user_id != principal.user_id:
            raise NotFound("No such goal.")
        return goal


def _attempt(
    session: PracticeSession, scenario_id: str, title: str, card: dict[str, Any] | None
) -> Attempt:
    criteria = {c["id"]: c["name"] for c in card.get("criteria", [])} if card else {}
    return Attempt(
        session_id=session.id,
        scenario_id=scenario_id,
        scenario_title=title,
        status=session.status,
        started_at=session.started_at,
        rubric_id=card["rubric"]["id"] if card else None,
        overall=None if card is None or session.private_mode else float(card["overall"]),
        levels={c["id"]: int(c["level"]) for c in card.get("criteria", [])} if card else {},
        criteria=criteria,
        parent_id=session.parent_session_id,
        branched_at=session.branched_at_turn,
        private_mode=session.private_mode,
    )


def _line(s: Any, session_id: int) -> list[LineTurn]:
    rows = s.scalars(
        select(TurnRecord).where(TurnRecord.session_id == session_id).order_by(TurnRecord.position)
    )
    return [LineTurn(t.position, t.speaker, t.text) for t in rows]
