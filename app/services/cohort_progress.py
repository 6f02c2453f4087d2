"""Cohort progress from learners' scored attempts: pure functions behind the dashboard and CSV.

What must stay true: an attempt is one ended, scored practice session; a learner's level for a
criterion is the one in their latest attempt (per scenario) that scored it; an assignment counts
as completed by a session practised for it, or by a session on its scenario started after it was
assigned (so it works whether or not the practice room records ``assignment_id``).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from app.services.cohorts import AssignmentInfo


@dataclass(frozen=True, slots=True)
class Attempt:
    """One ended, scored session of a cohort member."""

    user_id: int
    session_id: int
    scenario_id: str
    assignment_id: int | None
    started_at: datetime
    ended_at: datetime
    scorecard: dict[str, Any]


@dataclass(frozen=True, slots=True)
class LearnerProgress:
    """One dashboard row: a learner's latest level per criterion and latest overall score."""

    user_id: int
    name: str
    levels: dict[str, int]
    overall: float | None


@dataclass(frozen=True, slots=True)
class AssignmentProgress:
    """How many learners completed and passed one assignment."""

    assignment: AssignmentInfo
    total: int
    completed: list[str]
    passed: list[str]


@dataclass(frozen=True, slots=True)
class TrendPoint:
    """One scored session on the timeline."""

    learner: str
    ended_at: datetime
    scenario_id: str
    overall: float


def latest_attempts(attempts: Sequence[Attempt]) -> dict[tuple[int, str], Attempt]:
    """The latest attempt per (learner, scenario); ``attempts`` come oldest first."""
    return {(a.user_id, a.scenario_id): a for a in attempts}


def learner_rows(
    members: dict[int, str], attempts: Sequence[Attempt]
) -> tuple[list[tuple[str, str]], list[LearnerProgress]]:
    """Criteria seen (id, name) and one row per learner with their latest levels."""
    latest = latest_attempts(attempts)
    criteria: dict[str, str] = {}
    rows = []
    for user_id, name in members.items():
        levels: dict[str, int] = {}
        overall: float | None = None
        mine = sorted((a for (uid, _), a in latest.items() if uid == user_id), key=_ended)
        for attempt in mine:
            for result in attempt.scorecard.get("criteria", []):
                criteria.setdefault(result["id"], result["name"])
                levels[result["id"]] = int(result["level"])
            overall = float(attempt.scorecard["overall"])
        rows.append(LearnerProgress(user_id, name, levels, overall))
    return sorted(criteria.items()), rows


def completion(
    assignment: AssignmentInfo,
    assigned_at: datetime,
    members: dict[int, str],
    attempts: Sequence[Attempt],
) -> AssignmentProgress:
    """Who completed an assignment and who reached its pass threshold (latest attempt counts)."""
    last = {
        a.user_id: a
        for a in attempts
        if a.scenario_id == assignment.scenario_id
        and (
            a.assignment_id == assignment.id
            or (a.assignment_id is None and a.started_at >= assigned_at)
        )
    }
    passed = [
        members[uid]
        for uid, a in last.items()
        if float(a.scorecard["overall"]) >= assignment.pass_threshold
    ]
    return AssignmentProgress(
        assignment, len(members), sorted(members[uid] for uid in last), sorted(passed)
    )


def trends(members: dict[int, str], attempts: Sequence[Attempt]) -> list[TrendPoint]:
    """Every scored attempt, oldest first."""
    return [
        TrendPoint(members[a.user_id], a.ended_at, a.scenario_id, float(a.scorecard["overall"]))
        for a in attempts
    ]


def to_csv(
    members: dict[int, str], criteria: Sequence[tuple[str, str]], attempts: Sequence[Attempt]
) -> str:
    """One CSV row per learner and scenario (latest attempt) with every criterion's level."""
    out = io.StringIO()
    writer = csv.writer(out)
    ids = [cid for cid, _ in criteria]
    writer.writerow(["learner", "scenario", "session", "ended_at", "overall", *ids])
    latest = latest_attempts(attempts)
    for (user_id, scenario_id), a in sorted(latest.items(), key=lambda kv: members[kv[0][0]]):
        levels = {r["id"]: r["level"] for r in a.scorecard.get("criteria", [])}
        writer.writerow(
            [
                members[user_id],
                scenario_id,
                a.session_id,
                a.ended_at.isoformat(timespec="seconds"),
                a.scorecard["overall"],
                *(levels.get(cid, "") for cid in ids),
            ]
        )
    return out.getvalue()


def _ended(attempt: Attempt) -> datetime:
    return attempt.ended_at
