"""Errors the domain raises; each door turns them into its own kind of message."""

from __future__ import annotations


class DomainError(Exception):
    """Base class: `message` is safe to show to the person who asked."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class NotAuthenticated(DomainError):
    def __init__(self, message: str = "Please sign in.") -> None:
        super().__init__(message)


class SignInUnavailable(NotAuthenticated):
    """Who is asking cannot be checked right now (the session store is down): a passing condition, so the REST API
    answers 503 with Retry-After - a client must not throw its token away - while pages ask to sign in again."""

    def __init__(self, message: str = "Sign-in is unavailable right now. Please try again shortly.") -> None:
        super().__init__(message)


class PermissionDenied(DomainError):
    def __init__(self, message: str = "You are not allowed to do that.") -> None:
        super().__init__(message)


class NotFound(DomainError):
    def __init__(self, message: str = "Not found.") -> None:
        super().__init__(message)


class Conflict(DomainError):
    pass


class RateLimited(DomainError):
    def __init__(self, message: str, retry_after_seconds: int) -> None:
        super().__init__(message)
        self.retry_after_seconds = retry_after_seconds


class ValidationFailed(DomainError):
    """Bad input: `field_errors` maps a field name to what is wrong with it."""

    def __init__(self, field_errors: dict[str, str], message: str = "Please correct the highlighted fields.") -> None:
        super().__init__(message)
        self.field_errors = field_errors


class TooLarge(ValidationFailed):
    """Bad input because of its size: a file over the size limit, or one a quota has no room left for (REST: 413)."""

    def __init__(self, field_errors: dict[str, str], message: str = "The upload is too large.") -> None:
        super().__init__(field_errors, message)
