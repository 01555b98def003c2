"""Observation columns: a batch's periods as day numbers (numpy), read as the ISO date strings events store."""

from __future__ import annotations

import itertools
from collections.abc import Iterator, Sequence
from datetime import date
from typing import Any, overload

import numpy as np
import orjson

from domain.control.observations import EARLIEST, LATEST
from domain.control.sources import digests

DAY = "datetime64[D]"
_FIRST = np.datetime64(EARLIEST, "D")
_LAST = np.datetime64(LATEST, "D")
_FIRST_NUMBER, _LAST_NUMBER = int(_FIRST.astype(np.int64)), int(_LAST.astype(np.int64))
_EPOCH_ORDINAL = date(1970, 1, 1).toordinal()  # day number 0
_JSON: np.ndarray | None = None  # b'"YYYY-MM-DD",' for every day from EARLIEST to LATEST, made on first use
_JSON_BYTES = b""  # the same table as one bytes object: a run of consecutive days is one slice of it
# A run of at least this many consecutive days (a daily feed's usual batch) is stored as its first day and its
# length, a tagged object the event codec reads back as the same column (see PeriodColumn.json_bytes).
DAY_RUN = "day_run"
MIN_RUN = 8


def _json_table() -> np.ndarray:
    # One fixed-width entry per day of the range: a column's JSON is one fancy index and one copy, with no
    # Python string per period (73,414 days, under 1 MB).
    global _JSON
    if _JSON is None:
        days = np.arange(_FIRST, _LAST + 1)
        months = days.astype("datetime64[M]")
        year = months.astype(np.int64) // 12 + 1970
        month = months.astype(np.int64) % 12 + 1
        day = (days - months.astype(DAY)).astype(np.int64) + 1
        table = np.empty((days.size, 13), dtype=np.uint8)
        table[:, [0, 11, 5, 8, 12]] = np.frombuffer(b'""--,', dtype=np.uint8)
        for at, number, width in ((1, year, 4), (6, month, 2), (9, day, 2)):
            for k in range(width):
                table[:, at + k] = ord("0") + number // 10 ** (width - 1 - k) % 10
        _JSON = table.view("S13").ravel()
        global _JSON_BYTES
        _JSON_BYTES = table.tobytes()
    return _JSON


