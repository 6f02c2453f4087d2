"""Uploaded real sessions: consent first, parsed and scored, private to their owner."""

from __future__ import annotations

import pytest

from app.bootstrap import Services
from app.services.errors import InvalidInput, NotFound, PermissionDenied
from app.services.principal import Principal, Role
from app.services.rate_limit import RateLimited
from app.services.uploads import SCORES_PER_WINDOW
from tests.app.services.helpers import TRANSCRIPT
from tests.builders import make_user

VTT = """WEBVTT

00:00:01.000 --> 00:00:04.000
<v Coach>What would you like to get out of today?

00:00:05.000 --> 00:00:09.000
<v Dana>I need to decide whether to take the new role.

00:00:10.000 --> 00:00:14.000
<v Coach>It sounds like a big decision. What matters most to you in it?
"""


def test_upload_needs_consent_and_is_scored(services: Services) -> None:
    fran = make_user(services, "fran", Role.FACILITATOR)
    with pytest.raises(InvalidInput, match="agreed"):
        services.uploads.upload(fran, "Dana", VTT, consent_confirmed=False)
    assert services.uploads.list_uploads(fran) == []
    view = services.uploads.upload(fran, "Dana, week 1", VTT, consent_confirmed=True)
    assert [t.speaker for t in view.turns] == ["coach", "client", "coach"]
    assert view.scorecard is not None and view.scorecard["rubric"]["id"] == "core-coaching"
    rescored = services.uploads.rescore(fran, view.id, "grow-structure")
    assert rescored.scorecard is not None and rescored.scorecard["rubric"]["id"] == "grow-structure"
    (summary,) = services.uploads.list_uploads(fran)
    assert summary.title == "Dana, week 1" and summary.turns == 3 and summary.overall is not None
    services.uploads.delete(fran, view.id)
    assert services.uploads.list_uploads(fran) == []
    with pytest.raises(NotFound):
        services.uploads.get(fran, view.id)


def test_plain_text_and_bad_input(services: Services, learner: Principal) -> None:
    view = services.uploads.upload(learner, "Mine", TRANSCRIPT, consent_confirmed=True)
    assert len(view.turns) == 6
    with pytest.raises(InvalidInput):
        services.uploads.upload(learner, "Empty", "   ", consent_confirmed=True)
    with pytest.raises(NotFound):
        services.uploads.upload(learner, "X", TRANSCRIPT, consent_confirmed=True, rubric_id="no")


def test_uploads_are_private(services: Services, learner: Principal) -> None:
    view = services.uploads.upload(learner, "Mine", TRANSCRIPT, consent_confirmed=True)
    other = make_user(services, "ola", Role.FACILITATOR)
    assert services.uploads.list_uploads(other) == []
    for call in (services.uploads.get, services.uploads.delete):
        with pytest.raises(NotFound):
            call(other, view.id)
    peer = make_user(services, "pat", Role.PEER)
    with pytest.raises(PermissionDenied):
        services.uploads.upload(peer, "X", TRANSCRIPT, consent_confirmed=True)


def test_uploads_have_size_and_turn_limits(services: Services) -> None:
    fran = make_user(services, "fran", Role.FACILITATOR)
    big = "Coach: " + "What matters to you here? " * 20_000
    with pytest.raises(InvalidInput, match="larger than 500 kB"):
        services.uploads.upload(fran, "big", big, consent_confirmed=True)
    many = "\n".join(f"{'Coach' if i % 2 else 'Client'}: turn {i}" for i in range(601))
    with pytest.raises(InvalidInput, match="601 turns; the limit is 600"):
        services.uploads.upload(fran, "many", many, consent_confirmed=True)
    client_only = "Client: I'm stuck.\nClient: Really stuck.\n"
    with pytest.raises(InvalidInput, match="no coach turns"):
        services.uploads.upload(fran, "client", client_only, consent_confirmed=True)
    assert services.uploads.list_uploads(fran) == []


def test_upload_scoring_is_rate_limited_per_user(services: Services) -> None:
    fran = make_user(services, "fran", Role.FACILITATOR)
    fay = make_user(services, "fay", Role.FACILITATOR)
    first = services.uploads.upload(fran, "Dana", VTT, consent_confirmed=True)
    for _ in range(SCORES_PER_WINDOW - 1):
        services.uploads.rescore(fran, first.id, "core-coaching")
    with pytest.raises(RateLimited, match="please wait"):
        services.uploads.upload(fran, "Dana again", VTT, consent_confirmed=True)
    with pytest.raises(RateLimited):
        services.uploads.rescore(fran, first.id, "grow-structure")
    assert len(services.uploads.list_uploads(fran)) == 1
    services.uploads.upload(fay, "Dana", VTT, consent_confirmed=True)  # another user is not held
