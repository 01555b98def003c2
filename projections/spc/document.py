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

from collections.abc import Sequence
from datetime import date, datetime
from functools import cached_property
from typing import Any

import asyncpg
import numpy as np

from domain.control.vocabulary import AnnotationKind, AssuranceIcon, ChartType, PointVariation, SpcRule, VariationIcon
from projections.spc.columns import Columns
from projections.spc.engine import ChartResult
from projections.spc.fold import Series, chart_series
from projections.spc.runs import RunAnalysis
from projections.spc.settings import RULES, VARIATIONS

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
    if not rows:
        return {}
    columns = Columns(sum(r[2] for r in rows) + 16 * len(rows), len(rows))
    many = [series_of(r, columns) for r in rows]
    return {r[0]: ChartView.of(s, result, r[1]) for r, s, result in zip(rows, many, _charted(many), strict=True)}


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
