"""The SPC projection without a database: the fold on arrays, the rows a batch stores (a header per measure, its new
points in chunks), and notes from other aggregates' events (a test-only event class stands in for a PDSA cycle)."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any
from uuid import UUID, uuid4

import numpy as np
import pytest

from domain.control.measure import Measure, MeasureDefinition
from domain.control.observations import ObservationIn
from domain.control.vocabulary import AnnotationKind, ChartType, PointVariation, SpcRule
from projections.base import ProjectedEvent
from projections.spc import document
from projections.spc.document import ChartView, view_of
from projections.spc.fold import Series, evolve
from projections.spc.projection import SpcProjection

T0 = datetime(2024, 1, 1, tzinfo=UTC)


class Connection:
    """Records the projection's writes: headers by measure, chunks by (measure, chunk); no row is read back."""

    def __init__(self) -> None:
        self.rows: dict[str, tuple[Any, ...]] = {}
        self.chunks: dict[tuple[str, int], tuple[Any, ...]] = {}
        self.chunk_writes: list[tuple[str, int]] = []

    async def fetch(self, *args: Any) -> list[Any]:
        return []

    async def executemany(self, sql: str, rows: list[tuple[Any, ...]]) -> None:
        if sql == document.WRITE_CHUNK:
            self.chunks.update({(r[0], r[1]): r for r in rows})
            self.chunk_writes.extend((r[0], r[1]) for r in rows)
        else:
            self.rows.update({r[0]: r for r in rows})

    def view(self, measure_id: str) -> ChartView:
        """The chart as a reader would compute it from the rows written."""
        chunks = sorted(k for k in self.chunks if k[0] == measure_id)
        parts = [self.chunks[k] for k in chunks]
        joined = [b"".join(p[i] for p in parts) for i in (2, 3)]
        dens = b"".join(p[4] for p in parts) if parts and parts[0][4] is not None else None
        _, position, points, state = self.rows[measure_id]
        series = document.series_of((measure_id, position, points, state, *joined, dens))
        return view_of(series)


@dataclass(frozen=True)
class CycleStudied:
    """Test-only: an event of another aggregate that concerns some measures."""

    measure_ids: tuple[str, ...]
    period: str
    summary: str
    timestamp: datetime

    def chart_annotation(self) -> tuple[tuple[str, ...], str, AnnotationKind, str]:
        return self.measure_ids, self.period, AnnotationKind.PDSA, self.summary


