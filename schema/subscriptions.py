"""Live updates: GraphQL subscriptions, fed by the projections' notifications (service/eventstore/notifications.py),
so every API process delivers what any process wrote. Each change is read once per process and shared by every
subscriber of what it changed (schema/live.py)."""

from __future__ import annotations

from collections.abc import AsyncGenerator
from dataclasses import replace

import asyncpg
import strawberry
from strawberry.tools import merge_types
from strawberry.types import Info

from domain.errors import Forbidden, NotFound
from projections.spc.document import ChartView, empty
from projections.spc.projection import SpcProjection
from schema.context import Context
from schema.improvement.live import CycleSubscription
from schema.live import feed
from schema.measures import Measure
from schema.signals import Signal, signals_raised
from service.eventstore.notifications import Change
from service.reads.catalog import MeasureView, charts_by_measure, measures_by_id


async def measure_states(pool: asyncpg.Pool, change: Change | None, watched: frozenset[str],
                         seen: dict[str, int]) -> dict[str, list[tuple[MeasureView, ChartView | None]]]:
    """The watched measures whose charts a change moved, each with its chart as now stored: one read for all
    their subscribers. A change that names too much to say which (bulk intake) leaves out the charts that did not
    move, so it does not wake every subscriber."""
    ids = sorted(watched if change is None or change.streams is None else watched & change.streams)
    if not ids:
        return {}
    charts = await charts_by_measure(pool, ids)
    moved = [i for i in ids if (charts[i].position if i in charts else 0) > seen.get(i, -1)]
    if not moved:
        return {}
    views = await measures_by_id(pool, moved)
    for i in moved:
        seen[i] = charts[i].position if i in charts else 0
    return {i: [(v, charts.get(i))] for i, v in views.items()}


@strawberry.type
class LiveSubscription:
    @strawberry.subscription(description="The measure, each time its chart changes (after the projection applied "
                                         "the change).")
    async def measure_updated(self, info: Info[Context, None], measure_id: strawberry.ID) -> AsyncGenerator[
            Measure, None]:
        ctx = info.context
        ctx.uncacheable()
        view = await ctx.measures.load(str(measure_id))
        if view is None:
            raise NotFound(f"No measure has id {measure_id}.", field="measureId")
        if not ctx.can("measure.read", view.team_id):
            raise Forbidden("Not allowed: the caller may not read this measure.")
        services = ctx.services
        # The chart's version now, read before listening: a change after it is sent (once, if others already had it).
        known = await ctx.charts.load(str(measure_id))
        with feed(services.notifier, services.pool, SpcProjection.name, measure_states).watch(
                str(measure_id), known.position if known else 0) as updates:
            while True:
                fresh, chart = await updates.next()
                # The shared read's chart goes with the measure, so this subscriber's selection reads nothing more.
                yield Measure.from_view(replace(fresh, chart=chart or empty(fresh.chart_type)))

    @strawberry.subscription(description="Each signal raised (once), in one team or in every team the caller may "
                                         "read.")
    async def signal_raised(self, info: Info[Context, None], team_id: strawberry.ID | None = None) -> AsyncGenerator[
            Signal, None]:
        async for signal in signals_raised(info.context, str(team_id) if team_id is not None else None):
            yield signal


Subscription = merge_types("Subscription", (LiveSubscription, CycleSubscription))
