"""The stored chart (spc_series and spc_points), written and read here only.

Stored: what a chart is computed from, once, in binary columns. spc_series holds each measure's small header (the
series' settings, recalculations, baseline, targets and annotations, as JSON), its point count and position;
spc_points holds its points in chunks of CHUNK, in period order: days since 1970-01-01 as int32, values (numerators
for P and U charts) and denominators (P and U only) as float64, little-endian. A batch writes the header and only
the chunks from its first changed point on: appending costs what it appends, not what the chart holds.

Read: the computed chart is not stored. Its last phase's limits move with every point appended (and the rules look
back over them), so a stored chart would be rewritten whole by every batch; the kernel charts a 100-point series in
microseconds. A read fetches the header and the concatenated chunks in one statement and charts every measure it
asked for in one kernel call. Readers get a ChartView: snake_case fields, the domain's enum members, columns turned
into lists only when first asked for.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Sequence
from datetime import date, datetime
from functools import cached_property, lru_cache
from typing import Any

import asyncpg
import numpy as np
import orjson

from domain.control.vocabulary import (
    AnnotationKind,
    AssuranceIcon,
    ChartType,
    Direction,
    PointVariation,
    SpcRule,
    VariationIcon,
)
from projections.spc.columns import Columns
from projections.spc.engine import ChartResult, chart_batch
from projections.spc.fold import Series, chart_series
from projections.spc.runs import RunAnalysis
from projections.spc.settings import RULES, VARIATIONS, ChartSettings

CHUNK = 128  # points per spc_points row: 1.5 KB for XmR, so a row stays inline; appends rewrite at most one
_RATIO = (ChartType.P, ChartType.U)

# Every rule bitmask (6 rules: 64 masks) to its list of rules, built once.
_RULE_LISTS = [[rule for bit, rule in enumerate(RULES) if mask >> bit & 1] for mask in range(1 << len(RULES))]



def points_join(table: str, alias: str = "s") -> str:
    """A LATERAL join adding the points of each row of `alias` (its measure_id) from chunk table `table`, the
    chunks concatenated in order: days, vals, dens (NULL when no point or not a P or U chart)."""
    return (f"LEFT JOIN LATERAL (SELECT string_agg(c.days, ''::bytea ORDER BY c.chunk) AS days, "
            f"string_agg(c.vals, ''::bytea ORDER BY c.chunk) AS vals, "
            f"string_agg(c.dens, ''::bytea ORDER BY c.chunk) AS dens "
            f"FROM {table} c WHERE c.measure_id = {alias}.measure_id) p ON true")


def write_chunk_sql(table: str) -> str:
    return (f"INSERT INTO {table} (measure_id, chunk, days, vals, dens) VALUES ($1, $2, $3, $4, $5) "
            "ON CONFLICT (measure_id, chunk) DO UPDATE SET days = EXCLUDED.days, vals = EXCLUDED.vals, "
            "dens = EXCLUDED.dens")


# One statement, one snapshot: the header and the points of each measure.
READ = ("SELECT s.measure_id, s.position, s.points, s.state, p.days, p.vals, p.dens FROM spc_series s "
        + points_join("spc_points") + " WHERE s.measure_id = ANY($1::text[])")
# The same columns after a catalogue row's (see service.reads.catalog): a measure and its chart in one statement.
READ_BESIDE = ("s.position, s.points, s.state, p.days, p.vals, p.dens FROM measures m "
               "LEFT JOIN spc_series s ON s.measure_id = m.measure_id " + points_join("spc_points", "m"))
WRITE_HEADER = ("INSERT INTO spc_series (measure_id, position, points, state) VALUES ($1, $2, $3, $4) "
                "ON CONFLICT (measure_id) DO UPDATE SET position = EXCLUDED.position, points = EXCLUDED.points, "
                "state = EXCLUDED.state")
WRITE_CHUNK = write_chunk_sql("spc_points")


# -- writing ---------------------------------------------------------------------------------------------------
def header_row(measure_id: str, position: int, series: Series) -> tuple[Any, ...]:
    return measure_id, position, series.size, series.header()


def chunk_rows(measure_id: str, series: Series) -> list[tuple[Any, ...]]:
    """The spc_points rows a save must write: every chunk from the one holding the first unsaved point."""
    n = series.size
    first = min(series.saved, n) // CHUNK * CHUNK
    if first >= n:
        return []
    days = series.days[first:].astype("<i4")
    values = series.values[first:].astype("<f8", copy=False)
    dens = series.denominators[first:].astype("<f8", copy=False) if series.chart_type in _RATIO else None
    rows = []
    for a in range(0, n - first, CHUNK):
        b = a + CHUNK
        rows.append((measure_id, (first + a) // CHUNK, days[a:b].tobytes(), values[a:b].tobytes(),
                     dens[a:b].tobytes() if dens is not None else None))
    return rows


async def write(conn: asyncpg.Connection, saves: Sequence[tuple[str, int, Series]]) -> None:
    """Store each (measure id, position, series): its header, and its chunks from its first unsaved point."""
    if saves:
        await conn.executemany(WRITE_HEADER, [header_row(m, position, series) for m, position, series in saves])
        await write_points(conn, WRITE_CHUNK, [(m, series) for m, _, series in saves])


async def write_points(conn: asyncpg.Connection, statement: str, saves: Sequence[tuple[str, Series]]) -> None:
    """Store the chunks of each (measure id, series) from its first unsaved point, with `statement` (see
    write_chunk_sql), inside the caller's transaction; then count them as saved."""
    chunks = [row for measure_id, series in saves for row in chunk_rows(measure_id, series)]
    if chunks:
        await conn.executemany(statement, chunks)
    for _, series in saves:
        series.saved = series.size


