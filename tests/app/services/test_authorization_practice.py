"""Authorisation of the practice service and the practice room: a session is its owner's alone.

Another learner, a peer, a facilitator (even the owner's own) and anyone else get "not found" for a
session they do not own, whatever they try: read, send, rewind and branch, export, debrief, delete.
Administrators may read and continue any session (``owned_session``).
"""

from __future__ import annotations

from typing import Any

import pytest

from app.bootstrap import Services
from tests.app.services.helpers import GOOD_LINES, practise
from tests.app.services.test_authorization import (
    NOT_OWNER,
    Cases,
    Filtered,
    Open,
    Refused,
    World,
    cast,
    check,
    denied,
    unseen,
)

SCENARIO = "peer-conflict"
OWNER_ONLY = unseen(*NOT_OWNER)  # a session's owner sees it; nobody else learns it exists
# an administrator may read a learner's session, never act in it in the learner's name
OWNER_ACTS = {**OWNER_ONLY, **denied("admin")}


@pytest.fixture
def world(services: Services) -> World:
    """The cast, with sessions and goals of the owner (a learner in the facilitator's cohort)."""
    w = cast(services)
    lee, practice = w.who["owner"], services.practice
    w.ids["ended"] = practise(services, lee, SCENARIO)
    for key, lines in (("active", GOOD_LINES[:1]), ("to_end", GOOD_LINES[:1]), ("doomed", [])):
        view = practice.start(lee, SCENARIO, seed=2, private_mode=key == "active")
        for line in lines:
            practice.send(lee, view.id, line)
        w.ids[key] = view.id
    w.ids["sessions"] = {w["ended"], w["active"], w["to_end"], w["doomed"]}
    w.ids["goal"] = services.room.progress.add_goal(lee, "Ask one open question at a time").id
    w.ids["doomed_goal"] = services.room.progress.add_goal(lee, "Reflect before advising").id
    return w


def _has_session(w: World, rows: Any) -> bool:
    return any(getattr(r, "session_id", getattr(r, "id", None)) in w["sessions"] for r in rows)


def _owners_sessions(w: World) -> set[int]:
    return {row.id for row in w.s.practice.list_sessions(w.who["owner"])}


def _streamed(w: World, p: Any) -> str:
    # drain the stream so the worker thread has stored the reply before the test ends
    return "".join(w.s.practice.send_stream(p, w["active"], "What matters most here?"))