def monthly(n: int, first: int = 0) -> list[str]:
    return [date(2020 + (first + i) // 12, (first + i) % 12 + 1, 1).isoformat() for i in range(n)]


def measure_events(chart_type: str = "XMR", n: int = 20) -> tuple[UUID, list[Any]]:
    measure = Measure.define(measure_id=uuid4(), definition=MeasureDefinition(
        team_id=str(uuid4()), name="Falls", kind="OUTCOME", direction="DECREASE", chart_type=chart_type))
    measure.record_values(monthly(n), [float(10 + i % 3) for i in range(n)], None)
    measure.recalculate_limits(date(2020, 11, 1), "new falls policy")
    return measure.id, measure.collect_events()


def projected(events: list[Any], start: int = 1) -> list[ProjectedEvent]:
    return [ProjectedEvent(start + i, str(getattr(e, "originator_id", "other")), T0, "tester", e)
            for i, e in enumerate(events)]


def test_a_stored_series_reads_back_as_it_was_written() -> None:
    _, events = measure_events()
    series = None
    for e in events:
        series = evolve(series, e)
    again = Series.from_bytes(series.to_bytes())
    assert again.periods() == series.periods() == monthly(20)
    assert np.array_equal(again.values, series.values) and again.recalculations == ["2020-11-01"]
    assert again.annotations == series.annotations


def test_corrections_and_periods_recorded_out_of_order_keep_one_sorted_value_per_period() -> None:
    series = Series(ChartType.XMR, "NEITHER", 6, 6)
    series.record(monthly(3, 2), [3.0, 4.0, 5.0], None)
    series.record(monthly(3), [1.0, 2.0, 30.0], None)  # two earlier months, and March corrected
    assert series.periods() == monthly(5)
    assert series.values.tolist() == [1.0, 2.0, 30.0, 4.0, 5.0]


def test_a_period_recorded_twice_in_one_event_keeps_the_later_value() -> None:
    series = Series(ChartType.XMR, "NEITHER", 6, 6)
    series.record(["2024-03-01", "2024-03-02", "2024-03-02"], [41.0, 43.0, 44.0], None)
    assert series.periods() == ["2024-03-01", "2024-03-02"] and series.values.tolist() == [41.0, 44.0]


def test_the_replayed_chart_is_read_as_a_typed_view() -> None:
    _, events = measure_events()
    series = None
    for e in events:
        series = evolve(series, e)
    view = view_of(series)
    assert view.chart_type is ChartType.XMR and view.periods[0] == date(2020, 1, 1)
    assert all(isinstance(v, PointVariation) for v in view.variation)
    assert all(isinstance(r, SpcRule) for rules in view.rules for r in rules)
    assert [(a.period, a.kind, a.text) for a in view.annotations] == [
        (date(2020, 11, 1), AnnotationKind.RECALCULATION, "new falls policy")]


def test_the_projection_stores_every_measure_of_a_batch_as_a_header_and_its_points() -> None:
    projection, conn = SpcProjection(), Connection()
    first, events = measure_events("XMR")
    second, more = measure_events("C")
    asyncio.run(projection.handle(conn, projected(events + more)))  # type: ignore[arg-type]
    assert set(conn.rows) == {str(first), str(second)}
    view = conn.view(str(second))
    assert view.chart_type is ChartType.C and len(view.values) == 20 and conn.rows[str(second)][2] == 20


def recorded_later(n: int, first: int, values: list[float]) -> tuple[UUID, list[Any], list[Any]]:
    """A measure with n monthly points, then one more recording: (id, the first events, the recording's)."""
    measure = Measure.define(measure_id=uuid4(), definition=MeasureDefinition(
        team_id=str(uuid4()), name="Falls", kind="OUTCOME", direction="DECREASE", chart_type="XMR"))
    measure.record_values(monthly(n), [float(10 + i % 3) for i in range(n)], None)
    before = measure.collect_events()
    measure.record([ObservationIn(date.fromisoformat(p), v) for p, v in zip(monthly(len(values), first), values,
                                                                          strict=True)])
    return measure.id, before, measure.collect_events()


def test_a_batch_that_appends_writes_only_the_chunk_it_appends_to() -> None:
    projection, conn = SpcProjection(), Connection()
    n = document.CHUNK * 3 + 5
    measure_id, events, later = recorded_later(n, n, [1.0, 2.0])
    asyncio.run(projection.handle(conn, projected(events)))  # type: ignore[arg-type]
    assert [c for _, c in conn.chunk_writes] == [0, 1, 2, 3]
    conn.chunk_writes.clear()
    asyncio.run(projection.handle(conn, projected(later, 500)))  # type: ignore[arg-type]
    assert conn.chunk_writes == [(str(measure_id), 3)] and conn.rows[str(measure_id)][2] == n + 2
    assert conn.view(str(measure_id)).values[-3:] == [10.0 + (n - 1) % 3, 1.0, 2.0]


def test_a_correction_rewrites_the_chunks_from_the_corrected_point_on() -> None:
    projection, conn = SpcProjection(), Connection()
    measure_id, events, later = recorded_later(document.CHUNK * 3, document.CHUNK + 3, [99.0])
    asyncio.run(projection.handle(conn, projected(events)))  # type: ignore[arg-type]
    conn.chunk_writes.clear()
    asyncio.run(projection.handle(conn, projected(later, 500)))  # type: ignore[arg-type]
    assert [c for _, c in conn.chunk_writes] == [1, 2]
    view = conn.view(str(measure_id))
    assert view.values[document.CHUNK + 3] == 99.0 and len(view.values) == document.CHUNK * 3


def test_an_event_of_another_aggregate_annotates_the_charts_of_the_measures_it_names_after_their_own_notes() -> None:
    projection, conn = SpcProjection(annotating=[CycleStudied]), Connection()
    assert projection.topics[-1].endswith("CycleStudied")
    first, events = measure_events()
    second, more = measure_events()
    asyncio.run(projection.handle(conn, projected(events + more)))  # type: ignore[arg-type]
    cycle = CycleStudied((str(first), str(uuid4())), "2021-03-01", "PDSA 1: huddles", T0 + timedelta(days=1))
    asyncio.run(projection.handle(conn, projected([cycle], 100)))  # type: ignore[arg-type]
    assert set(conn.rows) == {str(first), str(second)}
    notes = conn.view(str(first)).annotations
    assert [(a.kind, a.text) for a in notes] == [(AnnotationKind.RECALCULATION, "new falls policy"),
                                                 (AnnotationKind.PDSA, "PDSA 1: huddles")]
    assert notes[1].period == date(2021, 3, 1) and notes[1].at == T0 + timedelta(days=1)
    assert conn.rows[str(first)][1] == 100
    assert len(conn.view(str(second)).annotations) == 1


def test_a_class_without_chart_annotation_cannot_annotate_charts() -> None:
    with pytest.raises(TypeError):
        SpcProjection(annotating=[Measure.TargetSet])
