"""Authorisation of accounts, backup and content: administrators and authors only.

Only administrators manage users and run backups; only facilitators and administrators import,
export or list full scenarios and rubrics (hidden layers included); a peer cannot practise, so it
does not get the learner's catalogue either.  Deactivated accounts never get a principal.
"""

from __future__ import annotations

import pytest

from app.bootstrap import Services
from app.services.authoring import AuthoringService
from app.services.errors import AuthenticationFailed, Conflict, InvalidInput, NotFound
from app.services.principal import Principal, Role
from app.storage.models import User
from tests.app.services.test_authorization import (
    Cases,
    NoPrincipal,
    Open,
    Refused,
    World,
    cast,
    check,
    denied,
)
from tests.builders import PASSWORD, make_user

ADMIN_ONLY = denied("owner", "other", "peer", "facilitator", "rival")
STAFF_ONLY = denied("owner", "other", "peer")  # facilitators and administrators
SCENARIO = "workload-delegation"
SCENARIO_DRAFT = AuthoringService.starter("scenario")
RUBRIC_DRAFT = AuthoringService.starter("rubric")


@pytest.fixture
def world(services: Services) -> World:
    """The cast, and a backup document to try importing."""
    w = cast(services)
    w.ids["backup"] = services.backup.export_all(Principal.system())
    return w


def _import_backup(w: World, p: Principal) -> str:
    """Import into this (non-empty) database: past the permission check, Conflict follows."""
    try:
        w.s.backup.import_all(p, w["backup"])
    except Conflict:
        return "passed the permission check"
    raise AssertionError("importing into a database with users must conflict")


def _own_token(w: World, p: Principal) -> None:
    token = w.s.accounts.issue_token(p)
    restored = w.s.accounts.principal_from_token(token)
    assert restored is not None and restored.user_id == p.user_id


