"""The team's control board in one query: its measures with their variation and assurance icons (the Making Data
Count summary table), open signals, open escalations, overdue actions and the last huddle. Each part keeps its
own read permission; people's names are withheld from readers who may not see them (control.people.read)."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Annotated

import strawberry
from strawberry.types import Info

from domain.control.vocabulary import AssuranceIcon, PointVariation, VariationIcon
from schema.actions import Action
from schema.context import Context
from schema.escalations import Escalation
from schema.huddles import Huddle, team_huddles
from schema.loaders import request_today
from schema.signals import Signal, team_signals
from schema.teams import Team, load_team
from service.reads.actions import actions_page
from service.reads.escalations import escalations_of

if TYPE_CHECKING:
    from schema.measures import Measure

LazyMeasure = Annotated["Measure", strawberry.lazy("schema.measures")]
MAX_OVERDUE = 200


@strawberry.type(description="One row of the Making Data Count summary table.")
class BoardMeasure:
    measure: LazyMeasure
    latest_period: date | None
    latest_value: float | None
    latest_variation: PointVariation | None
    variation_icon: VariationIcon | None
    assurance: AssuranceIcon | None
    target: float | None


@strawberry.type
class ControlBoard:
    team_id: strawberry.Private[str]

    @strawberry.field
    async def team(self, info: Info[Context, None]) -> Team:
        return await load_team(info.context, self.team_id) or Team(id=strawberry.ID(self.team_id), name="")

    @strawberry.field(description="The team's measures by name, with the icons of their charts.")
    async def measures(self, info: Info[Context, None]) -> list[BoardMeasure]:
        from schema.measures import Measure  # the two types refer to each other

        ctx = info.context
        if not ctx.can("measure.read", self.team_id):
            return []
        views = await ctx.team_measures.load(self.team_id) or []
        ctx.depend(f"measures_of:{self.team_id}", max((v.position for v in views), default=None))
        charts = await ctx.charts.load_many([v.id for v in views])
        rows = []
        for v, chart in zip(views, charts, strict=True):
            ctx.depend(f"s:{v.id}", chart.position if chart else None)
            n = len(chart.values) if chart else 0
            rows.append(BoardMeasure(
                measure=Measure.from_view(v), latest_period=chart.periods[-1] if n else None,  # type: ignore[union-attr]
                latest_value=chart.values[-1] if n else None,  # type: ignore[union-attr]
                latest_variation=chart.variation[-1] if n else None,  # type: ignore[union-attr]
                variation_icon=chart.variation_icon if chart else None,
                assurance=chart.assurance if chart else None, target=chart.target if chart else v.target))
        return rows

    @strawberry.field(description="OPEN signals, newest first.")
    async def open_signals(self, info: Info[Context, None]) -> list[Signal]:
        return await team_signals(info.context, self.team_id, True)

    @strawberry.field(description="Escalations not yet resolved, newest first.")
    async def open_escalations(self, info: Info[Context, None]) -> list[Escalation]:
        ctx = info.context
        views = await escalations_of(ctx.services.pool, ctx.principal, self.team_id, True)
        return [Escalation.of(ctx, v) for v in views]

    @strawberry.field(description="OPEN actions due before today, soonest due first.")
    async def overdue_actions(self, info: Info[Context, None]) -> list[Action]:
        ctx = info.context
        today = request_today(ctx)
        page = await actions_page(ctx.services.pool, ctx.principal, self.team_id, None, True, today, MAX_OVERDUE,
                                  None)
        return [Action.of(ctx, v, today) for v in page.items]

    @strawberry.field(description="The team's most recent huddle.")
    async def last_huddle(self, info: Info[Context, None]) -> Huddle | None:
        page = await team_huddles(info.context, self.team_id, 1, None)
        return page.edges[0].node if page.edges else None


@strawberry.type
class BoardQueries:
    @strawberry.field(description="The team's control board; null for a team the caller may not read.")
    async def control_board(self, info: Info[Context, None], team_id: strawberry.ID) -> ControlBoard | None:
        ctx = info.context
        if not ctx.can("measure.read", str(team_id)) or await load_team(ctx, str(team_id)) is None:
            return None
        return ControlBoard(team_id=str(team_id))
