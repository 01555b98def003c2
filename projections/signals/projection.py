"""The signals projection: a process manager that raises signals from the charts, and the signals read model.

For each recording (one ObservationsRecorded event: one command, or one intake request's part for a measure) it
compares the latest point of the measure's chart after the recording with the latest point before it (decide.py).
A signal it raises is a Signal aggregate whose id is derived from the measure, the recording's log position, the
kind and the basis, appended with an idempotency key made of that id: a second process, a retried batch or a
rebuild decides the same (every decision depends only on the log before the recording) and its append stores
nothing new. The store's append returns only once the event is durable, before this batch's transaction commits."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from datetime import date, datetime
from typing import Any

import asyncpg
import orjson
from eventsourcing.utils import get_topic

from domain.control.action import Action
from domain.control.measure import Measure
from domain.control.signal import Signal
from projections.base import ProjectedEvent, VersionedRows
from projections.signals.decide import Latest, decide
from projections.spc import document
from projections.spc.columns import Columns
from projections.spc.engine import ChartResult
from projections.spc.fold import Series, chart_series, evolve
from projections.spc.projection import MEASURE_EVENTS
from projections.spc.settings import RULES, VARIATIONS

SIGNAL_EVENTS = (Signal.SignalRaised, Signal.SignalAcknowledged)
Emit = Callable[[Sequence[Signal]], Awaitable[list[int]]]
"""Appends raised signals to the log (idempotently), answering each one's position (0: it was already there)."""


class Watch:
    """What the process manager keeps of one measure: its series, team, latest point and OPEN signals."""

    __slots__ = ("latest", "open", "series", "team_id")

    def __init__(self, series: Series, team_id: str, latest: Latest | None = None,
                 open_signals: dict[str, str] | None = None) -> None:
        self.series, self.team_id, self.latest = series, team_id, latest
        self.open: dict[str, str] = open_signals or {}  # signal id -> kind


class SignalProjection:
    name = "signals"
    topics: tuple[str, ...] | None = tuple(get_topic(c) for c in (*MEASURE_EVENTS, *SIGNAL_EVENTS,
                                                                   Action.ActionCreated))
    versioned = {"signal": VersionedRows("signals", "signal_id"), "signals_of": VersionedRows("signals", "team_id")}

    def __init__(self, emit: Emit | None = None, cache_size: int = 20_000) -> None:
        self.emit = emit  # bound by the composition root; the projection cannot reach the event store itself
        self.cache_size = cache_size
        self._cache: dict[str, Watch] = {}
        self._columns = Columns()

    def forget(self) -> None:
        self._cache.clear()
        self._columns = Columns()

    async def clear(self, conn: asyncpg.Connection) -> None:
        await conn.execute("TRUNCATE signals, signal_watch, signal_watch_points")

    async def handle(self, conn: asyncpg.Connection, events: list[ProjectedEvent]) -> list[str]:
        """Apply the batch; answers the signals it added to the read model (newly raised ones only)."""
        measures = {e.stream_id for e in events if isinstance(e.event, MEASURE_EVENTS)}
        await self._load(conn, list(measures - self._cache.keys()))
        run = _Run(self, conn)
        for e in events:
            ev = e.event
            if isinstance(ev, MEASURE_EVENTS):
                await run.measure_event(e)
            elif isinstance(ev, Signal.SignalRaised):
                await run.flush()
                await run.store([_row_of(ev, str(ev.originator_id), e.position)])
            elif isinstance(ev, Signal.SignalAcknowledged):
                await run.flush()
                await run.attended("UPDATE signals SET status = 'ACKNOWLEDGED', note = $2, acknowledged_at = $3, "
                                   "acknowledged_by = $4, position = $5 WHERE signal_id = $1 RETURNING measure_id",
                                   str(ev.originator_id), ev.note, e.recorded_at, e.actor, e.position)
            elif isinstance(ev, Action.ActionCreated) and ev.source_kind == "Signal" and ev.source_id:
                await run.flush()
                # the first action on an OPEN signal attends to it (the signal's own stream does not change)
                await run.attended("UPDATE signals SET status = 'ACKNOWLEDGED', action_id = $2, position = $3 "
                                   "WHERE signal_id = $1 AND status = 'OPEN' RETURNING measure_id",
                                   ev.source_id, str(ev.originator_id), e.position)
        await run.flush()
        await self._save(conn, run.watched)
        if len(self._cache) > self.cache_size:
            self.forget()
        return sorted(run.changed)

    async def _load(self, conn: asyncpg.Connection, missing: list[str]) -> None:
        if not missing:
            return
        for measure_id, team_id, latest, points, state, days, vals, dens in await conn.fetch(_LOAD, missing):
            point = orjson.loads(latest) if latest else None
            series = document.stored_series(measure_id, points, state, days, vals, dens, self._columns)
            self._cache[measure_id] = Watch(series, team_id,
                                            Latest(point[0], point[1], tuple(point[2]), point[3]) if point else None)
        for signal, measure_id, kind in await conn.fetch(
                "SELECT signal_id, measure_id, kind FROM signals WHERE measure_id = ANY($1) AND status = 'OPEN'",
                missing):
            watch = self._cache.get(measure_id)
            if watch is not None:
                watch.open[signal] = kind

    async def _save(self, conn: asyncpg.Connection, watched: dict[str, int]) -> None:
        rows = []
        for measure_id, position in watched.items():
            w = self._cache[measure_id]
            latest = orjson.dumps([w.latest.period, w.latest.variation, w.latest.rules, w.latest.assurance]) \
                if w.latest else None
            rows.append((measure_id, w.team_id, w.series.header(), w.series.size, latest, position))
        if rows:
            # the header and the points appended since the last save, not the whole series (as the SPC read
            # model stores it: a batch costs what it carries, however long the chart)
            await conn.executemany(
                "INSERT INTO signal_watch (measure_id, team_id, series, points, latest, position) "
                "VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (measure_id) DO UPDATE SET series = EXCLUDED.series, "
                "points = EXCLUDED.points, latest = EXCLUDED.latest, position = EXCLUDED.position", rows)
            await document.write_points(conn, _WRITE_POINTS, [(m, self._cache[m].series) for m in watched])


