"""Text that may be stored: no NUL characters (PostgreSQL text cannot hold them, and no person types one)."""

from __future__ import annotations

from domain.errors import InvalidInput


def check_text(value: str, field: str) -> str:
    if "\x00" in value:
        raise InvalidInput(f"{field} contains a NUL character.", field=field, code="INVALID_CHARACTER")
    return value
