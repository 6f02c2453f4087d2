"""Export a session as Markdown and JSON, and delete it for real (with what was shared from it)."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import func, select

from app.bootstrap import Services
from app.services.errors import NotFound
from app.services.principal import Principal, Role
from app.storage.models import LibraryExchange, PracticeSession, ScorecardRecord, TurnRecord
from tests.app.services.practice_helpers import LINES, SCENARIO, play
from tests.builders import make_user


def _hidden(services: Services) -> str:
    _, scenario = services.content.latest_scenario(SCENARIO)
    return scenario.debrief.real_want


def test_an_ended_session_exports_with_its_debrief(services: Services, learner: Principal) -> None:
    session = play(services, learner, LINES)
    services.practice.end(learner, session)
    doc = json.loads(services.room.exports.as_json(learner, session).data)
    assert doc["format"] == "coachlab-session" and doc["format_version"] == 1
    assert doc["session"]["scenario"]["id"] == SCENARIO
    assert [t["text"] for t in doc["turns"] if t["speaker"] == "coach"] == LINES
    assert doc["turns"][1]["techniques"], "coach turns carry their techniques"
    assert 0 <= doc["scorecard"]["overall"] <= 100
    assert all("score" in c and c["evidence"] is not None for c in doc["scorecard"]["criteria"])
    assert doc["debrief"]["real_want"] == _hidden(services)

    md = services.room.exports.as_markdown(learner, session)
    assert md.filename.endswith(".md") and md.mime == "text/markdown"
    assert md.data.startswith("# Too much on his plate")
    assert LINES[0] in md.data and "## Scorecard" in md.data and "Overall:" in md.data


def test_an_active_session_exports_without_hidden_material(
    services: Services, learner: Principal
) -> None:
    session = play(services, learner, LINES[:2])
    doc = json.loads(services.room.exports.as_json(learner, session).data)
    assert doc["scorecard"] is None and doc["debrief"] is None
    md = services.room.exports.as_markdown(learner, session).data
    assert _hidden(services) not in md and "## Scorecard" not in md


def test_private_practice_exports_no_numbers(services: Services, learner: Principal) -> None:
    session = play(services, learner, LINES[:2])
    services.room.options.set_private_mode(learner, session, True)
    services.practice.end(learner, session)
    card = json.loads(services.room.exports.as_json(learner, session).data)["scorecard"]
    assert "overall" not in card and all("score" not in c for c in card["criteria"])
    assert all(1 <= c["level"] <= 5 for c in card["criteria"])
    md = services.room.exports.as_markdown(learner, session).data
    assert "Overall" not in md and "/100" not in md


def test_strangers_cannot_export_or_delete(services: Services, learner: Principal) -> None:
    session = play(services, learner, LINES[:1])
    other = make_user(services, "kim", Role.LEARNER)
    with pytest.raises(NotFound):
        services.room.exports.as_markdown(other, session)
    with pytest.raises(NotFound):
        services.practice.delete(other, session)


def _count(services: Services, model: type, session_id: int) -> int:
    with services.db.session() as s:
        return s.scalar(
            select(func.count()).select_from(model).where(model.session_id == session_id)
        )


def test_delete_removes_turns_scorecards_shares_and_keeps_branches(
    services: Services, learner: Principal
) -> None:
    session = play(services, learner, LINES)
    services.practice.end(learner, session)
    branch = services.room.branching.branch(learner, session, 2)
    with services.db.session() as s:
        s.add(
            LibraryExchange(
                author_id=learner.user_id,
                session_id=session,
                visibility="everyone",
                turns=[{"speaker": "coach", "text": LINES[0]}],
            )
        )
    assert _count(services, LibraryExchange, session) == 1

    services.practice.delete(learner, session)

    assert _count(services, TurnRecord, session) == 0
    assert _count(services, ScorecardRecord, session) == 0
    assert _count(services, LibraryExchange, session) == 0, "ON DELETE CASCADE must fire"
    with services.db.session() as s:
        assert s.get(PracticeSession, session) is None
        kept = s.get(PracticeSession, branch)
        assert kept is not None and kept.parent_session_id is None
        assert kept.branched_at_turn is None
    assert len(services.practice.get(learner, branch).turns) == 3
    with pytest.raises(NotFound):
        services.practice.get(learner, session)
