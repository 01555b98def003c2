"""Checks shared by the control aggregates (actions, huddles, escalations): required text, calendar dates, and the
aspects contract's error codes INVALID (a field's value) and INVALID_STATE (not in the thing's current status)."""

from __future__ import annotations

from datetime import date

from domain.errors import DomainError, InvalidInput
from domain.text import check_text

EARLIEST = date(1900, 1, 1)
LATEST = date(2100, 12, 31)


def invalid(message: str, field: str, index: int | None = None) -> InvalidInput:
    return InvalidInput(message, field=field, index=index, code="INVALID")


def invalid_state(message: str) -> DomainError:
    return DomainError(message, code="INVALID_STATE")


def required(value: str | None, field: str, most: int, index: int | None = None) -> str:
    """The trimmed text, or INVALID for a missing, blank or overlong one."""
    cleaned = check_text(value, field).strip() if value is not None else ""
    if not cleaned:
        raise invalid(f"{field} is required.", field, index)
    if len(cleaned) > most:
        raise invalid(f"{field} has at most {most} characters.", field, index)
    return cleaned


def calendar_day(value: date | None, field: str) -> str:
    """A required date within the range the service stores, as ISO text (events keep dates as text)."""
    if value is None:
        raise invalid(f"{field} is required.", field)
    if not EARLIEST <= value <= LATEST:
        raise invalid(f"{field} {value.isoformat()} is out of range ({EARLIEST} to {LATEST}).", field)
    return value.isoformat()
