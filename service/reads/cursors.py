"""Opaque cursors for connections (a log or read-model position), and the page-size check they share."""

from __future__ import annotations

import base64

from domain.errors import InvalidInput

MAX_PAGE = 500


def check_first(first: int) -> None:
    if not 0 <= first <= MAX_PAGE:
        raise InvalidInput(f"first must be between 0 and {MAX_PAGE}.", field="first", code="OUT_OF_RANGE")


def encode_cursor(position: int | str, kind: str = "position") -> str:
    return base64.urlsafe_b64encode(f"{kind}:{position}".encode()).decode()


def decode_cursor(cursor: str, kind: str = "position") -> int:
    """The position a cursor of this kind names; INVALID_CURSOR for anything this API did not give out."""
    text = decode_text_cursor(cursor, kind)
    try:
        return int(text)
    except ValueError as e:
        raise _invalid(cursor) from e


def decode_text_cursor(cursor: str, kind: str) -> str:
    try:
        found, _, value = base64.urlsafe_b64decode(cursor.encode()).decode().partition(":")
    except (ValueError, UnicodeDecodeError) as e:
        raise _invalid(cursor) from e
    if found != kind:
        raise _invalid(cursor)
    return value


def _invalid(cursor: str) -> InvalidInput:
    return InvalidInput(f"after: {cursor!r} is not a cursor this API gave out.", field="after",
                        code="INVALID_CURSOR")