# -- reading ---------------------------------------------------------------------------------------------------
def series_of(row: Any, columns: Columns | None = None) -> Series:
    """A stored series (a READ row) back in memory, into `columns`."""
    measure_id, _, points, state, days, vals, dens = row
    return stored_series(measure_id, points, state, days, vals, dens, columns)


def stored_series(measure_id: str, points: int, state: bytes, days: bytes | None, vals: bytes | None,
                  dens: bytes | None, columns: Columns | None = None) -> Series:
    """A series from its header, its point count and its concatenated chunks (a points_join's columns)."""
    d = np.frombuffer(days, "<i4") if days is not None else np.zeros(0, np.int32)
    if d.shape[0] != points:
        raise ValueError(f"measure {measure_id}: {d.shape[0]} points stored in chunks, the header counts {points}")
    x = np.frombuffer(vals, "<f8") if vals is not None else np.zeros(0)
    return Series.from_parts(state, d, x, np.frombuffer(dens, "<f8") if dens is not None else None, columns)


async def read_series(conn: asyncpg.Connection, ids: Sequence[str], columns: Columns | None = None
                      ) -> dict[str, Series]:
    return {r[0]: series_of(r, columns) for r in await conn.fetch(READ, list(ids))}


async def read(conn: asyncpg.Connection, ids: Sequence[str]) -> dict[str, ChartView]:
    """The stored charts of these measures (those that have one), computed now in one kernel call."""
    rows = await conn.fetch(READ, list(ids))
    return charts_of(rows) if rows else {}


def charts_beside(rows: Sequence[Any], first: int) -> dict[str, ChartView]:
    """The charts in READ_BESIDE's columns of these rows, which start at column `first` after the measure id in
    column 0 (a measure with no stored chart yet has none)."""
    return charts_of([(r[0], *r[first : first + 6]) for r in rows if r[first] is not None])


def charts_of(rows: Sequence[Any]) -> dict[str, ChartView]:
    """READ rows charted in one kernel call, straight from their bytes: the kernel's inputs are built here as
    Series would set them in shared columns (fold.py), without making the series, since a read only charts them."""
    if not rows:
        return {}
    headers = [orjson.loads(r[3]) for r in rows]
    days = [np.frombuffer(r[4], "<i4") if r[4] is not None else _NO_DAYS for r in rows]
    for r, d in zip(rows, days, strict=True):
        if d.shape[0] != r[2]:
            raise ValueError(f"measure {r[0]}: {d.shape[0]} points stored in chunks, the header counts {r[2]}")
    offsets = np.zeros(len(rows) + 1, dtype=np.int64)
    np.cumsum([d.shape[0] for d in days], out=offsets[1:])
    values = np.concatenate([np.frombuffer(r[5], "<f8") if r[5] is not None else _NO_VALUES for r in rows])
    # denominators are read for P and U charts only: elsewhere the values stand in
    dens = np.concatenate([np.frombuffer(r[6], "<f8") if r[6] is not None else np.frombuffer(r[5] or b"", "<f8")
                           for r in rows])
    settings = [_settings(h["c"], h["d"], h["s"], h["t"]) for h in headers]
    cuts = [[_day(p) for p in h["r"]] for h in headers]
    cut_days = np.zeros((len(rows), max(map(len, cuts), default=0)), dtype=np.int64)
    for t, c in enumerate(cuts):
        cut_days[t, : len(c)] = c
    batch = chart_batch(values, dens, offsets, np.array([s.row(h["b"]) for s, h in zip(settings, headers, strict=True)],
                                                        dtype=np.int64),
                        np.array([s.limit_constant for s in settings]),
                        np.array([_target_at(h["g"], d) for h, d in zip(headers, days, strict=True)]), cut_days,
                        np.array([len(c) for c in cuts], dtype=np.int64), days=np.concatenate(days).astype(np.int64))
    return {r[0]: ChartView(s.chart_type, d, batch.result(t), h["a"], h["g"][-1][1] if h["g"] else None, r[1])
            for t, (r, h, s, d) in enumerate(zip(rows, headers, settings, days, strict=True))}


