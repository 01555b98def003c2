"""Live updates: GraphQL subscriptions, fed by the projections' notifications (service/eventstore/notifications.py),
so every API process delivers what any process wrote."""

from __future__ import annotations

from collections.abc import AsyncGenerator

import strawberry
from strawberry.types import Info

from domain.errors import Forbidden, NotFound
from projections.spc.projection import SpcProjection
from schema.context import Context
from schema.measures import Measure
from schema.signals import Signal, signals_raised


@strawberry.type
class Subscription:
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
        with ctx.services.notifier.subscribe(SpcProjection.name) as changes:
            while True:
                change = await changes.next()
                if not change.concerns(stream=str(measure_id)):
                    continue
                ctx.measures.clear_all()
                ctx.charts.clear_all()
                fresh = await ctx.measures.load(str(measure_id))
                if fresh is not None:
                    yield Measure.from_view(fresh)

    @strawberry.subscription(description="Each signal raised (once), in one team or in every team the caller may "
                                         "read.")
    async def signal_raised(self, info: Info[Context, None], team_id: strawberry.ID | None = None) -> AsyncGenerator[
            Signal, None]:
        async for signal in signals_raised(info.context, str(team_id) if team_id is not None else None):
            yield signal
