"""The typed per-request context: services, the caller, and DataLoaders built for this request."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from strawberry.dataloader import DataLoader

from service.bootstrap import Services
from service.commands.context import CommandContext
from service.identity import Principal
from service.queries import MeasureView, charts_by_measure, measures_by_id, teams_by_id


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
    measures: DataLoader[str, MeasureView | None] = field(init=False)
    teams: DataLoader[str, dict[str, Any] | None] = field(init=False)
    charts: DataLoader[str, dict[str, Any] | None] = field(init=False)

    def __post_init__(self) -> None:
        pool = self.services.pool
        self.measures = _loader(measures_by_id, pool)
        self.teams = _loader(teams_by_id, pool)
        self.charts = _loader(charts_by_measure, pool)

    def command(self, source: str = "graphql") -> CommandContext:
        return CommandContext(self.principal, correlation_id=self.request_id, source=source)
