"""Shared helpers for the studio service tests."""

from __future__ import annotations

from app.bootstrap import Services
from app.services.principal import Principal

GOOD_LINES = (
    "What would you like to get out of our time today?",
    "It sounds like the workload is wearing you down. What's behind that?",
)

TRANSCRIPT = """Coach: What would you like to get out of today?
Client: I want to sort out my workload.
Coach: It sounds like it's wearing you down.
Client: It is. I never stop.
Coach: What would help most?
Client: Saying no more often.
"""


def practise(services: Services, learner: Principal, scenario_id: str = "peer-conflict") -> int:
    """Run a short session for ``learner`` and end it; return its id."""
    view = services.practice.start(learner, scenario_id, seed=1)
    for line in GOOD_LINES:
        services.practice.send(learner, view.id, line)
    services.practice.end(learner, view.id)
    return view.id