# A watched series: its header in signal_watch.series, its points in signal_watch_points (projections.spc.document).
_LOAD = ("SELECT s.measure_id, s.team_id, s.latest, s.points, s.series, p.days, p.vals, p.dens "
         "FROM signal_watch s " + document.points_join("signal_watch_points") + " WHERE s.measure_id = ANY($1::text[])")
_WRITE_POINTS = document.write_chunk_sql("signal_watch_points")


class _Run:
    """One batch: measure events are folded and charted lazily, all pending measures in one kernel call, flushed
    before a second event of the same measure and before anything that changes which signals are OPEN, so each
    recording is judged against the chart and the signals exactly as they stood just before it."""

    def __init__(self, projection: SignalProjection, conn: asyncpg.Connection) -> None:
        self.p, self.conn = projection, conn
        self.pending: dict[str, ProjectedEvent] = {}
        self.watched: dict[str, int] = {}
        self.changed: set[str] = set()

    async def measure_event(self, e: ProjectedEvent) -> None:
        if e.stream_id in self.pending:
            await self.flush()
        cache, ev = self.p._cache, e.event
        watch = cache.get(e.stream_id)
        if isinstance(ev, Measure.MeasureDefined):
            series = evolve(None, ev, self.p._columns)
            assert series is not None
            watch = cache[e.stream_id] = Watch(series, ev.definition["team_id"])
        elif watch is None:
            return  # a measure defined before this projection could see it: nothing to chart
        else:
            evolve(watch.series, ev)
        self.pending[e.stream_id] = e
        self.watched[e.stream_id] = e.position

    async def flush(self) -> None:
        if not self.pending:
            return
        items = list(self.pending.items())
        self.pending.clear()
        cache = self.p._cache
        batch = chart_series([cache[m].series for m, _ in items])
        raised: list[Signal] = []
        for t, (measure_id, e) in enumerate(items):
            watch = cache[measure_id]
            after = latest_of(watch.series, batch.result(t))
            if isinstance(e.event, Measure.ObservationsRecorded):
                for d in decide(watch.latest, after, set(watch.open.values())):
                    signal = Signal.raise_signal(
                        team_id=watch.team_id, measure_id=measure_id, period=d.period, kind=d.kind, basis=d.basis,
                        rules=list(d.rules), detail=d.detail, cause_position=e.position,
                        raised_at=e.recorded_at.isoformat())
                    watch.open[str(signal.id)] = d.kind
                    raised.append(signal)
            watch.latest = after
        if raised:
            if self.p.emit is None:
                raise RuntimeError("the signals projection has no way to append signals (emit is not bound)")
            positions = await self.p.emit(raised)
            await self.store([_row_of(s, str(s.id), position or s.cause_position)
                              for s, position in zip(raised, positions, strict=True)])

    async def store(self, rows: list[tuple[Any, ...]]) -> None:
        """Insert signals rows (a row already there keeps its status); the new ones are reported as changed, so
        live updates announce each signal once."""
        known = {r[0] for r in await self.conn.fetch("SELECT signal_id FROM signals WHERE signal_id = ANY($1)",
                                                    [row[0] for row in rows])}
        await self.conn.executemany(
            "INSERT INTO signals (signal_id, team_id, measure_id, period, kind, basis, rules, detail, raised_at, "
            "status, position) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, 'OPEN', $10) "
            "ON CONFLICT (signal_id) DO UPDATE SET position = GREATEST(signals.position, EXCLUDED.position)", rows)
        for row in rows:
            if row[0] not in known:
                self.changed.add(row[0])
            watch = self.p._cache.get(row[2])
            if watch is not None and row[0] not in watch.open:
                # raised by an earlier decision this process did not make (before a restart): still OPEN unless a
                # later event of this batch says otherwise
                watch.open[row[0]] = row[4]

    async def attended(self, sql: str, signal_id: str, *args: Any) -> None:
        """A signal no longer OPEN: its row, and the OPEN signals of its measure as the next recording sees them."""
        measure_id = await self.conn.fetchval(sql, signal_id, *args)
        if measure_id is None:
            return
        watch = self.p._cache.get(measure_id)
        if watch is not None:
            watch.open.pop(signal_id, None)


def latest_of(series: Series, result: ChartResult) -> Latest | None:
    """The latest point by period of a charted series (None: no points)."""
    if series.size == 0:
        return None
    mask = int(result.rules[-1])
    return Latest(series.last_period(), VARIATIONS[int(result.variation[-1])].value,
                  tuple(r.value for bit, r in enumerate(RULES) if mask >> bit & 1),
                  result.assurance_icon.value if result.assurance_icon else None)


def _row_of(ev: Any, signal_id: str, position: int) -> tuple[Any, ...]:
    """A signals row from a SignalRaised event or a raised Signal (they carry the same fields)."""
    return (signal_id, ev.team_id, ev.measure_id, date.fromisoformat(ev.period), ev.kind, ev.basis, list(ev.rules),
            ev.detail, datetime.fromisoformat(ev.raised_at), position)
