"""Observations of a measure: the checks each value must pass for its chart type."""

from __future__ import annotations

import math
from datetime import date
from typing import NamedTuple

from domain.errors import InvalidInput
from domain.text import check_text

EARLIEST = date(1900, 1, 1)
LATEST = date(2100, 12, 31)
MAX_NOTE = 2000
MAX_SOURCE_ID = 200

VALUE_CHARTS = frozenset({"XMR", "RUN", "C", "G", "T"})
RATIO_CHARTS = frozenset({"P", "U"})
COUNT_CHARTS = frozenset({"C", "G"})


class ObservationIn(NamedTuple):
    """One observation as a client sent it, already parsed into Python types (a tuple: observations arrive in
    tens of thousands, and a tuple is several times cheaper to make than a frozen dataclass)."""

    period: date
    value: float | None = None
    numerator: float | None = None
    denominator: float | None = None
    source_id: str | None = None
    note: str | None = None


def _finite(x: float | None, field: str) -> None:
    # x - x is 0.0 for every finite float and NaN for NaN and the infinities: one subtraction, no call.
    if x is not None and x - x != 0 and not math.isfinite(x):
        raise InvalidInput(f"{field} must be a finite number, not {x}.", field=field, code="NOT_FINITE")


def check_period(period: date, frequency: str) -> None:
    """A period is a real calendar date in range that starts a period of the measure's frequency."""
    if not EARLIEST <= period <= LATEST:
        raise InvalidInput(
            f"period {period.isoformat()} is out of range ({EARLIEST.isoformat()} to {LATEST.isoformat()}).",
            field="period", code="OUT_OF_RANGE")
    if frequency == "MONTH" and period.day != 1:
        raise InvalidInput(f"period {period.isoformat()} must be the first day of a month for a monthly measure.",
                           field="period", code="PERIOD_NOT_ALIGNED")
    if frequency == "QUARTER" and (period.day != 1 or period.month not in (1, 4, 7, 10)):
        raise InvalidInput(f"period {period.isoformat()} must be the first day of a quarter for a quarterly measure.",
                           field="period", code="PERIOD_NOT_ALIGNED")


def check_observation(obs: ObservationIn, chart_type: str, frequency: str) -> tuple[float | None, float | None,
                                                                                      float | None]:
    """Return the (value, numerator, denominator) to store, or raise InvalidInput naming the problem."""
    period, value, numerator, denominator, source_id, note = obs
    if not EARLIEST <= period <= LATEST or (frequency == "MONTH" and period.day != 1) or frequency == "QUARTER":
        check_period(period, frequency)
    if value is not None and value - value != 0:
        _finite(value, "value")
    if numerator is not None or denominator is not None:
        _finite(numerator, "numerator")
        _finite(denominator, "denominator")
    if note is not None:
        check_text(note, "note")
        if len(note) > MAX_NOTE:
            raise InvalidInput(f"note has at most {MAX_NOTE} characters.", field="note", code="TOO_LONG")
    if source_id is not None:
        check_text(source_id, "sourceId")
        if not 0 < len(source_id) <= MAX_SOURCE_ID:
            raise InvalidInput(f"sourceId must have 1 to {MAX_SOURCE_ID} characters.", field="sourceId",
                               code="INVALID_SOURCE_ID")
    if chart_type in RATIO_CHARTS:
        return (None, *_check_ratio(obs, chart_type))
    if value is None:
        raise InvalidInput(f"value is required for a {chart_type} chart.", field="value", code="MISSING_VALUE")
    if value < 0 and chart_type in COUNT_CHARTS:
        raise InvalidInput(f"value {value} is a negative count; a {chart_type} chart counts events.",
                           field="value", code="NEGATIVE_COUNT")
    if value < 0 and chart_type == "T":
        raise InvalidInput(f"value {value} is a negative time between events.", field="value",
                           code="NEGATIVE_TIME")
    return value, None, None


def _check_ratio(obs: ObservationIn, chart_type: str) -> tuple[float, float]:
    if obs.numerator is None:
        raise InvalidInput(f"numerator is required for a {chart_type} chart.", field="numerator",
                           code="MISSING_NUMERATOR")
    if obs.denominator is None:
        raise InvalidInput(f"denominator is required for a {chart_type} chart.", field="denominator",
                           code="MISSING_DENOMINATOR")
    if obs.denominator <= 0:
        raise InvalidInput(f"denominator must be above zero, not {obs.denominator}.", field="denominator",
                           code="ZERO_DENOMINATOR")
    if obs.numerator < 0:
        raise InvalidInput(f"numerator {obs.numerator} is negative.", field="numerator", code="NEGATIVE_COUNT")
    if chart_type == "P" and obs.numerator > obs.denominator:
        raise InvalidInput(f"numerator {obs.numerator} exceeds denominator {obs.denominator} on a P chart.",
                           field="numerator", code="PROPORTION_ABOVE_ONE")
    return obs.numerator, obs.denominator
