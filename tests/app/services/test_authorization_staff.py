"""Authorisation of cohorts, the studio, calibration and uploads.

Only facilitators and administrators run cohorts, author scenarios and rubrics and calibrate; a
facilitator never reaches another facilitator's cohort, its learners' sessions or their
calibration sets.  Uploaded transcripts are their owner's alone, administrators included.
"""

from __future__ import annotations

from typing import Any

import pytest

from app.bootstrap import Services
from app.services.authoring import AuthoringService
from app.services.principal import Principal
from tests.app.services.helpers import TRANSCRIPT, practise
from tests.app.services.test_authorization import (
    Cases,
    Filtered,
    NoPrincipal,
    Refused,
    World,
    cast,
    check,
    denied,
    unseen,
)

STAFF_ONLY = denied("owner", "other", "peer")  # facilitators and administrators
ASSIGNED = "workload-delegation"
CALIBRATION_SET = "Spring calibration"
RUBRIC = "core-coaching"
SCENARIO_DRAFT = AuthoringService.starter("scenario")
RUBRIC_DRAFT = AuthoringService.starter("rubric")
UPLOAD_OWNER_ONLY = unseen("other", "facilitator", "rival", "admin") | denied("peer")


@pytest.fixture
def world(services: Services) -> World:
    """The cast; the facilitator assigns, calibrates and test-drives; the owner practises."""
    w = cast(services)
    lee, fran = w.who["owner"], w.who["facilitator"]
    spring, cohorts = w["spring"], services.cohorts
    w.ids["ended"] = practise(services, lee)
    w.ids["assignment"] = cohorts.assign(fran, spring, ASSIGNED).id
    w.ids["doomed_assignment"] = cohorts.assign(fran, spring, "career-change").id
    w.ids["assigned_session"] = services.practice.start(lee, ASSIGNED, seed=1).id
    criterion = services.content.latest_rubric(RUBRIC)[1].criteria[0].id
    w.ids["levels"] = {criterion: 3}
    for key in ("calibration_item", "doomed_item"):
        w.ids[key] = services.calibration.add_item(
            fran, CALIBRATION_SET, RUBRIC, key, TRANSCRIPT, w["levels"]
        )
    for key in ("upload", "doomed_upload"):
        w.ids[key] = services.uploads.upload(lee, key, TRANSCRIPT, consent_confirmed=True).id
    w.ids["drive"] = services.authoring.start_drive(fran, SCENARIO_DRAFT)
    return w


def _remove_and_readd(w: World, p: Principal) -> None:
    peer = w.who["peer"]
    w.s.cohorts.remove_member(p, w["spring"], peer.user_id or -1)
    w.s.cohorts.add_member(p, w["spring"], peer.username)  # later cases need the peer in Spring


def _withdraw_and_restore(w: World, p: Principal) -> None:
    """Withdraw a scenario from every learner, then publish it again."""
    w.s.authoring.set_published(p, "career-change", False)
    w.s.authoring.set_published(p, "career-change", True)


def _has(key: str, attr: str = "id") -> Any:
    """A ``reveals`` predicate: some row's ``attr`` is the world's ``key``."""
    return lambda w, rows: any(getattr(r, attr) == w[key] for r in rows)