class PeriodColumn(Sequence[str]):
    """A batch's periods: checked calendar days between EARLIEST and LATEST, held as numpy day numbers. It reads
    as the list of ISO date strings an event stores (and is stored as exactly that JSON), so code that reads
    events sees the same periods whichever path recorded them."""

    __slots__ = ("days", "increasing", "ordered")

    def __init__(self, days: np.ndarray, ordered: np.ndarray | None = None, *, increasing: bool = False) -> None:
        self.days = days.astype(DAY, copy=False)
        self.ordered = ordered  # the days as sorted int32 day numbers, when the maker has them (see sorted_days)
        # measured by the maker (see grouped_periods): every day is in range and each comes after the one before,
        # so `ordered` is the days themselves, with no repeats
        self.increasing = increasing and ordered is not None

    def __len__(self) -> int:
        return int(self.days.size)

    @overload
    def __getitem__(self, i: int) -> str: ...
    @overload
    def __getitem__(self, i: slice) -> list[str]: ...
    def __getitem__(self, i: int | slice) -> str | list[str]:
        if isinstance(i, slice):
            return self.tolist()[i]
        return str(np.datetime_as_string(self.days[i]))

    def __iter__(self) -> Iterator[str]:
        return iter(self.tolist())

    def __eq__(self, other: object) -> bool:
        if isinstance(other, PeriodColumn):
            return bool(np.array_equal(self.days, other.days))
        return isinstance(other, list) and self.tolist() == other

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"PeriodColumn({self.tolist()!r})"

    def __array__(self, dtype: Any = None, copy: Any = None) -> np.ndarray:
        return self.days if dtype is None else self.days.astype(dtype)

    def tolist(self) -> list[str]:
        return np.datetime_as_string(self.days).tolist()  # type: ignore[no-any-return]

    def json_bytes(self) -> bytes:
        """The column as events store it: the JSON array of its ISO date strings, or, for a run of MIN_RUN or
        more consecutive days, `{"_type_": "day_run", "_data_": {"first": "YYYY-MM-DD", "days": n}}` (13 bytes
        a day down to 60 for the run, which the event codec reads back as this column)."""
        n = self.days.size
        if not n:
            return b"[]"
        table = _json_table()
        ordered = self.ordered
        if self.increasing and ordered is not None and int(ordered[-1]) - int(ordered[0]) == n - 1:  # consecutive
            start = (int(ordered[0]) - _FIRST_NUMBER) * 13
            if n >= MIN_RUN:
                return (b'{"_type_":"%s","_data_":{"first":%s,"days":%d}}'
                        % (DAY_RUN.encode(), _JSON_BYTES[start:start + 12], n))
            return b"[" + _JSON_BYTES[start:start + 13 * n - 1] + b"]"  # one slice of the table
        entries = table[(self.days - _FIRST).astype(np.int64)].tobytes()
        return b"[" + entries[:-1] + b"]"

    @classmethod
    def from_run(cls, data: Any) -> PeriodColumn:
        """The column a stored run stands for (see json_bytes); ValueError when it is not one."""
        if not (isinstance(data, dict) and data.keys() == {"first", "days"} and isinstance(data["first"], str)
                and type(data["days"]) is int and data["days"] >= 1):
            raise ValueError(f"A run of days is {{'first': 'YYYY-MM-DD', 'days': n}}, not {data!r}.")
        first = data["first"]
        try:  # YYYY-MM-DD exactly (fromisoformat alone also reads 20240101)
            if len(first) != 10 or first[4] != "-" or first[7] != "-":
                raise ValueError
            start = date.fromisoformat(first).toordinal() - _EPOCH_ORDINAL
        except ValueError:
            raise ValueError(f"A run of days starts on a calendar date written YYYY-MM-DD, not {first!r}.") from None
        if start < _FIRST_NUMBER or start + data["days"] - 1 > _LAST_NUMBER:
            raise ValueError(f"A run of days lies between {EARLIEST} and {LATEST}.")
        ordered = np.arange(start, start + data["days"], dtype=np.int32)
        return cls(ordered.astype(DAY), ordered, increasing=True)


def in_range(days: np.ndarray) -> bool:
    """Every day between EARLIEST and LATEST (NaT is not)."""
    numbers = days.view(np.int64)  # min and max of day numbers are several times faster than of datetime64
    return bool(days.size == 0 or (numbers.min() >= _FIRST_NUMBER and numbers.max() <= _LAST_NUMBER))


def sorted_days(days: np.ndarray) -> np.ndarray | None:
    """The days as sorted int32 day numbers when every one is between EARLIEST and LATEST, else None (NaT sorts
    first as the smallest int64, so it fails the check on the first number). One sort answers both the range and,
    for the caller, the order; in_range would take two more passes. Days sent in order (a feed's usual batch) are
    not sorted again: numpy's sort lets go of the GIL even for a few hundred numbers, and under load the event loop
    then waits for another thread to give it back, where the check for order is one small comparison."""
    numbers = days.view(np.int64)
    ordered = numbers if (numbers[1:] >= numbers[:-1]).all() else np.sort(numbers)
    if ordered.size and not (ordered[0] >= _FIRST_NUMBER and ordered[-1] <= _LAST_NUMBER):
        return None
    return ordered.astype(np.int32)


def grouped_periods(days: np.ndarray, starts: list[int]) -> list[PeriodColumn]:
    """Each group's days (rows starts[j]:starts[j+1] of a column grouped by measure) as a PeriodColumn, with what
    the fast path checks of them measured for the whole column at once: a few numpy passes over a chunk instead
    of several per group. A group whose days are all in range and strictly increasing (a feed's usual batch) is
    marked `increasing`, with its days as int32 day numbers; any other is left for the measure to check."""
    days = days.astype(DAY, copy=False)
    heads = starts[:-1]
    if not heads:
        return []
    numbers = days.view(np.int64)
    good = (numbers >= _FIRST_NUMBER) & (numbers <= _LAST_NUMBER)  # NaT is the smallest int64: not good
    good[1:] &= numbers[1:] > numbers[:-1]
    good[heads] = (numbers[heads] >= _FIRST_NUMBER) & (numbers[heads] <= _LAST_NUMBER)  # a group's first day
    increasing = np.logical_and.reduceat(good, heads).tolist()
    ordered = np.where(good, numbers, 0).astype(np.int32)
    return [PeriodColumn(days[a:b], ordered[a:b] if increasing[j] else None, increasing=increasing[j])
            for j, (a, b) in enumerate(itertools.pairwise(starts))]



