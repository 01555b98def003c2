"""The typed per-request context: services, the caller, and DataLoaders built for this request."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from strawberry.dataloader import DataLoader

from projections.spc.document import ChartView
from service.auth.identity import Principal
from service.auth.permissions import allowed
from service.bootstrap import Services
from service.commands.context import CommandContext
from service.reads.catalog import (
    MeasureView,
    TeamView,
    charts_by_measure,
    measures_by_id,
    measures_by_team,
    measures_with_charts,
    teams_by_id,
    teams_by_parent,
)


def _loader(fetch: Any, pool: Any) -> DataLoader[str, Any]:
    async def load(keys: list[str]) -> list[Any]:
        found = await fetch(pool, list(keys))
        return [found.get(k) for k in keys]
    return DataLoader(load_fn=load)


@dataclass
class Context:
    services: Services
    principal: Principal
    request_id: str
    position: int = 0   # the last position this request's commands wrote: sent back as X-QMS-Position
    # The read-model rows this answer was built from, with their positions; None once any part of the answer
    # came from somewhere that has no such version (the log itself, a past instant), making it uncacheable.
    depends_on: dict[str, int | None] | None = field(default_factory=dict)

    # Built on first use: most requests (every mutation that selects no measure) need none of them.
    @cached_property
    def measures(self) -> DataLoader[str, MeasureView | None]:
        return _loader(measures_by_id, self.services.pool)

    @cached_property
    def measures_and_charts(self) -> DataLoader[str, tuple[MeasureView, ChartView | None] | None]:
        """A measure with its chart in one statement (a chart query); each is then served by its own loader."""
        async def load(keys: list[str]) -> list[Any]:
            found = await measures_with_charts(self.services.pool, list(keys))
            for key, (measure, chart) in found.items():
                self.measures.prime(key, measure)
                self.charts.prime(key, chart)
            return [found.get(k) for k in keys]
        return DataLoader(load_fn=load)

    @cached_property
    def teams(self) -> DataLoader[str, TeamView | None]:
        return _loader(teams_by_id, self.services.pool)

    @cached_property
    def sub_teams(self) -> DataLoader[str, list[TeamView] | None]:
        return _loader(teams_by_parent, self.services.pool)

    @cached_property
    def team_measures(self) -> DataLoader[str, list[MeasureView] | None]:
        return _loader(measures_by_team, self.services.pool)

    @cached_property
    def charts(self) -> DataLoader[str, ChartView | None]:
        return _loader(charts_by_measure, self.services.pool)

    def can(self, action: str, team_id: str | None) -> bool:
        """Whether the policy lets the caller do `action` for `team_id` (reads answer nothing rather than fail)."""
        return allowed(self.principal, action, team_id)

    def depend(self, key: str, position: int | None) -> None:
        if self.depends_on is not None:
            self.depends_on[key] = position

    def uncacheable(self) -> None:
        self.depends_on = None

    def wrote(self, position: int) -> int:
        self.position = max(self.position, position)
        return position

    def command(self, source: str = "graphql") -> CommandContext:
        return CommandContext(self.principal, correlation_id=self.request_id, source=source)
