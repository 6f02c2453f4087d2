"""The annotated debrief: evidence linked to turns, layers credited to the turns earning them."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from app.bootstrap import Services
from app.services.errors import InvalidInput, NotFound
from app.services.principal import Principal, Role
from app.storage.models import TurnRecord
from tests.app.services.practice_helpers import LINES, play
from tests.builders import make_user


def test_evidence_and_annotations_point_at_real_turns(
    services: Services, learner: Principal
) -> None:
    session = play(services, learner, [*LINES, "Is it the reports?"])
    services.practice.end(learner, session)
    d = services.room.debriefing.annotated(learner, session)
    positions = {t.position: t for t in d.turns}
    assert len(d.turns) == 11
    for c in d.criteria:
        assert 1 <= c.level <= 5 and c.score is not None
        for e in c.evidence:
            assert positions[e.turn].speaker == "coach"
            assert c.name in positions[e.turn].evidence_for
    coach = [t for t in d.turns if t.speaker == "coach"]
    assert all(t.techniques for t in coach)
    assert coach[0].grow_stage == "goal"
    assert coach[-1].suggestion, "a closed question gets a better phrasing"
    assert all(not t.techniques and t.suggestion is None for t in d.turns if t.speaker == "client")
    assert d.weakest is not None and d.weakest.level == min(c.level for c in d.criteria)
    assert d.overall is not None


def test_layers_are_credited_to_the_turn_that_earned_them(
    services: Services, learner: Principal
) -> None:
    session = play(services, learner, LINES)
    services.practice.end(learner, session)
    d = services.room.debriefing.annotated(learner, session)
    earned = [layer for layer in d.layers if layer.earned]
    assert earned and d.locked, "this line earns some layers and not all"
    for layer in earned:
        turn = next(t for t in d.turns if t.position == layer.earned_by_turn)
        assert turn.speaker == "coach" and layer.summary in turn.earned
        assert layer.earned_by_quote == turn.text
    assert all(layer.earned_by_turn is None for layer in d.locked)

    # sessions stored before persona turns recorded what they revealed: replay finds the same
    with services.db.session() as s:
        for turn in s.scalars(select(TurnRecord).where(TurnRecord.session_id == session)):
            if turn.labels and "newly_unlocked" in turn.labels:
                turn.labels = {k: v for k, v in turn.labels.items() if k != "newly_unlocked"}
    replayed = services.room.debriefing.annotated(learner, session)
    assert [(x.id, x.earned_by_turn) for x in replayed.layers] == [
        (x.id, x.earned_by_turn) for x in d.layers
    ]


def test_private_practice_hides_every_number(services: Services, learner: Principal) -> None:
    session = play(services, learner, LINES[:2])
    services.room.options.set_private_mode(learner, session, True)
    services.practice.end(learner, session)
    d = services.room.debriefing.annotated(learner, session)
    assert d.private_mode and d.overall is None
    assert all(c.score is None and c.level >= 1 and c.feedback for c in d.criteria)


def test_only_the_owner_of_an_ended_session_gets_it(services: Services, learner: Principal) -> None:
    session = play(services, learner, LINES[:1])
    with pytest.raises(InvalidInput, match="ended"):
        services.room.debriefing.annotated(learner, session)
    services.practice.end(learner, session)
    with pytest.raises(NotFound):
        services.room.debriefing.annotated(make_user(services, "kim", Role.LEARNER), session)
