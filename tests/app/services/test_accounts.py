"""Accounts: hashing, roles, permission checks, throttling and login tokens."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from app.bootstrap import Services
from app.services.errors import AuthenticationFailed, Conflict, InvalidInput, PermissionDenied
from app.services.principal import Action, Principal, Role
from app.storage.models import LoginToken, User
from tests.builders import PASSWORD, make_user


def test_password_is_hashed_with_argon2(services: Services) -> None:
    make_user(services, "ana", Role.LEARNER)
    with services.db.session() as s:
        stored = s.scalar(select(User.password_hash).where(User.username == "ana"))
    assert stored is not None and stored.startswith("$argon2")
    assert PASSWORD not in stored


def test_roles_and_permissions(services: Services) -> None:
    both = make_user(services, "pat", Role.PEER, Role.LEARNER)
    assert both.roles == frozenset({Role.PEER, Role.LEARNER})
    assert both.can(Action.PRACTISE) and both.can(Action.REVIEW)
    assert not both.can(Action.AUTHOR_CONTENT)
    facilitator = make_user(services, "fran", Role.FACILITATOR)
    assert facilitator.can(Action.AUTHOR_CONTENT) and not facilitator.can(Action.PRACTISE)


def test_only_admins_create_users(services: Services) -> None:
    learner = make_user(services, "lee", Role.LEARNER)
    with pytest.raises(PermissionDenied):
        services.accounts.create_user(learner, "mallory", PASSWORD, {Role.ADMIN})
    admin = make_user(services, "root1", Role.ADMIN)
    services.accounts.create_user(admin, "newbie", PASSWORD, {Role.LEARNER})
    assert services.accounts.exists("newbie")


@pytest.mark.parametrize(
    ("username", "password"),
    [("A", PASSWORD), ("has space", PASSWORD), ("ok-name", "short"), ("ok-name", "x" * 300)],
)
def test_bad_usernames_and_passwords_are_rejected(
    services: Services, username: str, password: str
) -> None:
    with pytest.raises(InvalidInput):
        services.accounts.create_user(Principal.system(), username, password, {Role.LEARNER})


def test_duplicate_username(services: Services) -> None:
    make_user(services, "dup", Role.LEARNER)
    with pytest.raises(Conflict):
        services.accounts.create_user(Principal.system(), "DUP", PASSWORD, {Role.LEARNER})


def test_wrong_password_and_unknown_user_look_the_same(services: Services) -> None:
    make_user(services, "ana", Role.LEARNER)
    with pytest.raises(AuthenticationFailed) as wrong:
        services.accounts.authenticate("ana", "nope-nope-nope")
    with pytest.raises(AuthenticationFailed) as unknown:
        services.accounts.authenticate("nobody", "nope-nope-nope")
    assert str(wrong.value) == str(unknown.value)


def test_login_is_throttled_after_repeated_failures(services: Services) -> None:
    make_user(services, "ana", Role.LEARNER)
    for _ in range(5):
        with pytest.raises(AuthenticationFailed):
            services.accounts.authenticate("ana", "wrong-password")
    with pytest.raises(AuthenticationFailed, match="Too many failed attempts"):
        services.accounts.authenticate("ana", PASSWORD)
    with services.db.session() as s:
        user = s.scalar(select(User).where(User.username == "ana"))
        assert user is not None
        user.locked_until = datetime.now(UTC) - timedelta(seconds=1)
    assert services.accounts.authenticate("ana", PASSWORD).username == "ana"


def test_login_tokens_restore_and_revoke(services: Services) -> None:
    ana = make_user(services, "ana", Role.LEARNER)
    token = services.accounts.issue_token(ana)
    assert services.accounts.principal_from_token(token) == ana
    with services.db.session() as s:
        assert all(token not in row.token_hash for row in s.scalars(select(LoginToken)))
    services.accounts.revoke_token(token)
    assert services.accounts.principal_from_token(token) is None
    assert services.accounts.principal_from_token("forged") is None


def test_expired_tokens_are_refused(services: Services) -> None:
    ana = make_user(services, "ana", Role.LEARNER)
    token = services.accounts.issue_token(ana)
    with services.db.session() as s:
        for row in s.scalars(select(LoginToken)):
            row.expires_at = datetime.now(UTC) - timedelta(minutes=1)
    assert services.accounts.principal_from_token(token) is None
