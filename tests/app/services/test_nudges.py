"""Live nudges: the rules on stored labels, the learner's switch and the assessment rule."""

from __future__ import annotations

import pytest

from app.bootstrap import Services
from app.services.errors import InvalidInput, NotFound
from app.services.nudges import nudges_for
from app.services.principal import Principal, Role
from rubrics.labels import CoachLabels
from tests.app.services.practice_helpers import make_assessment, play
from tests.builders import make_user


def _labels(*techniques: str, flags: tuple[str, ...] = ()) -> CoachLabels:
    return CoachLabels(techniques=techniques, primary=techniques[0], flags=flags)  # type: ignore[arg-type]


CLOSED = _labels("question_closed")
OPEN = _labels("question_open")
ADVICE = _labels("advice")


def _ids(turns: list[CoachLabels]) -> list[str]:
    return [n.id for n in nudges_for(turns)]


def test_three_closed_questions_in_a_row() -> None:
    assert _ids([OPEN, CLOSED, CLOSED]) == []
    assert _ids([CLOSED, CLOSED, CLOSED]) == ["closed_streak"]
    assert _ids([CLOSED, CLOSED, CLOSED, OPEN]) == [], "an open question clears it"


def test_advice_twice_without_asking_permission() -> None:
    assert _ids([ADVICE]) == []
    assert _ids([ADVICE, OPEN, ADVICE]) == ["advice_unasked"]
    assert _ids([ADVICE, _labels("permission"), ADVICE]) == []
    assert _ids([ADVICE, ADVICE, OPEN]) == [], "only while the learner is still advising"


def test_flags_on_the_last_turn() -> None:
    stacked = _labels("question_open", flags=("stacked_questions",))
    assert _ids([stacked]) == ["stacked"]
    assert _ids([stacked, OPEN]) == []
    assert _ids([_labels("question_closed", flags=("leading_question",))]) == ["leading"]
    assert _ids([]) == []


CLOSED_LINES = ["Is it the reports?", "Is it your boss?", "Do you sleep enough?"]


def test_live_nudges_follow_the_switch(services: Services, learner: Principal) -> None:
    session = play(services, learner, CLOSED_LINES)
    assert [n.id for n in services.room.options.live_nudges(learner, session)] == ["closed_streak"]
    options = services.room.options.set_nudges(learner, session, False)
    assert not options.nudges_on and options.nudges_switchable
    assert services.room.options.live_nudges(learner, session) == []


def test_assessments_have_no_nudges_and_no_switch(services: Services, learner: Principal) -> None:
    session = play(services, learner, CLOSED_LINES)
    make_assessment(services, session)
    options = services.room.options.options(learner, session)
    assert options.assessment and not options.nudges_on and not options.nudges_switchable
    assert services.room.options.live_nudges(learner, session) == []
    with pytest.raises(InvalidInput, match="assessments"):
        services.room.options.set_nudges(learner, session, True)


def test_a_practice_assignment_keeps_nudges(services: Services, learner: Principal) -> None:
    session = play(services, learner, CLOSED_LINES)
    make_assessment(services, session, assessment=False)
    assert services.room.options.live_nudges(learner, session)


def test_options_belong_to_the_owner(services: Services, learner: Principal) -> None:
    session = play(services, learner, CLOSED_LINES[:1])
    other = make_user(services, "kim", Role.LEARNER)
    with pytest.raises(NotFound):
        services.room.options.live_nudges(other, session)
    with pytest.raises(NotFound):
        services.room.options.set_private_mode(other, session, True)
    assert services.room.options.set_private_mode(learner, session, True).private_mode
