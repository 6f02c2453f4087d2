"""Progress: attempts with levels, trends, comparing attempts and branches, and goals."""

from __future__ import annotations

import pytest

from app.bootstrap import Services
from app.services.errors import InvalidInput, NotFound
from app.services.principal import Principal, Role
from tests.app.services.practice_helpers import LINES, play
from tests.builders import make_user


def test_attempts_and_trends_are_the_learners_own(services: Services, learner: Principal) -> None:
    first = play(services, learner, LINES[:2])
    services.practice.end(learner, first)
    second = play(services, learner, LINES)
    services.practice.end(learner, second)
    play(services, make_user(services, "kim", Role.LEARNER), LINES[:1])

    attempts = services.room.progress.attempts(learner)
    assert [a.session_id for a in attempts] == [first, second]
    assert attempts[1].rubric_id == "core-coaching" and len(attempts[1].levels) == 7
    assert attempts[1].overall is not None
    points = services.room.progress.trends(learner)
    assert len(points) == 14
    assert {p.session_id for p in points} == {first, second}
    assert all(1 <= p.level <= 5 for p in points)


def test_private_sessions_show_levels_but_no_scores(services: Services, learner: Principal) -> None:
    view = services.practice.start(learner, "workload-delegation", seed=3, private_mode=True)
    services.practice.send(learner, view.id, LINES[0])
    services.practice.end(learner, view.id)
    (attempt,) = services.room.progress.attempts(learner)
    assert attempt.private_mode and attempt.overall is None and attempt.levels


def test_comparing_a_session_with_its_branch(services: Services, learner: Principal) -> None:
    parent = play(services, learner, LINES)
    services.practice.end(learner, parent)
    branch = services.room.branching.branch(learner, parent, 2)
    services.practice.send(learner, branch, "What would a good week look like for you?")
    services.practice.end(learner, branch)

    comparison = services.room.progress.compare(learner, parent, branch)
    assert comparison.related
    assert [t.position for t in comparison.shared] == [0, 1, 2]
    assert comparison.first_line[0].text == LINES[1]
    assert comparison.second_line[0].text == "What would a good week look like for you?"
    assert len(comparison.rows) == 7
    assert all(r.first is not None and r.second is not None for r in comparison.rows)


def test_comparison_rules(services: Services, learner: Principal) -> None:
    a = play(services, learner, LINES[:1])
    b = services.practice.start(learner, "peer-conflict", seed=1).id
    with pytest.raises(InvalidInput, match="same scenario"):
        services.room.progress.compare(learner, a, b)
    with pytest.raises(InvalidInput):
        services.room.progress.compare(learner, a, a)
    other = make_user(services, "kim", Role.LEARNER)
    c = play(services, other, LINES[:1])
    with pytest.raises(NotFound):
        services.room.progress.compare(learner, a, c)
    unrelated = services.room.progress.compare(learner, a, play(services, learner, LINES[1:2]))
    assert not unrelated.related


def test_goals_can_be_added_completed_and_deleted(services: Services, learner: Principal) -> None:
    progress = services.room.progress
    first = progress.add_goal(learner, "  Ask one question at a time  ")
    second = progress.add_goal(learner, "Reflect before asking")
    assert first.text == "Ask one question at a time"
    progress.set_goal_done(learner, first.id)
    assert [(g.text, g.done) for g in progress.goals(learner)] == [
        ("Reflect before asking", False),
        ("Ask one question at a time", True),
    ]
    other = make_user(services, "kim", Role.LEARNER)
    assert progress.goals(other) == []
    with pytest.raises(NotFound):
        progress.delete_goal(other, second.id)
    with pytest.raises(InvalidInput):
        progress.add_goal(learner, "   ")
    progress.delete_goal(learner, second.id)
    assert [g.id for g in progress.goals(learner)] == [first.id]
