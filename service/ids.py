"""Identifiers: every stream id is a UUID in its canonical text form."""

from __future__ import annotations

from uuid import UUID


def valid_uuid(value: str) -> bool:
    try:
        UUID(value)
    except ValueError:
        return False
    return True
