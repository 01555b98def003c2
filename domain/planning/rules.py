"""Checks shared by the planning aggregates: required text, planning years, and the INVALID_STATE error."""

from __future__ import annotations

from collections.abc import Sequence

from domain.errors import DomainError, InvalidInput
from domain.text import check_text

MIN_YEAR, MAX_YEAR = 2000, 2100
MAX_TITLE = 200
MAX_TEXT = 2000
MAX_ITEMS = 100


def invalid_state(message: str) -> DomainError:
    """The operation does not fit the thing's current status (the aspects contract's INVALID_STATE)."""
    return DomainError(message, code="INVALID_STATE")


def required_text(value: str, field: str, limit: int = MAX_TEXT, index: int | None = None) -> str:
    """The trimmed text, or INVALID (with the field and list index) when it is blank or too long."""
    cleaned = check_text(value, field).strip()
    if not cleaned:
        raise InvalidInput(f"{field} must not be empty.", field=field, index=index, code="INVALID")
    if len(cleaned) > limit:
        raise InvalidInput(f"{field} has at most {limit} characters.", field=field, index=index, code="INVALID")
    return cleaned


def text_list(values: Sequence[str], field: str, limit: int = MAX_TEXT) -> list[str]:
    """Each item checked as required text (its index named on error); at most MAX_ITEMS items."""
    if len(values) > MAX_ITEMS:
        raise InvalidInput(f"{field} has at most {MAX_ITEMS} items.", field=field, code="INVALID")
    return [required_text(v, field, limit, index=i) for i, v in enumerate(values)]


def check_year(year: int, field: str = "year") -> int:
    if not MIN_YEAR <= year <= MAX_YEAR:
        raise InvalidInput(f"{field} must be from {MIN_YEAR} to {MAX_YEAR}, not {year}.", field=field,
                           code="INVALID")
    return year