def grouped_values(values: np.ndarray, starts: list[int]) -> list[ValueColumn]:
    """Each group's values (rows starts[j]:starts[j+1] of a float64 column grouped by measure) as a ValueColumn,
    marked finite where the group holds no NaN or infinity, measured for the whole column at once."""
    heads = starts[:-1]
    if not heads:
        return []
    finite = np.logical_and.reduceat(np.isfinite(values), heads).tolist()
    return [ValueColumn(values[a:b], finite=finite[j]) for j, (a, b) in enumerate(itertools.pairwise(starts))]

class DayIndex:
    """A measure's recorded periods as sorted int32 day numbers, for the fast path's duplicate check. It grows in
    place: a batch after every known day (a feed's usual batch) is copied in at the end, into spare room that
    doubles when full, so its cost grows with the batch, not with the chart. A batch reaching back is merged
    with one stable sort."""

    __slots__ = ("_buffer", "_size", "last")

    def __init__(self, days: np.ndarray) -> None:
        self._buffer = np.sort(days.astype(np.int32))
        self._size = self._buffer.size
        self.last = int(self._buffer[-1]) if self._size else None  # the latest known day

    @property
    def days(self) -> np.ndarray:
        """The known days, sorted (a view: later additions do not change it)."""
        return self._buffer[:self._size]

    def add(self, days: np.ndarray, ordered: np.ndarray | None = None) -> None:
        """Add the days (`ordered`: the same already as sorted int32 day numbers)."""
        new = np.sort(days.astype(np.int32)) if ordered is None else ordered
        n, k = self._size, new.size
        if k == 0:
            return
        if self.last is not None and int(new[0]) < self.last:
            self._buffer = np.sort(np.concatenate((self.days, new)), kind="stable")
            self.last = int(self._buffer[-1])
        else:
            if n + k > self._buffer.size:
                grown = np.empty(max(2 * self._buffer.size, n + k, 64), dtype=np.int32)
                grown[:n] = self._buffer[:n]
                self._buffer = grown
            self._buffer[n:n + k] = new
            self.last = int(new[-1])
        self._size = n + k


_YEAR_DIGITS = np.array([1000, 100, 10, 1], dtype=np.int64)
_MONTHS: np.ndarray | None = None  # the day number of the 1st of every month from 0000-01 to 10000-01


def _month_starts() -> np.ndarray:
    global _MONTHS
    if _MONTHS is None:
        _MONTHS = np.arange(-1970 * 12, (10000 - 1970) * 12 + 1).astype("datetime64[M]").astype(DAY).view(np.int64)
    return _MONTHS


def canonical_days(periods: Sequence[str]) -> np.ndarray | None:
    """The periods as day numbers when every one is a calendar date written YYYY-MM-DD, else None."""
    n = len(periods)
    try:
        # one line per period: far faster than numpy's reading of a list of strings. The lines are all 10 ASCII
        # characters exactly when the text is n lines of 10 bytes (no period holds a line break: each is checked
        # below to be digits and hyphens).
        raw = "\n".join(periods).encode() + b"\n"
    except TypeError:
        return None  # not all strings
    if n == 0 or len(raw) != 11 * n:
        return None
    codes = np.frombuffer(raw, dtype=np.uint8).reshape(n, 11)
    # YYYY-MM-DD exactly (numpy alone also reads 2024-1-1 and 2024-01-01T00), checked on the characters' codes
    digits = codes[:, [0, 1, 2, 3, 5, 6, 8, 9]]
    if not (((digits >= ord("0")) & (digits <= ord("9"))).all() and (codes[:, [4, 7]] == ord("-")).all()
            and (codes[:, 10] == ord("\n")).all()):
        return None
    d = (digits - ord("0")).astype(np.int64)
    year, month, day = d[:, :4] @ _YEAR_DIGITS, d[:, 4] * 10 + d[:, 5], d[:, 6] * 10 + d[:, 7]
    if not ((month >= 1) & (month <= 12) & (day >= 1)).all():
        return None
    starts = _month_starts()
    first = year * 12 + month - 1  # the month's index in the table
    begins = starts[first]
    if (day > starts[first + 1] - begins).any():
        return None  # a day that does not exist (2024-02-30)
    return (begins + day - 1).view(DAY)


