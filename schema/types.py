"""GraphQL object types of the core contract: teams and measures (SPC charts and the enums: schema/spc.py)."""

from __future__ import annotations

import math
from typing import Any

import strawberry
from strawberry.types import Info

from projections.spc.document import ChartView, empty
from schema.context import Context
from schema.spc import ChartType, Frequency, ImprovementDirection, MeasureKind, SpcChart, spc_chart
from service.permissions import allowed

__all__ = ["ChartType", "Frequency", "ImprovementDirection", "Measure", "MeasureKind", "Team", "load_team",
           "readable"]


@strawberry.type
class Team:
    id: strawberry.ID
    name: str
    parent_team_id: strawberry.ID | None = None


@strawberry.type
class Measure:
    id: strawberry.ID
    name: str
    kind: MeasureKind
    improvement_direction: ImprovementDirection
    chart_type: ChartType
    frequency: Frequency
    unit: str | None
    target: float | None
    shift_run_length: int
    trend_run_length: int
    team_id: strawberry.Private[str]
    as_of_chart: strawberry.Private[ChartView | None] = None

    @strawberry.field
    async def team(self, info: Info[Context, None]) -> Team:
        return await load_team(info.context, self.team_id) or Team(id=strawberry.ID(self.team_id), name="")

    @strawberry.field
    async def spc(self, info: Info[Context, None]) -> SpcChart:
        if self.as_of_chart is not None:
            return spc_chart(self.as_of_chart)
        view = await info.context.charts.load(str(self.id))
        info.context.depend(f"s:{self.id}", view.position if view else None)
        return spc_chart(view or empty(self.chart_type))

    @classmethod
    def from_view(cls, v: Any) -> Measure:
        target = v.target if v.target is None or math.isfinite(v.target) else None
        return cls(id=strawberry.ID(v.id), name=v.name, kind=MeasureKind(v.kind),
                   improvement_direction=ImprovementDirection(v.direction), chart_type=ChartType(v.chart_type),
                   frequency=Frequency(v.frequency), unit=v.unit, target=target,
                   shift_run_length=v.shift_run_length, trend_run_length=v.trend_run_length, team_id=v.team_id,
                   as_of_chart=v.chart)


async def load_team(ctx: Context, team_id: str) -> Team | None:
    row = await ctx.teams.load(team_id)
    ctx.depend(f"t:{team_id}", row["position"] if row else None)
    if row is None:
        return None
    return Team(id=strawberry.ID(row["id"]), name=row["name"], parent_team_id=row["parent_id"])


def readable(info: Info[Context, None], team_id: str) -> bool:
    return allowed(info.context.principal, "measure.read", team_id)
