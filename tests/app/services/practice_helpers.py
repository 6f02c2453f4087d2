"""Helpers shared by the practice-room service tests."""

from __future__ import annotations

from app.bootstrap import Services
from app.services.principal import Principal
from app.storage.models import Assignment, Cohort, PracticeSession

SCENARIO = "workload-delegation"
LINES = [
    "What would you like to get out of our conversation today?",
    "It sounds like you're carrying a lot right now. What's taking most of your time?",
    "So the reports keep landing on you, and you're worried about letting the team down.",
    "What matters most to you about how this gets resolved?",
]


def play(services: Services, who: Principal, lines: list[str], seed: int = 7) -> int:
    """Start a session on SCENARIO and send ``lines``; return its id."""
    view = services.practice.start(who, SCENARIO, seed=seed)
    for line in lines:
        services.practice.send(who, view.id, line)
    return view.id


def make_assessment(services: Services, session_id: int, assessment: bool = True) -> None:
    """Attach the session to a (possibly assessed) assignment, as the cohorts feature would."""
    with services.db.session() as s:
        cohort = Cohort(name=f"cohort-{session_id}-{assessment}")
        s.add(cohort)
        s.flush()
        assignment = Assignment(
            cohort_id=cohort.id,
            scenario_id=SCENARIO,
            rubric_id="core-coaching",
            assessment=assessment,
        )
        s.add(assignment)
        s.flush()
        s.get(PracticeSession, session_id).assignment_id = assignment.id