CASES: Cases = {
    # -- practice --------------------------------------------------------------------------------
    "practice.start": Refused(
        lambda w, p: w.s.practice.start(p, SCENARIO, seed=3),
        denied("peer", "facilitator", "rival"),
        allowed=("owner", "other"),
    ),
    "practice.get": Refused(
        lambda w, p: w.s.practice.get(p, w["ended"]), OWNER_ONLY, allowed=("owner", "admin")
    ),
    "practice.list_sessions": Filtered(
        lambda w, p: w.s.practice.list_sessions(p),
        _has_session,
        hidden_from=(*NOT_OWNER, "admin"),
        shown_to=("owner",),
    ),
    "practice.active_session": Filtered(
        lambda w, p: w.s.practice.active_session(p, SCENARIO),
        lambda w, found: found in _owners_sessions(w),
        hidden_from=(*NOT_OWNER, "admin"),
        shown_to=("owner",),
    ),
    "practice.send": Refused(
        lambda w, p: w.s.practice.send(p, w["active"], "Tell me more about that."),
        OWNER_ACTS,
        allowed=("owner",),
    ),
    "practice.send_stream": Refused(_streamed, OWNER_ACTS, allowed=("owner",)),
    "practice.retry_reply": Refused(
        lambda w, p: w.s.practice.retry_reply(p, w["active"]), OWNER_ACTS, allowed=("owner",)
    ),
    "practice.report_reply": Refused(
        lambda w, p: w.s.practice.report_reply(p, w["ended"], 0, "sounds scripted"),
        OWNER_ACTS,
        allowed=("owner",),
    ),
    "practice.reported_replies": Refused(
        lambda w, p: w.s.practice.reported_replies(p),
        denied("owner", "other", "peer"),
        allowed=("facilitator", "admin"),
    ),
    "practice.end": Refused(
        lambda w, p: w.s.practice.end(p, w["to_end"]), OWNER_ACTS, allowed=("owner",)
    ),
    "practice.debrief": Refused(
        lambda w, p: w.s.practice.debrief(p, w["ended"]), OWNER_ONLY, allowed=("owner", "admin")
    ),
    "practice.delete": Refused(
        lambda w, p: w.s.practice.delete(p, w["doomed"]), OWNER_ONLY, allowed=("owner",)
    ),
    # -- the practice room -----------------------------------------------------------------------
    "room.branching.branch": Refused(
        lambda w, p: w.s.room.branching.branch(p, w["ended"], 1),
        unseen("other") | denied("peer", "facilitator", "rival", "admin"),
        allowed=("owner",),
    ),
    "room.options.options": Refused(
        lambda w, p: w.s.room.options.options(p, w["active"]), OWNER_ONLY, allowed=("owner",)
    ),
    "room.options.set_nudges": Refused(
        lambda w, p: w.s.room.options.set_nudges(p, w["active"], False),
        OWNER_ACTS,
        allowed=("owner",),
    ),
    "room.options.set_private_mode": Refused(
        # the refused callers try to lift private mode, so a leak would show in the stored rows
        lambda w, p: w.s.room.options.set_private_mode(p, w["active"], False),
        OWNER_ACTS,
        allowed=("owner",),
    ),
    "room.options.live_nudges": Refused(
        lambda w, p: w.s.room.options.live_nudges(p, w["active"]), OWNER_ONLY, allowed=("owner",)
    ),
    "room.debriefing.annotated": Refused(
        lambda w, p: w.s.room.debriefing.annotated(p, w["ended"]),
        OWNER_ONLY,
        allowed=("owner", "admin"),
    ),
    "room.exports.as_json": Refused(
        lambda w, p: w.s.room.exports.as_json(p, w["ended"]), OWNER_ONLY, allowed=("owner",)
    ),
    "room.exports.as_markdown": Refused(
        lambda w, p: w.s.room.exports.as_markdown(p, w["ended"]), OWNER_ONLY, allowed=("owner",)
    ),
    "room.progress.attempts": Filtered(
        lambda w, p: w.s.room.progress.attempts(p),
        _has_session,
        hidden_from=(*NOT_OWNER, "admin"),
        shown_to=("owner",),
    ),
    "room.progress.trends": Filtered(
        lambda w, p: w.s.room.progress.trends(p),
        _has_session,
        hidden_from=(*NOT_OWNER, "admin"),
        shown_to=("owner",),
    ),
    "room.progress.compare": Refused(
        lambda w, p: w.s.room.progress.compare(p, w["ended"], w["active"]),
        unseen(*NOT_OWNER, "admin"),  # progress is always the caller's own, administrators too
        allowed=("owner",),
    ),
    "room.progress.goals": Filtered(
        lambda w, p: w.s.room.progress.goals(p),
        lambda w, goals: any(g.id == w["goal"] for g in goals),
        hidden_from=(*NOT_OWNER, "admin"),
        shown_to=("owner",),
    ),
    "room.progress.add_goal": Open(
        "every logged-in user keeps their own goals; the goal is stored for the caller only",
        lambda w, p: w.s.room.progress.add_goal(p, "Summarise before closing"),
    ),
    "room.progress.set_goal_done": Refused(
        lambda w, p: w.s.room.progress.set_goal_done(p, w["goal"], True),
        unseen(*NOT_OWNER, "admin"),
        allowed=("owner",),
    ),
    "room.progress.delete_goal": Refused(
        lambda w, p: w.s.room.progress.delete_goal(p, w["doomed_goal"]),
        unseen(*NOT_OWNER, "admin"),
        allowed=("owner",),
    ),
    "room.recommendations.catalogue": Refused(
        lambda w, p: w.s.room.recommendations.catalogue(p),
        denied("peer"),
        allowed=("owner", "facilitator"),
    ),
    "room.recommendations.recommended": Refused(
        lambda w, p: w.s.room.recommendations.recommended(p),
        denied("peer"),
        allowed=("owner", "other"),
    ),
}


def test_practice_and_room_methods_guard_the_owners_sessions(world: World) -> None:
    check(world, CASES)
