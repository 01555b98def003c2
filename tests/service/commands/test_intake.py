"""Bulk intake's handlers: one command per measure, with what a request decides once (its integration's scope)
decided once (the store faked: these are decisions; the real store is tested end to end)."""

from __future__ import annotations

from typing import Any

import numpy as np

from domain.control.columns import PeriodColumn
from domain.control.measure import MeasureDefinition
from domain.errors import Forbidden
from service.auth.identity import Principal, Role
from service.commands.context import CommandContext
from service.commands.intake import Columns, record_columns
from service.commands.integrations import register_integration
from service.commands.measures import define_measure
from service.commands.teams import create_team
from tests.service.commands.fakes import FakeServices


def columns(first: int, n: int) -> Columns:
    days = np.datetime64("2024-01-01") + np.arange(n)
    return list(range(first, first + n)), PeriodColumn(days), np.arange(n, dtype=np.float64), None


async def test_a_registered_integration_s_scope_is_read_once_for_a_request_over_many_measures() -> None:
    services: Any = FakeServices()
    lead = CommandContext(Principal("lead", Role.SENIOR_LEADER))
    team = (await create_team(services, lead, "Theatres", None)).team_id
    measures = [(await define_measure(services, lead, MeasureDefinition(team_id=team, name=f"Utilisation {i}",
                                                                        kind="OUTCOME", direction="INCREASE",
                                                                        frequency="DAY")))[0] for i in range(3)]
    integration, _ = await register_integration(services, lead, "Theatre system", team, measures[:2], "Theatre feed")
    feed = CommandContext(Principal(integration, Role.INTEGRATION, frozenset([team])), source="ingest")

    result = await record_columns(services, feed, {m: columns(10 * i, 3) for i, m in enumerate(measures)}, None)

    assert result.accepted == 6
    assert [(e["index"], e["code"]) for e in result.errors] == [(20, Forbidden.code), (21, Forbidden.code),
                                                                 (22, Forbidden.code)]
    assert services.repository.loads.count(integration) == 1
    assert {meta.source for _, meta in services.repository.saved[-2:]} == {f"integration:{integration}"}


async def test_a_token_of_no_registered_integration_is_refused_for_every_measure_it_sends() -> None:
    services: Any = FakeServices()
    lead = CommandContext(Principal("lead", Role.SENIOR_LEADER))
    team = (await create_team(services, lead, "Theatres", None)).team_id
    measure, _ = await define_measure(services, lead, MeasureDefinition(team_id=team, name="Utilisation",
                                                                        kind="OUTCOME", direction="INCREASE",
                                                                        frequency="DAY"))
    stranger = CommandContext(Principal("0f6f8a3e-6a3b-4c43-9d0e-5b7f1d3c2a10", Role.INTEGRATION, frozenset([team])))

    result = await record_columns(services, stranger, {measure: columns(0, 2)}, None)

    assert result.accepted == 0 and [e["code"] for e in result.errors] == [Forbidden.code] * 2
    assert "is not a registered integration" in result.errors[0]["message"]