_NO_DAYS = np.zeros(0, np.int32)
_NO_VALUES = np.zeros(0)


@lru_cache(maxsize=256)
def _settings(chart_type: str, direction: str, shift: int, trend: int) -> ChartSettings:
    return ChartSettings(chart_type=ChartType(chart_type), direction=Direction(direction), shift_run_length=shift,
                         trend_run_length=trend)


def _day(period: str) -> int:
    return int(np.datetime64(period, "D").astype(np.int64))


def _target_at(targets: list[list[Any]], days: np.ndarray) -> float:
    """The target in force at the last point (NaN: none), as Series keeps it for the kernel."""
    if not targets or not days.shape[0]:
        return np.nan
    i = bisect_right([_day(t[0]) if t[0] else -(1 << 62) for t in targets], int(days[-1])) - 1
    value = targets[i][1] if i >= 0 else None
    return np.nan if value is None else float(value)


def _charted(many: list[Series]) -> list[ChartResult]:
    batch = chart_series(many)
    return [batch.result(t) for t in range(len(many))]


def view_of(series: Series) -> ChartView:
    """The chart of one series, computed now (replays such as `measure(asOf:)`), read as a stored chart is."""
    return ChartView.of(series, _charted([series])[0])


def empty(chart_type: str) -> ChartView:
    """The chart of a measure with no stored chart yet."""
    return ChartView(ChartType(chart_type), np.zeros(0, np.int64), None, [], None)


# -- the view --------------------------------------------------------------------------------------------------
def _nullable(column: np.ndarray) -> list[float | None]:
    """The column as floats, None where it has no value (NaN)."""
    out: list[float | None] = column.tolist()
    for i in np.flatnonzero(np.isnan(column)).tolist():
        out[i] = None
    return out


class Annotation:
    __slots__ = ("at", "kind", "period", "text")

    def __init__(self, period: date | None, kind: AnnotationKind, text: str, at: datetime) -> None:
        self.period = period  # None: the whole chart (a baseline)
        self.kind, self.text, self.at = kind, text, at


class ChartView:
    """A chart as readers see it. `position` is the read model's position for it (0 for replays)."""

    def __init__(self, chart_type: ChartType, days: np.ndarray, result: ChartResult | None,
                 annotations: list[list[str]], target: float | None, position: int = 0) -> None:
        self.chart_type = chart_type
        self.position = position
        self._days, self._result, self._annotations = days, result, annotations
        self.variation_icon: VariationIcon | None = result.variation_icon if result is not None else None
        self.assurance: AssuranceIcon | None = result.assurance_icon if result is not None else None
        self.runs: RunAnalysis | None = result.runs if result is not None else None
        self.target = target

    @classmethod
    def of(cls, series: Series, result: ChartResult, position: int = 0) -> ChartView:
        # the last target set, as the chart has always shown it (not only the one in force at the last point)
        return cls(series.chart_type, series.days.copy(), result, list(series.annotations),
                   series.targets[-1][1] if series.targets else None, position)

    def _column(self, name: str) -> list[float | None]:
        return _nullable(getattr(self._result, name)) if self._result is not None else []

    @cached_property
    def periods(self) -> list[date]:
        return self._days.astype("datetime64[D]").tolist()  # type: ignore[no-any-return]

    @cached_property
    def values(self) -> list[float]:
        return self._column("values")  # type: ignore[return-value]

    @cached_property
    def centre_line(self) -> list[float]:
        return self._column("centre")  # type: ignore[return-value]

    @cached_property
    def upper_process_limit(self) -> list[float | None]:
        return self._column("upper_limit")

    @cached_property
    def lower_process_limit(self) -> list[float | None]:
        return self._column("lower_limit")

    @cached_property
    def upper_two_sigma(self) -> list[float | None]:
        return self._column("upper_two_sigma")

    @cached_property
    def lower_two_sigma(self) -> list[float | None]:
        return self._column("lower_two_sigma")

    @cached_property
    def variation(self) -> list[PointVariation]:
        return [VARIATIONS[c] for c in self._result.variation.tolist()] if self._result is not None else []

    @cached_property
    def rules(self) -> list[list[SpcRule]]:
        return [_RULE_LISTS[m] for m in self._result.rules.tolist()] if self._result is not None else []

    @cached_property
    def annotations(self) -> list[Annotation]:
        """Oldest first."""
        return [Annotation(date.fromisoformat(p) if p else None, AnnotationKind(kind), text,
                           datetime.fromisoformat(at)) for p, kind, text, at in self._annotations]
