"""Accounts: local users with argon2 password hashes, roles and throttled login.

Passwords are never stored or logged in clear.  After ``MAX_FAILURES`` wrong passwords an account
is locked for a growing period; the error message never says whether the username exists.
"""

from __future__ import annotations

import functools
import hashlib
import re
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from sqlalchemy import delete, select

from app.services.errors import AuthenticationFailed, Conflict, InvalidInput, NotFound
from app.services.principal import Action, Principal, Role
from app.storage.database import Database
from app.storage.models import LoginToken, User, UserRole

MAX_FAILURES = 5
LOCK_SECONDS = 60
TOKEN_HOURS = 12
USERNAME_RE = re.compile(r"^[a-z0-9][a-z0-9._-]{1,63}$")
MIN_PASSWORD = 8
MAX_PASSWORD = 256


@dataclass(frozen=True, slots=True)
class UserSummary:
    """A user as shown to administrators (never the hash)."""

    id: int
    username: str
    display_name: str
    roles: tuple[str, ...]
    active: bool


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def _principal(user: User) -> Principal:
    return Principal(
        user_id=user.id,
        username=user.username,
        display_name=user.display_name,
        roles=frozenset(Role(r.role) for r in user.roles),
    )


class AccountService:
    """Create users, assign roles and authenticate."""

    def __init__(self, db: Database, hasher: PasswordHasher | None = None) -> None:
        self._db = db
        self._hasher = hasher or PasswordHasher()

    @functools.cached_property
    def _dummy_hash(self) -> str:
        # Hashed on the first unknown-user login, not at startup: one argon2 hash costs ~0.1 s.
        return self._hasher.hash("not-a-real-password")

    def create_user(
        self,
        actor: Principal,
        username: str,
        password: str,
        roles: set[Role] | frozenset[Role],
        *,
        display_name: str | None = None,
        email: str | None = None,
    ) -> UserSummary:
        """Create a local user; only administrators may do this."""
        actor.require(Action.MANAGE_USERS)
        username = username.strip().lower()
        if not USERNAME_RE.match(username):
            raise InvalidInput(
                "Username must be 2-64 characters: lowercase letters, digits, '.', '_' or '-'."
            )
        if not MIN_PASSWORD <= len(password) <= MAX_PASSWORD:
            raise InvalidInput(f"Password must be {MIN_PASSWORD}-{MAX_PASSWORD} characters long.")
        if not roles:
            raise InvalidInput("A user needs at least one role.")
        with self._db.session() as s:
            if s.scalar(select(User).where(User.username == username)):
                raise Conflict(f"User '{username}' already exists.")
            user = User(
                username=username,
                display_name=(display_name or username)[:120],
                email=email,
                password_hash=self._hasher.hash(password),
                active=True,
                failed_logins=0,
            )
            user.roles = [UserRole(role=r.value) for r in sorted(roles)]
            s.add(user)
            s.flush()
            return self._summary(user)

    def set_roles(self, actor: Principal, username: str, roles: set[Role]) -> UserSummary:
        """Replace a user's roles (administrators only)."""
        actor.require(Action.MANAGE_USERS)
        if not roles:
            raise InvalidInput("A user needs at least one role.")
        with self._db.session() as s:
            user = s.scalar(select(User).where(User.username == username.lower()))
            if user is None:
                raise NotFound(f"No user '{username}'.")
            user.roles = [UserRole(role=r.value) for r in sorted(roles)]
            s.flush()
            return self._summary(user)

    def set_password(self, actor: Principal, username: str, password: str) -> None:
        """Set a user's password (administrators) and clear any lock."""
        actor.require(Action.MANAGE_USERS)
        if not MIN_PASSWORD <= len(password) <= MAX_PASSWORD:
            raise InvalidInput(f"Password must be {MIN_PASSWORD}-{MAX_PASSWORD} characters long.")
        with self._db.session() as s:
            user = s.scalar(select(User).where(User.username == username.strip().lower()))
            if user is None:
                raise NotFound(f"No user '{username}'.")
            user.password_hash = self._hasher.hash(password)
            user.failed_logins = 0
            user.locked_until = None

    def set_active(self, actor: Principal, username: str, active: bool) -> UserSummary:
        """Deactivate a user (logged out everywhere at once, data kept) or reactivate them."""
        actor.require(Action.MANAGE_USERS)
        with self._db.session() as s:
            user = s.scalar(select(User).where(User.username == username.strip().lower()))
            if user is None:
                raise NotFound(f"No user '{username}'.")
            if not active and actor.user_id == user.id:
                raise InvalidInput("You cannot deactivate your own account.")
            user.active = active
            if not active:
                s.execute(delete(LoginToken).where(LoginToken.user_id == user.id))
            s.flush()
            return self._summary(user)

    def list_users(self, actor: Principal) -> list[UserSummary]:
        """All users, for administrators."""
        actor.require(Action.MANAGE_USERS)
        with self._db.session() as s:
            return [self._summary(u) for u in s.scalars(select(User).order_by(User.username))]

    def exists(self, username: str) -> bool:
        """Whether a username is taken (used by the CLI before prompting for a password)."""
        with self._db.session() as s:
            return s.scalar(select(User.id).where(User.username == username.lower())) is not None

    def authenticate(self, username: str, password: str) -> Principal:
        """Check a password and return the principal; throttled after repeated failures."""
        failure = AuthenticationFailed("Wrong username or password.")
        now = datetime.now(UTC)
        with self._db.session() as s:
            user = s.scalar(select(User).where(User.username == username.strip().lower()))
            if user is None or not user.active:
                self._verify(self._dummy_hash, password)  # same cost whether or not user exists
                raise failure
            locked_until = user.locked_until
            if locked_until is not None and locked_until.tzinfo is None:
                locked_until = locked_until.replace(tzinfo=UTC)
            if locked_until is not None and locked_until > now:
                wait = int((locked_until - now).total_seconds()) + 1
                raise AuthenticationFailed(f"Too many failed attempts. Try again in {wait} s.")
            if not self._verify(user.password_hash, password):
                user.failed_logins += 1
                if user.failed_logins >= MAX_FAILURES:
                    factor = 2 ** min(user.failed_logins - MAX_FAILURES, 6)
                    user.locked_until = now + timedelta(seconds=LOCK_SECONDS * factor)
                s.commit()
                raise failure
            user.failed_logins = 0
            user.locked_until = None
            if self._hasher.check_needs_rehash(user.password_hash):
                user.password_hash = self._hasher.hash(password)
            return _principal(user)

    def principal_for(self, user_id: int) -> Principal:
        """Reload a principal by id (roles may have changed since login)."""
        with self._db.session() as s:
            user = s.get(User, user_id)
            if user is None or not user.active:
                raise NotFound("This account no longer exists.")
            return _principal(user)

    def issue_token(self, principal: Principal) -> str:
        """A login token for this browser (kept in the page URL so a reload stays logged in)."""
        if principal.user_id is None:
            raise InvalidInput("The system principal cannot log in to the app.")
        token = secrets.token_urlsafe(32)
        with self._db.session() as s:
            s.add(
                LoginToken(
                    token_hash=_token_hash(token),
                    user_id=principal.user_id,
                    expires_at=datetime.now(UTC) + timedelta(hours=TOKEN_HOURS),
                )
            )
        return token

    def principal_from_token(self, token: str) -> Principal | None:
        """The principal a live token belongs to, or None if unknown or expired."""
        if not token or len(token) > 100:
            return None
        with self._db.session() as s:
            row = s.get(LoginToken, _token_hash(token))
            if row is None:
                return None
            expires = row.expires_at
            if expires.tzinfo is None:
                expires = expires.replace(tzinfo=UTC)
            if expires <= datetime.now(UTC):
                s.delete(row)
                return None
            user = s.get(User, row.user_id)
            if user is None or not user.active:
                return None
            return _principal(user)

    def revoke_token(self, token: str) -> None:
        """Log a browser out."""
        with self._db.session() as s:
            row = s.get(LoginToken, _token_hash(token))
            if row is not None:
                s.delete(row)

    def _verify(self, password_hash: str, password: str) -> bool:
        if len(password) > MAX_PASSWORD:
            return False
        try:
            return self._hasher.verify(password_hash, password)
        except (VerifyMismatchError, VerificationError, InvalidHashError):
            return False

    @staticmethod
    def _summary(user: User) -> UserSummary:
        return UserSummary(
            id=user.id,
            username=user.username,
            display_name=user.display_name,
            roles=tuple(sorted(r.role for r in user.roles)),
            active=user.active,
        )
