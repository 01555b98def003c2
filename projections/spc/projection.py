"""The SPC projection: folds Measure events, and notes from other aggregates' events, into each measure's stored
series (projections.spc.document): a batch writes the headers it changed and the points it added."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import cast

import asyncpg
from eventsourcing.utils import get_topic

from domain.control.measure import Measure
from projections.base import ProjectedEvent, VersionedRows
from projections.spc import document
from projections.spc.annotations import ChartAnnotating
from projections.spc.columns import Columns
from projections.spc.engine import warm_up
from projections.spc.fold import Series, evolve

MEASURE_EVENTS = (Measure.MeasureDefined, Measure.ObservationsRecorded, Measure.LimitsRecalculated,
                  Measure.BaselineSet, Measure.TargetSet)


class SpcProjection:
    name = "spc"
    topics: tuple[str, ...] | None
    versioned = {"s": VersionedRows("spc_series", "measure_id")}

    def __init__(self, cache_size: int = 50_000, annotating: Iterable[type] = ()) -> None:
        """`annotating`: event classes of other aggregates that follow the ChartAnnotating protocol."""
        self.annotating = tuple(annotating)
        for c in self.annotating:
            if not issubclass(c, ChartAnnotating):
                raise TypeError(f"{c.__qualname__} has no chart_annotation(): it cannot annotate charts")
        self.topics = tuple(get_topic(c) for c in (*MEASURE_EVENTS, *self.annotating))
        # While this process holds the projection's lock it is the only writer of spc_series, so the
        # in-memory copy of a series is exactly the stored one; forget() drops it on any change of hands (and
        # the runner calls it when a batch fails, so a save rolled back is never taken as stored). The kernel
        # is warmed for the readers in this process, which chart what they read.
        warm_up()
        self._cache: dict[str, Series] = {}
        self._columns = Columns()  # the cached series' points, charted where they lie
        self.cache_size = cache_size

    def forget(self) -> None:
        self._cache.clear()
        self._columns = Columns()

    async def clear(self, conn: asyncpg.Connection) -> None:
        await conn.execute("TRUNCATE spc_series, spc_points")

    async def handle(self, conn: asyncpg.Connection, events: list[ProjectedEvent]) -> list[str]:
        """Apply the batch; answers the measures whose charts changed (a note from another aggregate changes the
        chart of each measure it names, not the note's own stream)."""
        ids = {m for e in events for m in _measures_of(e, self.annotating)}
        missing = list(ids - self._cache.keys())
        if missing:
            self._cache.update(await document.read_series(conn, missing, self._columns))
        touched = apply(self._cache, events, self.annotating, self._columns)
        await document.write(conn, [(m, position, self._cache[m]) for m, position in touched.items()])
        if len(self._cache) > self.cache_size:
            self.forget()
        return list(touched)


def _measures_of(e: ProjectedEvent, annotating: tuple[type, ...]) -> Sequence[str]:
    # a class test, not the protocol's isinstance: that one inspects the event's members every time
    return cast(ChartAnnotating, e.event).chart_annotation()[0] if isinstance(e.event, annotating) else (e.stream_id,)


def apply(cache: dict[str, Series], events: list[ProjectedEvent], annotating: tuple[type, ...] = (),
          columns: Columns | None = None) -> dict[str, int]:
    """Fold the events into the cached series (new ones into `columns`); answers each touched measure's last
    position."""
    touched: dict[str, int] = {}
    for e in events:
        event = e.event
        if isinstance(event, annotating):
            measure_ids, period, kind, text = cast(ChartAnnotating, event).chart_annotation()
            at = getattr(event, "timestamp", e.recorded_at).isoformat()
            for measure_id in measure_ids:
                annotated = cache.get(measure_id)
                if annotated is not None:  # a note for a measure not (yet) defined has no chart to go on
                    annotated.annotate(period, kind, text, at)
                    touched[measure_id] = e.position
            continue
        series = evolve(cache.get(e.stream_id), event, columns)
        if series is not None:
            cache[e.stream_id] = series
            touched[e.stream_id] = e.position
    return touched

