"""An intake item of the JSON shape (`{"measureId", "period", "value", ...}`), as the JSON body and NDJSON lines
carry it: parsed one by one, or a whole batch of plain values as columns per measure."""

from __future__ import annotations

import itertools
from collections.abc import Mapping
from datetime import date
from typing import Any

import numpy as np

from domain.control.columns import canonical_days, grouped_periods, grouped_values, in_range
from domain.control.observations import ObservationIn
from service.commands.intake import Columns, ListedColumns

_KNOWN = frozenset({"measureId", "period", "value", "numerator", "denominator", "sourceId", "note"})


class ItemError(ValueError):
    def __init__(self, code: str, message: str, field: str | None) -> None:
        super().__init__(message)
        self.code, self.message, self.field = code, message, field


_PLAIN = frozenset({"measureId", "period", "value", "sourceId"})
_NUMBERS = frozenset({float, int})  # the types of a JSON number (bool is not one here)


def columns_of(observations: list[Any]) -> Mapping[str, Columns] | None:
    """The batch as columns per measure when every item is a plain value observation (measureId, a YYYY-MM-DD
    period, a number, maybe a sourceId): the usual shape of a feed, checked a column at a time. None otherwise,
    and the items are then parsed one by one, each error with its index."""
    # Each check runs at C speed over a whole column (map, set): no Python step per item.
    if not observations or set(map(type, observations)) != {dict}:
        return None
    keys: set[str] = set().union(*observations)
    if not keys <= _PLAIN:
        return None
    measure_ids = [o.get("measureId") for o in observations]
    periods = [o.get("period") for o in observations]
    values = [o.get("value") for o in observations]
    sources = [o.get("sourceId") for o in observations] if "sourceId" in keys else None
    if not (set(map(type, measure_ids)) == {str} and all(measure_ids) and set(map(type, periods)) == {str}
            and set(map(len, periods)) == {10} and set(map(type, values)) <= _NUMBERS  # not bool, None or text
            and (sources is None or set(map(type, sources)) == {str})):
        return None
    days = canonical_days(periods)  # the whole batch's periods at once
    if days is None or not in_range(days):  # some period is not a date: each measure's part names its own
        return _listed(measure_ids, periods, values, sources)
    codes_of: dict[str, int] = {}
    codes = np.fromiter((codes_of.setdefault(m, len(codes_of)) for m in measure_ids), np.intp, len(measure_ids))
    # One stable sort groups the items by measure, in the order each measure first appears and each measure's
    # items in the order sent; each part is then slices of checked days and float64 values, as a CSV chunk's.
    order = np.argsort(codes, kind="stable")
    ordered = codes[order]
    column = np.array(values, dtype=np.float64)[order]
    days = days[order]
    listed = np.array(sources, dtype=object)[order] if sources is not None else None
    ids = list(codes_of)
    starts = [0, *(np.flatnonzero(ordered[1:] != ordered[:-1]) + 1).tolist(), len(order)]
    periods, parts = grouped_periods(days, starts), grouped_values(column, starts)
    return {ids[ordered[a]]: (order[a:b], periods[j], parts[j], listed[a:b].tolist() if listed is not None else None)
            for j, (a, b) in enumerate(itertools.pairwise(starts))}


def _listed(measure_ids: list[str], periods: list[str], values: list[float], sources: list[str] | None,
            ) -> Mapping[str, Columns]:
    """The items as plain lists per measure, in the order sent."""
    groups: dict[str, ListedColumns] = {}
    for i, measure_id in enumerate(measure_ids):
        part = groups.get(measure_id)
        if part is None:
            part = groups[measure_id] = ([], [], [], [] if sources is not None else None)
        part[0].append(i)
        part[1].append(periods[i])
        part[2].append(values[i])
        if sources is not None and part[3] is not None:
            part[3].append(sources[i])
    return groups


def parse_item(item: Any) -> tuple[str, ObservationIn]:
    """One observation of the batch, or ItemError naming what is wrong with it."""
    if not isinstance(item, dict):
        raise ItemError("INVALID_ITEM", "Each observation must be a JSON object.", None)
    if not item.keys() <= _KNOWN:
        unknown = sorted(item.keys() - _KNOWN)
        raise ItemError("UNKNOWN_FIELD", f"Unknown field(s): {', '.join(unknown)}.", unknown[0])
    measure_id = item.get("measureId")
    if not isinstance(measure_id, str) or not measure_id:
        raise ItemError("MISSING_MEASURE", "measureId is required and must be a string.", "measureId")
    period = item.get("period")
    if not isinstance(period, str) or len(period) != 10:
        raise ItemError("INVALID_DATE", f"period {period!r} must be a calendar date written YYYY-MM-DD.", "period")
    try:
        day = date.fromisoformat(period)
    except ValueError:
        raise ItemError("INVALID_DATE", f"period {period!r} is not a calendar date (YYYY-MM-DD).", "period") from None
    value, numerator, denominator = item.get("value"), item.get("numerator"), item.get("denominator")
    for v, name in ((value, "value"), (numerator, "numerator"), (denominator, "denominator")):
        if v is not None and type(v) is not float and (type(v) is not int):  # bool is not a number here
            raise ItemError("NOT_A_NUMBER", f"{name} must be a number, not {type(v).__name__} {v!r}.", name)
    source_id, note = item.get("sourceId"), item.get("note")
    if source_id is not None and not isinstance(source_id, str):
        raise ItemError("NOT_A_STRING", "sourceId must be a string.", "sourceId")
    if note is not None and not isinstance(note, str):
        raise ItemError("NOT_A_STRING", "note must be a string.", "note")
    return measure_id, ObservationIn(day, None if value is None else float(value),
                                     None if numerator is None else float(numerator),
                                     None if denominator is None else float(denominator), source_id, note)