CASES: Cases = {
    # -- accounts ----------------------------------------------------------------------------
    "accounts.create_user": Refused(
        lambda w, p: w.s.accounts.create_user(p, f"new-{p.username}", PASSWORD, {Role.LEARNER}),
        ADMIN_ONLY,
        allowed=("admin",),
    ),
    "accounts.set_roles": Refused(  # a bid to make oneself an administrator
        lambda w, p: w.s.accounts.set_roles(p, p.username, {Role.ADMIN}),
        ADMIN_ONLY,
        allowed=("admin",),
    ),
    "accounts.set_password": Refused(  # a bid to take over the administrator's account
        lambda w, p: w.s.accounts.set_password(p, "ada", "taken-over-password"),
        ADMIN_ONLY,
        allowed=("admin",),
    ),
    "accounts.set_active": Refused(  # a bid to lock the administrator out
        lambda w, p: w.s.accounts.set_active(p, "ada", True),
        ADMIN_ONLY,
        allowed=("admin",),
    ),
    "accounts.list_users": Refused(
        lambda w, p: w.s.accounts.list_users(p), ADMIN_ONLY, allowed=("admin",)
    ),
    "accounts.exists": NoPrincipal(
        "the CLI asks it before prompting for a password; it never reaches the web app"
    ),
    "accounts.authenticate": NoPrincipal(
        "the login itself produces the principal; inactive accounts are refused"
    ),
    "accounts.principal_for": NoPrincipal(
        "reloads a known user's principal (CLI --as USER); refuses inactive accounts"
    ),
    "accounts.issue_token": Open(
        "every user may keep their own login; the token always names the caller", _own_token
    ),
    "accounts.principal_from_token": NoPrincipal(
        "restores a login from its secret token; refuses expired tokens and inactive users"
    ),
    "accounts.revoke_token": NoPrincipal(
        "logging out: only the holder of the secret token can name the login it ends"
    ),
    # -- backup ------------------------------------------------------------------------------
    "backup.export_all": Refused(
        lambda w, p: w.s.backup.export_all(p), ADMIN_ONLY, allowed=("admin",)
    ),
    "backup.import_all": Refused(_import_backup, ADMIN_ONLY, allowed=("admin",)),
    # -- content -----------------------------------------------------------------------------
    "content.sync_builtin": NoPrincipal(
        "start-up only (Services.prepare, `coachlab init`): stores the built-in files"
    ),
    "content.load_problems": Refused(  # file paths and lines of the server's content folder
        lambda w, p: w.s.content.load_problems(p), STAFF_ONLY, allowed=("facilitator",)
    ),
    "content.list_scenarios": Refused(
        lambda w, p: w.s.content.list_scenarios(p),
        denied("peer"),
        allowed=("owner", "facilitator"),
    ),
    "content.learner_view": Refused(
        lambda w, p: w.s.content.learner_view(p, SCENARIO),
        denied("peer", "facilitator", "rival"),
        allowed=("owner",),
    ),
    "content.latest_scenario": NoPrincipal(
        "internal: holds hidden layers, so only services call it, after their own check"
    ),
    "content.scenario_version": NoPrincipal(
        "internal: holds hidden layers, so only services call it, after their own check"
    ),
    "content.import_scenario": Refused(
        lambda w, p: w.s.content.import_scenario(p, SCENARIO_DRAFT, "new.yaml"),
        STAFF_ONLY,
        allowed=("facilitator",),
    ),
    "content.export_scenario": Refused(  # the full file: hidden layers included
        lambda w, p: w.s.content.export_scenario(p, SCENARIO),
        STAFF_ONLY,
        allowed=("facilitator", "admin"),
    ),
    "content.export_rubric": Refused(
        lambda w, p: w.s.content.export_rubric(p, "core-coaching"),
        STAFF_ONLY,
        allowed=("facilitator", "admin"),
    ),
    "content.all_scenarios": Refused(
        lambda w, p: w.s.content.all_scenarios(p), STAFF_ONLY, allowed=("facilitator",)
    ),
    "content.import_rubric": Refused(
        lambda w, p: w.s.content.import_rubric(p, RUBRIC_DRAFT, "new.yaml"),
        STAFF_ONLY,
        allowed=("facilitator",),
    ),
    "content.list_rubrics": NoPrincipal(
        "rubric names and descriptions, shown wherever a rubric is chosen: nothing private"
    ),
    "content.latest_rubric": NoPrincipal(
        "internal: services load the rubric they score with; rubric texts are not secret"
    ),
    "content.rubric_version": NoPrincipal(
        "internal: services load the rubric they score with; rubric texts are not secret"
    ),
}


def test_account_backup_and_content_methods_check_roles(world: World) -> None:
    check(world, CASES)


def test_a_deactivated_account_gets_no_principal(services: Services) -> None:
    accounts = services.accounts
    user = accounts.create_user(Principal.system(), "gone", PASSWORD, {Role.LEARNER})
    token = accounts.issue_token(accounts.principal_for(user.id))
    admin = make_user(services, "root", Role.ADMIN)
    assert accounts.set_active(admin, "gone", False).active is False
    with services.db.session() as s:
        assert s.get(User, user.id).active is False  # type: ignore[union-attr]
    with pytest.raises(AuthenticationFailed, match="Wrong username or password"):
        accounts.authenticate("gone", PASSWORD)
    with pytest.raises(NotFound):
        accounts.principal_for(user.id)
    assert accounts.principal_from_token(token) is None


def test_deactivation_is_reversible_and_spares_the_admin_themself(services: Services) -> None:
    accounts = services.accounts
    admin = make_user(services, "root", Role.ADMIN)
    make_user(services, "back", Role.LEARNER)
    accounts.set_active(admin, "back", False)
    assert accounts.set_active(admin, "back", True).active
    assert accounts.authenticate("back", PASSWORD).username == "back"
    with pytest.raises(InvalidInput, match="your own account"):
        accounts.set_active(admin, "root", False)
