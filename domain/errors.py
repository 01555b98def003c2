"""One family of domain errors, each with a stable code that the API reports to clients."""

from __future__ import annotations


class DomainError(Exception):
    """A command broke a business rule; nothing of it is stored."""

    code = "INVALID"

    def __init__(self, message: str, *, field: str | None = None, index: int | None = None,
                 code: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field
        self.index = index
        if code is not None:
            self.code = code


class NotFound(DomainError):
    code = "NOT_FOUND"


class InvalidInput(DomainError):
    code = "INVALID_INPUT"


class Forbidden(DomainError):
    code = "FORBIDDEN"


class Conflict(DomainError):
    """Another command changed the same stream first; retrying reads the new state."""

    code = "CONFLICT"
