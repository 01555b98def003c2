"""As-of views: a stream folded from the events recorded up to an instant, so any decision can be seen as it stood."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from domain.control.measure import Measure
from projections.spc.document import view_of
from projections.spc.fold import evolve
from service.auth.identity import Principal
from service.auth.permissions import authorize
from service.bootstrap import Services
from service.ids import valid_uuid
from service.reads.catalog import MeasureView


async def measure_as_of(services: Services, principal: Principal, measure_id: str,
                        as_of: datetime) -> MeasureView | None:
    """The measure and its chart as they stood at `as_of`, folded from the events recorded until then."""
    if not valid_uuid(measure_id):
        return None
    records = await services.store.read_stream(measure_id, until=as_of)
    if not records:
        return None
    measure: Any = None
    series = None
    for r in records:
        event = services.codec.decode(r.stream_id, r.version, r.topic, r.data)
        measure = event.mutate(measure)
        series = evolve(series, event)
    if not isinstance(measure, Measure):
        return None
    d = measure.definition
    authorize(principal, "measure.read", d.team_id)
    return MeasureView(measure_id, d.team_id, d.name, d.kind, d.direction, d.chart_type, d.frequency, d.unit,
                       measure.target, d.shift_run_length, d.trend_run_length, records[-1].position,
                       chart=view_of(series) if series is not None else None)
