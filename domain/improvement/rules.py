"""Checks shared by the improvement aggregates: the contract's error helpers (domain/control/rules.py) and the
checks of lists of text and of ids."""

from __future__ import annotations

from collections.abc import Sequence

from domain.control.rules import calendar_day, invalid, invalid_state, required

MAX_TITLE = 300
MAX_TEXT = 4000
MAX_ITEMS = 200

__all__ = ["MAX_ITEMS", "MAX_TEXT", "MAX_TITLE", "calendar_day", "invalid", "invalid_state", "optional",
           "required", "text_list"]


def optional(value: str | None, field: str, most: int = MAX_TEXT) -> str | None:
    """Trimmed text, None when left out or blank."""
    if value is None or not value.strip():
        return None
    return required(value, field, most)


def text_list(values: Sequence[str], field: str, most: int = MAX_TEXT) -> list[str]:
    if len(values) > MAX_ITEMS:
        raise invalid(f"{field} has at most {MAX_ITEMS} items.", field)
    return [required(v, field, most, index=i) for i, v in enumerate(values)]