class ValueColumn(Sequence[float]):
    """A batch's values as a float64 array that reads as the list of floats an event stores (and is stored as
    that JSON list, by the event codec's numpy support)."""

    __slots__ = ("finite", "values")

    def __init__(self, values: np.ndarray, *, finite: bool = False) -> None:
        self.values = values.astype(np.float64, copy=False)
        self.finite = finite  # measured by the maker (a column reader checks a whole chunk at once): no NaN or inf

    def __len__(self) -> int:
        return int(self.values.size)

    @overload
    def __getitem__(self, i: int) -> float: ...
    @overload
    def __getitem__(self, i: slice) -> list[float]: ...
    def __getitem__(self, i: int | slice) -> float | list[float]:
        return self.tolist()[i] if isinstance(i, slice) else float(self.values[i])

    def __iter__(self) -> Iterator[float]:
        return iter(self.tolist())

    def __eq__(self, other: object) -> bool:
        if isinstance(other, ValueColumn):
            return bool(np.array_equal(self.values, other.values))
        return isinstance(other, list) and self.tolist() == other

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"ValueColumn({self.tolist()!r})"

    def __array__(self, dtype: Any = None, copy: Any = None) -> np.ndarray:
        return self.values if dtype is None else self.values.astype(dtype)

    def tolist(self) -> list[float]:
        return self.values.tolist()  # type: ignore[no-any-return]


class SourceIds(Sequence[str]):
    """A batch's source ids with what a column reader measured of them, a whole chunk at a time: the length (in
    characters) of the shortest and of the longest, whether any holds NUL, their digests (see
    domain/control/sources.py) and their JSON, as events store them. The fast path reads these facts instead of
    measuring each batch again in Python (the rule they are checked against stays the measure's), and the event
    takes the JSON as it is: a reader's ids need not become Python strings at all, and are made from the JSON
    only if something reads them (the measure's exact set of ids, for a batch decided item by item)."""

    __slots__ = ("_listed", "digests", "json", "longest", "nul", "shortest")

    def __init__(self, json: bytes, digests: np.ndarray, *, shortest: int, longest: int, nul: bool,
                 listed: list[str] | None = None) -> None:
        self.json, self.digests, self._listed = json, digests, listed
        self.shortest, self.longest, self.nul = shortest, longest, nul

    @classmethod
    def measured(cls, ids: list[str]) -> SourceIds:
        """The facts measured in Python (what a column reader's must agree with)."""
        lengths = list(map(len, ids))
        return cls(orjson.dumps(ids), digests(ids), shortest=min(lengths, default=0), longest=max(lengths, default=0),
                   nul=any("\x00" in i for i in ids), listed=ids)

    def __len__(self) -> int:
        return int(self.digests.size)

    @overload
    def __getitem__(self, i: int) -> str: ...
    @overload
    def __getitem__(self, i: slice) -> list[str]: ...
    def __getitem__(self, i: int | slice) -> str | list[str]:
        return self.tolist()[i]

    def __iter__(self) -> Iterator[str]:
        return iter(self.tolist())

    def __eq__(self, other: object) -> bool:
        if isinstance(other, SourceIds):
            return self.json == other.json
        return isinstance(other, list) and self.tolist() == other

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"SourceIds({self.tolist()!r})"

    def tolist(self) -> list[str]:
        if self._listed is None:
            self._listed = orjson.loads(self.json)
        return self._listed

    def json_bytes(self) -> bytes:
        """The ids as events store them: the JSON array of their strings."""
        return self.json
