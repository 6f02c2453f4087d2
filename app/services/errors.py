"""Errors that services raise; their messages are safe and meant to be shown to users."""


class ServiceError(Exception):
    """Base class for errors a user can be shown."""


class PermissionDenied(ServiceError):
    """The caller's roles or ownership do not allow this."""


class NotFound(ServiceError):
    """The thing does not exist, or the caller may not know that it exists."""


class InvalidInput(ServiceError):
    """The request was understood but its content is not acceptable."""


class AuthenticationFailed(ServiceError):
    """Wrong username or password, or the account is temporarily locked."""


class Conflict(ServiceError):
    """The request clashes with the current state (e.g. a duplicate name)."""
