"""Cohorts, assignments, the dashboard and its CSV, and who may see what."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime, timedelta

import pytest

from app.bootstrap import Services
from app.services.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from app.services.principal import Principal, Role
from tests.app.services.helpers import practise
from tests.builders import make_user


@pytest.fixture
def fran(services: Services) -> Principal:
    return make_user(services, "fran", Role.FACILITATOR)


def test_cohort_dashboard_shows_a_learners_attempt(
    services: Services, fran: Principal, learner: Principal
) -> None:
    other = make_user(services, "ola", Role.LEARNER)
    cohort = services.cohorts.create_cohort(fran, "Spring leaders")
    assert [m.username for m in services.cohorts.candidates(fran, cohort.id)] == ["lee", "ola"]
    services.cohorts.add_member(fran, cohort.id, "lee")
    services.cohorts.add_member(fran, cohort.id, "ola")
    due = datetime.now(UTC) + timedelta(days=7)
    assignment = services.cohorts.assign(
        fran, cohort.id, "peer-conflict", due_at=due, pass_threshold=10
    )
    assert assignment.due_at == due and not assignment.assessment
    assert services.cohorts.assignments_for_learner(learner) == [assignment]
    assert services.cohorts.open_assignment(learner, "peer-conflict") == assignment
    assert services.cohorts.open_assignment(learner, "career-change") is None

    before = services.cohorts.dashboard(fran, cohort.id)
    assert before.criteria == [] and all(r.overall is None for r in before.learners)
    assert before.completion[0].completed == [] and before.completion[0].total == 2

    practise(services, learner)
    practise(services, other, "career-change")  # not assigned: outside the dashboard
    board = services.cohorts.dashboard(fran, cohort.id)
    lee = next(r for r in board.learners if r.name == "lee")
    ola = next(r for r in board.learners if r.name == "ola")
    criteria = dict(board.criteria)
    assert "open-questions" in criteria and set(lee.levels) == set(criteria)
    assert all(1 <= level <= 5 for level in lee.levels.values())
    assert lee.overall is not None and ola.overall is None
    progress = board.completion[0]
    assert progress.completed == ["lee"]
    assert progress.passed == (["lee"] if lee.overall >= 10 else [])
    assert [(t.learner, t.scenario_id) for t in board.trends] == [("lee", "peer-conflict")]

    rows = list(csv.DictReader(io.StringIO(services.cohorts.export_csv(fran, cohort.id))))
    assert len(rows) == 1 and rows[0]["learner"] == "lee"
    assert float(rows[0]["overall"]) == lee.overall
    assert int(rows[0]["open-questions"]) == lee.levels["open-questions"]


def test_members_and_assignments_can_be_removed(
    services: Services, fran: Principal, learner: Principal
) -> None:
    cohort = services.cohorts.create_cohort(fran, "Team A")
    member = services.cohorts.add_member(fran, cohort.id, "lee")
    services.cohorts.add_member(fran, cohort.id, "lee")  # twice is harmless
    assert [m.username for m in services.cohorts.members(fran, cohort.id)] == ["lee"]
    services.cohorts.remove_member(fran, cohort.id, member.user_id)
    assert services.cohorts.members(fran, cohort.id) == []
    assignment = services.cohorts.assign(fran, cohort.id, "peer-conflict")
    services.cohorts.remove_assignment(fran, assignment.id)
    assert services.cohorts.assignments(fran, cohort.id) == []


def test_bad_input_is_refused(services: Services, fran: Principal) -> None:
    cohort = services.cohorts.create_cohort(fran, "Team A")
    with pytest.raises(Conflict):
        services.cohorts.create_cohort(fran, "  Team   A ")
    with pytest.raises(NotFound):
        services.cohorts.add_member(fran, cohort.id, "nobody")
    with pytest.raises(InvalidInput):
        services.cohorts.assign(fran, cohort.id, "peer-conflict", pass_threshold=120)
    with pytest.raises(NotFound):
        services.cohorts.assign(fran, cohort.id, "no-such-scenario")
    services.authoring.set_published(fran, "peer-conflict", False)
    with pytest.raises(InvalidInput, match="Publish"):
        services.cohorts.assign(fran, cohort.id, "peer-conflict")


def test_other_facilitators_and_learners_cannot_see_a_cohort(
    services: Services, fran: Principal, learner: Principal
) -> None:
    cohort = services.cohorts.create_cohort(fran, "Mine")
    services.cohorts.add_member(fran, cohort.id, "lee")
    gil = make_user(services, "gil", Role.FACILITATOR)
    peer = make_user(services, "pat", Role.PEER)
    assert services.cohorts.list_cohorts(gil) == []
    for call in (
        services.cohorts.dashboard,
        services.cohorts.export_csv,
        services.cohorts.members,
        services.cohorts.assignments,
    ):
        with pytest.raises(NotFound):
            call(gil, cohort.id)
        with pytest.raises(PermissionDenied):
            call(learner, cohort.id)
        with pytest.raises(PermissionDenied):
            call(peer, cohort.id)
    with pytest.raises(PermissionDenied):
        services.cohorts.create_cohort(learner, "Learners' own")
    assert services.cohorts.learner_ids(gil) == set()
    assert services.cohorts.learner_ids(fran) == {learner.user_id}
    admin = make_user(services, "ada", Role.ADMIN)
    assert services.cohorts.dashboard(admin, cohort.id).cohort.name == "Mine"


def test_assessment_mode_follows_the_sessions_assignment(
    services: Services, fran: Principal, learner: Principal
) -> None:
    cohort = services.cohorts.create_cohort(fran, "Assessed")
    services.cohorts.add_member(fran, cohort.id, "lee")
    exam = services.cohorts.assign(fran, cohort.id, "peer-conflict", assessment=True)
    free = services.practice.start(learner, "workload-delegation", seed=1).id
    assert services.cohorts.assessment_mode(learner, free) is False
    # starting an assigned scenario attaches the learner's open assignment
    session_id = services.practice.start(learner, "peer-conflict", seed=1).id
    assert services.cohorts.assignment_for_session(learner, session_id) == exam
    assert services.cohorts.assessment_mode(learner, session_id) is True
    assert services.cohorts.assessment_mode(fran, session_id) is True  # cohort staff
    stranger = make_user(services, "sol", Role.LEARNER)
    with pytest.raises(NotFound):
        services.cohorts.assessment_mode(stranger, session_id)
    gil = make_user(services, "gil", Role.FACILITATOR)
    with pytest.raises(NotFound):
        services.cohorts.assignment_for_session(gil, session_id)