CASES: Cases = {
    # -- cohorts -----------------------------------------------------------------------------
    "cohorts.create_cohort": Refused(
        lambda w, p: w.s.cohorts.create_cohort(p, f"Run by {p.username}"),
        STAFF_ONLY,
        allowed=("facilitator", "admin"),
    ),
    "cohorts.list_cohorts": (
        Refused(lambda w, p: w.s.cohorts.list_cohorts(p), STAFF_ONLY, allowed=("facilitator",)),
        Filtered(
            lambda w, p: w.s.cohorts.list_cohorts(p),
            _has("spring"),
            hidden_from=("rival",),
            shown_to=("facilitator", "admin"),
        ),
    ),
    "cohorts.members": Refused(
        lambda w, p: w.s.cohorts.members(p, w["spring"]),
        STAFF_ONLY | unseen("rival"),
        allowed=("facilitator", "admin"),
    ),
    "cohorts.candidates": Refused(
        lambda w, p: w.s.cohorts.candidates(p, w["spring"]),
        STAFF_ONLY | unseen("rival"),
        allowed=("facilitator", "admin"),
    ),
    "cohorts.add_member": Refused(  # a bid to join the cohort
        lambda w, p: w.s.cohorts.add_member(p, w["spring"], p.username),
        STAFF_ONLY | unseen("rival"),
        allowed=("facilitator",),
    ),
    "cohorts.remove_member": Refused(
        _remove_and_readd, STAFF_ONLY | unseen("rival"), allowed=("facilitator",)
    ),
    "cohorts.learner_ids": (
        Refused(lambda w, p: w.s.cohorts.learner_ids(p), STAFF_ONLY, allowed=("facilitator",)),
        Filtered(
            lambda w, p: w.s.cohorts.learner_ids(p),
            lambda w, ids: ids is None or w.who["owner"].user_id in ids,
            hidden_from=("rival",),
            shown_to=("facilitator", "admin"),
        ),
    ),
    "cohorts.assign": Refused(
        lambda w, p: w.s.cohorts.assign(p, w["spring"], "peer-conflict"),
        STAFF_ONLY | unseen("rival"),
        allowed=("facilitator",),
    ),
    "cohorts.assignments": Refused(
        lambda w, p: w.s.cohorts.assignments(p, w["spring"]),
        STAFF_ONLY | unseen("rival"),
        allowed=("facilitator", "admin"),
    ),
    "cohorts.remove_assignment": Refused(
        lambda w, p: w.s.cohorts.remove_assignment(p, w["doomed_assignment"]),
        STAFF_ONLY | unseen("rival"),
        allowed=("facilitator",),
    ),
    "cohorts.assignments_for_learner": Filtered(
        lambda w, p: w.s.cohorts.assignments_for_learner(p),
        _has("assignment"),
        hidden_from=("other", "rival", "admin"),
        shown_to=("owner", "peer"),
    ),
    "cohorts.open_assignment": Filtered(
        lambda w, p: w.s.cohorts.open_assignment(p, ASSIGNED),
        lambda w, found: found is not None and found.id == w["assignment"],
        hidden_from=("other", "rival", "admin"),
        shown_to=("owner",),
    ),
    "cohorts.assignment_for_session": Refused(
        lambda w, p: w.s.cohorts.assignment_for_session(p, w["assigned_session"]),
        unseen("other", "peer", "rival"),
        allowed=("owner", "facilitator", "admin"),
    ),
    "cohorts.assessment_mode": Refused(
        lambda w, p: w.s.cohorts.assessment_mode(p, w["assigned_session"]),
        unseen("other", "peer", "rival"),
        allowed=("owner", "facilitator"),
    ),
    "cohorts.dashboard": Refused(
        lambda w, p: w.s.cohorts.dashboard(p, w["spring"]),
        STAFF_ONLY | unseen("rival"),
        allowed=("facilitator", "admin"),
    ),
    "cohorts.export_csv": Refused(
        lambda w, p: w.s.cohorts.export_csv(p, w["spring"]),
        STAFF_ONLY | unseen("rival"),
        allowed=("facilitator",),
    ),
    # -- the studio --------------------------------------------------------------------------
    "authoring.starter": NoPrincipal(
        "static: the built-in template text, the same for everyone, nothing stored"
    ),
    "authoring.with_fields": NoPrincipal(
        "static: edits the YAML text it is given and reads nothing stored"
    ),
    "authoring.check_scenario": Refused(
        lambda w, p: w.s.authoring.check_scenario(p, SCENARIO_DRAFT),
        STAFF_ONLY,
        allowed=("facilitator",),
    ),
    "authoring.start_drive": Refused(
        lambda w, p: w.s.authoring.start_drive(p, SCENARIO_DRAFT),
        STAFF_ONLY,
        allowed=("facilitator",),
    ),
    "authoring.drive": Refused(
        lambda w, p: w.s.authoring.drive(p, SCENARIO_DRAFT, w["drive"], "What's on your mind?"),
        STAFF_ONLY,
        allowed=("facilitator",),
    ),
    "authoring.save_scenario": Refused(
        lambda w, p: w.s.authoring.save_scenario(p, SCENARIO_DRAFT),
        STAFF_ONLY,
        allowed=("facilitator",),
    ),
    "authoring.scenarios": Refused(
        lambda w, p: w.s.authoring.scenarios(p), STAFF_ONLY, allowed=("facilitator",)
    ),
    "authoring.scenario_history": Refused(
        lambda w, p: w.s.authoring.scenario_history(p, ASSIGNED),
        STAFF_ONLY,
        allowed=("facilitator",),
    ),
    "authoring.scenario_yaml": Refused(
        lambda w, p: w.s.authoring.scenario_yaml(p, ASSIGNED), STAFF_ONLY, allowed=("facilitator",)
    ),
    "authoring.set_published": Refused(
        _withdraw_and_restore, STAFF_ONLY, allowed=("facilitator", "admin")
    ),
    "authoring.check_rubric": Refused(
        lambda w, p: w.s.authoring.check_rubric(p, RUBRIC_DRAFT),
        STAFF_ONLY,
        allowed=("facilitator",),
    ),
    "authoring.save_rubric": Refused(
        lambda w, p: w.s.authoring.save_rubric(p, RUBRIC_DRAFT),
        STAFF_ONLY,
        allowed=("facilitator",),
    ),
    "authoring.rubric_history": Refused(
        lambda w, p: w.s.authoring.rubric_history(p, RUBRIC), STAFF_ONLY, allowed=("facilitator",)
    ),
    "authoring.rubric_yaml": Refused(
        lambda w, p: w.s.authoring.rubric_yaml(p, RUBRIC), STAFF_ONLY, allowed=("facilitator",)
    ),
    "authoring.sample_sessions": (
        Refused(
            lambda w, p: w.s.authoring.sample_sessions(p), STAFF_ONLY, allowed=("facilitator",)
        ),
        Filtered(
            lambda w, p: w.s.authoring.sample_sessions(p),
            _has("ended"),
            hidden_from=("rival",),
            shown_to=("facilitator", "admin"),
        ),
    ),
    "authoring.try_rubric": Refused(  # on a learner of someone else's cohort
        lambda w, p: w.s.authoring.try_rubric(p, RUBRIC_DRAFT, session_id=w["ended"]),
        STAFF_ONLY | unseen("rival"),
        allowed=("facilitator", "admin"),
    ),
    # -- calibration -------------------------------------------------------------------------
    "calibration.add_item": Refused(
        lambda w, p: w.s.calibration.add_item(
            p, CALIBRATION_SET, RUBRIC, "More", TRANSCRIPT, w["levels"]
        ),
        STAFF_ONLY,
        allowed=("facilitator", "rival"),  # the rival's set of the same name is their own
    ),
    "calibration.list_sets": (
        Refused(lambda w, p: w.s.calibration.list_sets(p), STAFF_ONLY, allowed=("facilitator",)),
        Filtered(
            lambda w, p: w.s.calibration.list_sets(p),
            lambda w, sets: any(c.name == CALIBRATION_SET for c in sets),
            hidden_from=("rival",),
            shown_to=("facilitator", "admin"),
        ),
    ),
    "calibration.items": (
        Refused(
            lambda w, p: w.s.calibration.items(p, CALIBRATION_SET),
            STAFF_ONLY,
            allowed=("facilitator",),
        ),
        Filtered(
            lambda w, p: w.s.calibration.items(p, CALIBRATION_SET),
            _has("calibration_item"),
            hidden_from=("rival",),
            shown_to=("facilitator", "admin"),
        ),
    ),
    "calibration.remove_item": Refused(
        lambda w, p: w.s.calibration.remove_item(p, w["doomed_item"]),
        STAFF_ONLY | unseen("rival"),
        allowed=("facilitator",),
    ),
    "calibration.report": Refused(
        lambda w, p: w.s.calibration.report(p, CALIBRATION_SET),
        STAFF_ONLY | unseen("rival"),
        allowed=("facilitator",),
    ),
    # -- uploads -----------------------------------------------------------------------------
    "uploads.upload": Refused(
        lambda w, p: w.s.uploads.upload(p, "Mine", TRANSCRIPT, consent_confirmed=True),
        denied("peer"),
        allowed=("owner", "facilitator"),
    ),
    "uploads.rescore": Refused(
        lambda w, p: w.s.uploads.rescore(p, w["upload"], "grow-structure"),
        UPLOAD_OWNER_ONLY,
        allowed=("owner",),
    ),
    "uploads.list_uploads": (
        Refused(lambda w, p: w.s.uploads.list_uploads(p), denied("peer"), allowed=("owner",)),
        Filtered(
            lambda w, p: w.s.uploads.list_uploads(p),
            _has("upload"),
            hidden_from=("other", "facilitator", "rival", "admin"),
            shown_to=("owner",),
        ),
    ),
    "uploads.get": Refused(
        lambda w, p: w.s.uploads.get(p, w["upload"]), UPLOAD_OWNER_ONLY, allowed=("owner",)
    ),
    "uploads.delete": Refused(
        lambda w, p: w.s.uploads.delete(p, w["doomed_upload"]),
        UPLOAD_OWNER_ONLY,
        allowed=("owner",),
    ),
}


def test_staff_methods_check_roles_and_ownership(world: World) -> None:
    check(world, CASES)
