"""A senior leader's alignment view: per strategic priority, the teams and measures whose approved plans
serve it, and the teams without an approved plan for the year."""

from __future__ import annotations

from datetime import UTC, datetime

import strawberry
from strawberry.types import Info

from schema.context import Context
from schema.measures import Measure
from schema.planning.organisation import (
    Organisation,
    StrategicPriority,
    Strategy,
    organisation_type,
    priority_type,
    teams_of,
)
from schema.planning.plans import measures_of
from schema.teams import Team
from service.reads import planning as reads


@strawberry.type
class PriorityAlignment:
    priority: StrategicPriority
    team_ids: strawberry.Private[list[str]]
    measure_ids: strawberry.Private[list[str]]

    @strawberry.field(description="Teams whose approved plan for the year links a measure to this priority.")
    async def teams(self, info: Info[Context, None]) -> list[Team]:
        return await teams_of(info.context, self.team_ids)

    @strawberry.field
    async def measures(self, info: Info[Context, None]) -> list[Measure]:
        views = await measures_of(info.context, self.measure_ids)
        return [Measure.from_view(v) for v in views if v is not None and info.context.can("measure.read", v.team_id)]


@strawberry.type(description="A senior leader's view of how the year's approved plans serve the strategy.")
class Alignment:
    year: int
    organisation: Organisation
    strategy: Strategy | None
    priorities: list[PriorityAlignment]
    team_ids_without_approved_plan: strawberry.Private[list[str]]

    @strawberry.field(description="Teams (not the root, not directorates) with no approved plan for the year.")
    async def teams_without_approved_plan(self, info: Info[Context, None]) -> list[Team]:
        return await teams_of(info.context, self.team_ids_without_approved_plan)


@strawberry.type
class AlignmentQueries:
    @strawberry.field(description="Per strategic priority, the teams and measures that serve it, and the teams "
                                  "without an approved plan; year: default the current planning year.")
    async def alignment(self, info: Info[Context, None], organisation_id: strawberry.ID,
                        year: int | None = None) -> Alignment | None:
        ctx = info.context
        ctx.uncacheable()
        chosen = year if year is not None else reads.planning_year(datetime.now(UTC).date())
        view = await reads.alignment(ctx.services, ctx.principal, str(organisation_id), chosen)
        if view is None:
            return None
        return Alignment(year=view.year, organisation=organisation_type(view.organisation),
                         strategy=Strategy.from_view(view.strategy) if view.strategy else None,
                         priorities=[PriorityAlignment(priority=priority_type(p.priority), team_ids=p.team_ids,
                                                       measure_ids=p.measure_ids) for p in view.priorities],
                         team_ids_without_approved_plan=view.teams_without_approved_plan)
