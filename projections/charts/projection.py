"""The SPC projection: folds Measure events into spc_series rows (series state and computed chart)."""

from __future__ import annotations

from typing import Any

import asyncpg
from eventsourcing.utils import get_topic

from domain.control.measure import Measure
from projections.base import ProjectedEvent, VersionedRows
from projections.charts.series import Series, chart_document, encode_chart, evolve

TOPICS = tuple(get_topic(c) for c in (Measure.MeasureDefined, Measure.ObservationsRecorded,
                                      Measure.LimitsRecalculated, Measure.BaselineSet, Measure.TargetSet))


class SpcProjection:
    name = "spc"
    topics: tuple[str, ...] | None = TOPICS
    versioned = {"s": VersionedRows("spc_series", "measure_id")}

    def __init__(self, cache_size: int = 50_000) -> None:
        # While this process holds the projection's lock it is the only writer of spc_series, so the
        # in-memory copy of a series is exactly the stored one; forget() drops it on any change of hands.
        self._cache: dict[str, Series] = {}
        self.cache_size = cache_size

    def forget(self) -> None:
        self._cache.clear()

    async def clear(self, conn: asyncpg.Connection) -> None:
        await conn.execute("TRUNCATE spc_series")

    async def handle(self, conn: asyncpg.Connection, events: list[ProjectedEvent]) -> None:
        touched: dict[str, int] = {}
        missing = list({e.stream_id for e in events} - self._cache.keys())
        if missing:
            for row in await conn.fetch("SELECT measure_id, state FROM spc_series WHERE measure_id = ANY($1)",
                                        missing):
                self._cache[row[0]] = Series.from_bytes(row[1])
        for e in events:
            series = evolve(self._cache.get(e.stream_id), e.event)
            if series is not None:
                self._cache[e.stream_id] = series
                touched[e.stream_id] = e.position
        rows: list[tuple[Any, ...]] = []
        for measure_id, position in touched.items():
            series = self._cache[measure_id]
            rows.append((measure_id, position, series.to_bytes(), encode_chart(chart_document(series))))
        if rows:
            await conn.executemany(
                "INSERT INTO spc_series (measure_id, position, state, chart) VALUES ($1, $2, $3, $4) "
                "ON CONFLICT (measure_id) DO UPDATE SET position = EXCLUDED.position, state = EXCLUDED.state, "
                "chart = EXCLUDED.chart", rows)
        if len(self._cache) > self.cache_size:
            self._cache.clear()
