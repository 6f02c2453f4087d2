"""Cohorts and assignments: groups of learners, scenarios assigned to them, and their progress.

What must stay true:
- Every method checks the caller itself: managing needs ``Action.MANAGE_COHORTS`` and a cohort the
  caller created or belongs to (administrators see all); anything else answers "not found", so a
  facilitator never learns that another facilitator's cohort exists.
- Progress is read from learners' ended, scored practice sessions on the cohort's scenarios, with or
  without ``practice_sessions.assignment_id`` set, so the dashboard works either way.
- An assessment assignment turns nudges off: ``assessment_mode`` is what the practice room asks.
- Results are plain dataclasses; the CSV export is a string built with the stdlib ``csv`` module.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import delete, select

from app.services import cohort_progress as progress
from app.services.cohort_progress import AssignmentProgress, LearnerProgress, TrendPoint
from app.services.content import ContentService
from app.services.errors import Conflict, InvalidInput, NotFound
from app.services.principal import Action, Principal, Role
from app.storage.database import Database
from app.storage.models import (
    Assignment,
    Cohort,
    CohortMember,
    PracticeSession,
    ScenarioRecord,
    ScenarioVersion,
    ScorecardRecord,
    User,
    UserRole,
)


@dataclass(frozen=True, slots=True)
class CohortInfo:
    """A cohort as listed for its facilitators."""

    id: int
    name: str
    members: int


@dataclass(frozen=True, slots=True)
class Member:
    """A user in a cohort."""

    user_id: int
    username: str
    display_name: str


@dataclass(frozen=True, slots=True)
class AssignmentInfo:
    """A scenario assigned to a cohort."""

    id: int
    cohort_id: int
    scenario_id: str
    scenario_title: str
    rubric_id: str
    due_at: datetime | None
    pass_threshold: float
    assessment: bool


@dataclass(frozen=True, slots=True)
class Dashboard:
    """Everything the cohort dashboard shows."""

    cohort: CohortInfo
    criteria: list[tuple[str, str]]
    learners: list[LearnerProgress]
    completion: list[AssignmentProgress]
    trends: list[TrendPoint]


def _aware(moment: datetime) -> datetime:
    """SQLite returns naive datetimes; everything stored is UTC."""
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


class CohortService:
    """Create cohorts, assign scenarios and report progress."""

    def __init__(self, db: Database, content: ContentService) -> None:
        self._db = db
        self._content = content

    # -- cohorts and members -------------------------------------------------------------------
    def create_cohort(self, actor: Principal, name: str) -> CohortInfo:
        """Create a cohort run by the caller."""
        actor.require(Action.MANAGE_COHORTS)
        name = " ".join(name.split())
        if not name or len(name) > 120:
            raise InvalidInput("A cohort needs a name of 1 to 120 characters.")
        with self._db.session() as s:
            if s.scalar(select(Cohort.id).where(Cohort.name == name)) is not None:
                raise Conflict(f"A cohort called '{name}' already exists.")
            cohort = Cohort(name=name, created_by=actor.user_id)
            s.add(cohort)
            s.flush()
            return CohortInfo(cohort.id, cohort.name, 0)

    def list_cohorts(self, actor: Principal) -> list[CohortInfo]:
        """The cohorts the caller runs or belongs to (all, for administrators)."""
        actor.require(Action.MANAGE_COHORTS)
        with self._db.session() as s:
            out = []
            for cohort in s.scalars(select(Cohort).order_by(Cohort.name)):
                if self._may_see(s, actor, cohort):
                    out.append(
                        CohortInfo(cohort.id, cohort.name, len(self._member_ids(s, cohort.id)))
                    )
            return out

    def members(self, actor: Principal, cohort_id: int) -> list[Member]:
        """The members of a cohort, by name."""
        with self._db.session() as s:
            self._cohort(s, actor, cohort_id)
            rows = s.scalars(
                select(User)
                .join(CohortMember, CohortMember.user_id == User.id)
                .where(CohortMember.cohort_id == cohort_id)
                .order_by(User.display_name)
            )
            return [Member(u.id, u.username, u.display_name) for u in rows]

    def candidates(self, actor: Principal, cohort_id: int) -> list[Member]:
        """Learners who could be added to the cohort (not yet members)."""
        with self._db.session() as s:
            self._cohort(s, actor, cohort_id)
            present = self._member_ids(s, cohort_id)
            rows = s.scalars(
                select(User)
                .join(UserRole, UserRole.user_id == User.id)
                .where(UserRole.role == Role.LEARNER.value, User.active)
                .order_by(User.display_name)
            )
            return [Member(u.id, u.username, u.display_name) for u in rows if u.id not in present]

    def add_member(self, actor: Principal, cohort_id: int, username: str) -> Member:
        """Add a user to a cohort by username."""
        with self._db.session() as s:
            self._cohort(s, actor, cohort_id)
            user = s.scalar(select(User).where(User.username == username.strip()))
            if user is None:
                raise NotFound(f"No user '{username.strip()}'.")
            if user.id not in self._member_ids(s, cohort_id):
                s.add(CohortMember(cohort_id=cohort_id, user_id=user.id))
            return Member(user.id, user.username, user.display_name)

    def remove_member(self, actor: Principal, cohort_id: int, user_id: int) -> None:
        """Take a user out of a cohort (their sessions stay theirs)."""
        with self._db.session() as s:
            self._cohort(s, actor, cohort_id)
            s.execute(
                delete(CohortMember).where(
                    CohortMember.cohort_id == cohort_id, CohortMember.user_id == user_id
                )
            )

    def learner_ids(self, actor: Principal) -> set[int] | None:
        """Users in the cohorts the caller runs; None means everyone (administrators)."""
        actor.require(Action.MANAGE_COHORTS)
        if actor.is_admin:
            return None
        ids: set[int] = set()
        with self._db.session() as s:
            for cohort in s.scalars(select(Cohort)):
                if self._may_see(s, actor, cohort):
                    ids |= self._member_ids(s, cohort.id)
        return ids

    # -- assignments ---------------------------------------------------------------------------
    def assign(
        self,
        actor: Principal,
        cohort_id: int,
        scenario_id: str,
        *,
        rubric_id: str = "core-coaching",
        due_at: datetime | None = None,
        pass_threshold: float = 60.0,
        assessment: bool = False,
    ) -> AssignmentInfo:
        """Assign a published scenario to a cohort, scored with a rubric."""
        if not 0 <= pass_threshold <= 100:
            raise InvalidInput("The pass threshold is a score from 0 to 100.")
        self._content.latest_rubric(rubric_id)  # NotFound for an unknown rubric
        with self._db.session() as s:
            self._cohort(s, actor, cohort_id)
            record = s.get(ScenarioRecord, scenario_id)
            if record is None:
                raise NotFound(f"No scenario '{scenario_id}'.")
            if not record.published:
                raise InvalidInput(f"Publish '{record.title}' before assigning it.")
            row = Assignment(
                cohort_id=cohort_id,
                scenario_id=scenario_id,
                rubric_id=rubric_id,
                due_at=due_at,
                pass_threshold=pass_threshold,
                assessment=assessment,
                created_by=actor.user_id,
            )
            s.add(row)
            s.flush()
            return self._info(s, row)

    def assignments(self, actor: Principal, cohort_id: int) -> list[AssignmentInfo]:
        """A cohort's assignments, soonest due first."""
        with self._db.session() as s:
            self._cohort(s, actor, cohort_id)
            rows = s.scalars(select(Assignment).where(Assignment.cohort_id == cohort_id))
            infos = [self._info(s, a) for a in rows]
        return sorted(infos, key=lambda a: (a.due_at is None, a.due_at or datetime.min, a.id))

    def remove_assignment(self, actor: Principal, assignment_id: int) -> None:
        """Withdraw an assignment (sessions keep their scores)."""
        with self._db.session() as s:
            row = s.get(Assignment, assignment_id)
            if row is None:
                raise NotFound(f"No assignment {assignment_id}.")
            self._cohort(s, actor, row.cohort_id)
            s.delete(row)

    # -- what the practice room asks -----------------------------------------------------------
    def assignments_for_learner(self, principal: Principal) -> list[AssignmentInfo]:
        """The caller's own assignments across their cohorts."""
        if principal.user_id is None:
            return []
        with self._db.session() as s:
            rows = s.scalars(
                select(Assignment)
                .join(CohortMember, CohortMember.cohort_id == Assignment.cohort_id)
                .where(CohortMember.user_id == principal.user_id)
            )
            infos = [self._info(s, a) for a in rows]
        return sorted(infos, key=lambda a: (a.due_at is None, a.due_at or datetime.min, a.id))

    def open_assignment(self, principal: Principal, scenario_id: str) -> AssignmentInfo | None:
        """The caller's assignment for a scenario (soonest due), to attach to a new session."""
        mine = [a for a in self.assignments_for_learner(principal) if a.scenario_id == scenario_id]
        return mine[0] if mine else None

    def assignment_for_session(
        self, principal: Principal, session_id: int
    ) -> AssignmentInfo | None:
        """The assignment a session was practised for, if any (its owner or cohort staff)."""
        with self._db.session() as s:
            session = s.get(PracticeSession, session_id)
            if session is None:
                raise NotFound(f"No practice session {session_id}.")
            if session.user_id != principal.user_id and not principal.is_admin:
                if not principal.can(Action.MANAGE_COHORTS):
                    raise NotFound(f"No practice session {session_id}.")
                if session.user_id not in (self.learner_ids(principal) or set()):
                    raise NotFound(f"No practice session {session_id}.")
            if session.assignment_id is None:
                return None
            row = s.get(Assignment, session.assignment_id)
            return None if row is None else self._info(s, row)

    def assessment_mode(self, principal: Principal, session_id: int) -> bool:
        """True when the session is an assessment: the practice room must not show nudges."""
        assignment = self.assignment_for_session(principal, session_id)
        return bool(assignment and assignment.assessment)

    # -- progress --------------------------------------------------------------------------------
    def dashboard(self, actor: Principal, cohort_id: int) -> Dashboard:
        """Latest levels per learner and criterion, completion per assignment, score trends."""
        with self._db.session() as s:
            cohort = self._cohort(s, actor, cohort_id)
            members = self._learners(s, cohort_id)
            assignments = [
                self._info(s, a)
                for a in s.scalars(select(Assignment).where(Assignment.cohort_id == cohort_id))
            ]
            created = {
                a.id: _aware(a.created_at)
                for a in s.scalars(select(Assignment).where(Assignment.cohort_id == cohort_id))
            }
            scope = {a.scenario_id for a in assignments} or None
            attempts = self._attempts(s, set(members), scope)
            info = CohortInfo(cohort.id, cohort.name, len(self._member_ids(s, cohort_id)))
        criteria, rows = progress.learner_rows(members, attempts)
        done = [progress.completion(a, created[a.id], members, attempts) for a in assignments]
        return Dashboard(info, criteria, rows, done, progress.trends(members, attempts))

    def export_csv(self, actor: Principal, cohort_id: int) -> str:
        """The dashboard as CSV: one row per learner and scenario (latest attempt)."""
        board = self.dashboard(actor, cohort_id)
        with self._db.session() as s:
            scope = {c.assignment.scenario_id for c in board.completion} or None
            attempts = self._attempts(s, {r.user_id for r in board.learners}, scope)
        members = {r.user_id: r.name for r in board.learners}
        return progress.to_csv(members, board.criteria, attempts)

    # -- helpers ---------------------------------------------------------------------------------
    def _may_see(self, s: Any, actor: Principal, cohort: Cohort) -> bool:
        if actor.is_admin or (actor.user_id is not None and cohort.created_by == actor.user_id):
            return True
        return actor.user_id in self._member_ids(s, cohort.id)

    def _cohort(self, s: Any, actor: Principal, cohort_id: int) -> Cohort:
        actor.require(Action.MANAGE_COHORTS)
        cohort = s.get(Cohort, cohort_id)
        if cohort is None or not self._may_see(s, actor, cohort):
            raise NotFound(f"No cohort {cohort_id}.")
        return cohort

    @staticmethod
    def _member_ids(s: Any, cohort_id: int) -> set[int]:
        return set(
            s.scalars(select(CohortMember.user_id).where(CohortMember.cohort_id == cohort_id))
        )

    @staticmethod
    def _learners(s: Any, cohort_id: int) -> dict[int, str]:
        rows = s.execute(
            select(User.id, User.display_name)
            .join(CohortMember, CohortMember.user_id == User.id)
            .join(UserRole, UserRole.user_id == User.id)
            .where(CohortMember.cohort_id == cohort_id, UserRole.role == Role.LEARNER.value)
            .order_by(User.display_name)
        )
        return {uid: name for uid, name in rows}

    @staticmethod
    def _attempts(s: Any, user_ids: set[int], scope: set[str] | None) -> list[progress.Attempt]:
        """Ended, scored sessions of these users (on these scenarios), oldest first."""
        if not user_ids:
            return []
        query = (
            select(PracticeSession, ScenarioVersion.scenario_id)
            .join(ScenarioVersion, ScenarioVersion.id == PracticeSession.scenario_version_id)
            .where(PracticeSession.user_id.in_(user_ids), PracticeSession.status == "ended")
            .order_by(PracticeSession.ended_at, PracticeSession.id)
        )
        if scope is not None:
            query = query.where(ScenarioVersion.scenario_id.in_(scope))
        sessions = s.execute(query).all()
        cards: dict[int, dict[str, Any]] = {}
        if sessions:
            for card in s.scalars(
                select(ScorecardRecord)
                .where(ScorecardRecord.session_id.in_([p.id for p, _ in sessions]))
                .order_by(ScorecardRecord.id)
            ):
                cards[card.session_id] = dict(card.data)
        return [
            progress.Attempt(
                p.user_id,
                p.id,
                scenario_id,
                p.assignment_id,
                _aware(p.started_at),
                _aware(p.ended_at or p.started_at),
                cards[p.id],
            )
            for p, scenario_id in sessions
            if p.id in cards
        ]

    @staticmethod
    def _info(s: Any, row: Assignment) -> AssignmentInfo:
        record = s.get(ScenarioRecord, row.scenario_id)
        return AssignmentInfo(
            id=row.id,
            cohort_id=row.cohort_id,
            scenario_id=row.scenario_id,
            scenario_title=record.title if record else row.scenario_id,
            rubric_id=row.rubric_id,
            due_at=_aware(row.due_at) if row.due_at else None,
            pass_threshold=row.pass_threshold,
            assessment=row.assessment,
        )
