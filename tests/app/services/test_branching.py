"""Rewind and branch: copies of the kept turns, the persona state as it was, both lines kept."""

from __future__ import annotations

import pytest

from app.bootstrap import Services
from app.services.errors import InvalidInput, NotFound
from app.services.principal import Principal, Role
from app.services.replay import StoredTurn, state_after
from app.storage.models import PracticeSession, TurnRecord
from tests.app.services.practice_helpers import LINES, SCENARIO, make_assessment, play
from tests.builders import make_user


def _state(services: Services, session_id: int) -> dict:
    with services.db.session() as s:
        return dict(s.get(PracticeSession, session_id).persona_state)


def test_a_branch_resumes_the_persona_exactly_as_it_was(
    services: Services, learner: Principal
) -> None:
    full = play(services, learner, LINES)
    shorter = play(services, learner, LINES[:2])  # same seed: what the persona was at turn 4
    branch = services.room.branching.branch(learner, full, 4)

    view = services.practice.get(learner, branch)
    parent = services.practice.get(learner, full)
    assert [t.text for t in view.turns] == [t.text for t in parent.turns[:5]]
    assert (view.parent_id, view.branched_at, view.status) == (full, 4, "active")
    assert _state(services, branch) == _state(services, shorter)
    assert _state(services, branch) != _state(services, full)
    assert len(parent.turns) == 1 + 2 * len(LINES), "the original line is untouched"

    services.practice.send(learner, branch, "What would you try first?")
    again = services.practice.get(learner, branch)
    assert again.turns[5].text == "What would you try first?"
    assert len(services.practice.get(learner, full).turns) == 1 + 2 * len(LINES)


def test_rewinding_to_a_learner_turn_lets_them_rewrite_it(
    services: Services, learner: Principal
) -> None:
    session = play(services, learner, LINES[:2])
    branch = services.room.branching.branch(learner, session, 3)
    view = services.practice.get(learner, branch)
    assert view.branched_at == 2
    assert view.turns[-1].speaker == "client" and len(view.turns) == 3


def test_replay_reproduces_the_stored_state(services: Services, learner: Principal) -> None:
    session = play(services, learner, LINES)
    with services.db.session() as s:
        record = s.get(PracticeSession, session)
        turns = [
            StoredTurn(t.position, t.speaker, t.text, t.labels)
            for t in s.query(TurnRecord).filter_by(session_id=session).order_by("position")
        ]
        seed, stored = record.seed, dict(record.persona_state)
    _, scenario = services.content.latest_scenario(SCENARIO)
    assert (
        state_after(services.persona_engine, scenario, seed, turns).model_dump(mode="json")
        == stored
    )


def test_branching_is_refused_for_strangers_bad_turns_and_assessments(
    services: Services, learner: Principal
) -> None:
    session = play(services, learner, LINES[:2])
    other = make_user(services, "kim", Role.LEARNER)
    with pytest.raises(NotFound):
        services.room.branching.branch(other, session, 2)
    with pytest.raises(InvalidInput, match="no turn 99"):
        services.room.branching.branch(learner, session, 99)
    make_assessment(services, session)
    with pytest.raises(InvalidInput, match="Assessment"):
        services.room.branching.branch(learner, session, 2)


def test_a_branch_of_an_ended_session_can_be_practised(
    services: Services, learner: Principal
) -> None:
    session = play(services, learner, LINES[:2])
    services.practice.end(learner, session)
    branch = services.room.branching.branch(learner, session, 2)
    view = services.practice.send(learner, branch, "What else is going on for you?")
    assert view.status == "active" and not view.awaiting_reply
    assert services.practice.get(learner, session).status == "ended"
