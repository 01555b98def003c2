"""Inspection commands: record a visit, rate areas, record findings, issue the report."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from uuid import uuid4

from domain.assurance.inspection import Inspection
from service.auth.permissions import authorize
from service.bootstrap import Services
from service.commands.assurance.common import now, on, require_team
from service.commands.context import CommandContext


async def record_inspection(services: Services, ctx: CommandContext, team_id: str, kind: str, body: str,
                            visited_on: date, inspectors: Sequence[str], areas: Sequence[str]) -> tuple[str, int]:
    authorize(ctx.principal, "inspection.record", team_id)
    await require_team(services, team_id)
    inspection = Inspection.record(inspection_id=uuid4(), team_id=team_id, kind=kind, body=body,
                                   visited_on=visited_on, inspectors=inspectors, areas=areas)
    saved = await services.repository.save(inspection, ctx.meta(team_id=team_id))
    return str(inspection.id), saved.position


async def rate_area(services: Services, ctx: CommandContext, inspection_id: str, area: str, rating: str,
                    rationale: str) -> int:
    def decide(inspection: Inspection) -> None:
        authorize(ctx.principal, "inspection.record", inspection.team_id)
        inspection.rate(area, rating, rationale, ctx.principal.subject, now())
    return await on(services, ctx, inspection_id, Inspection, "inspectionId", decide, rationale.strip())


async def record_finding(services: Services, ctx: CommandContext, inspection_id: str, title: str, severity: str,
                         rationale: str, area: str | None) -> tuple[str, int]:
    finding_id = str(uuid4())

    def decide(inspection: Inspection) -> None:
        authorize(ctx.principal, "inspection.record", inspection.team_id)
        inspection.record_finding(finding_id, title, severity, rationale, ctx.principal.subject, now(), area)
    return finding_id, await on(services, ctx, inspection_id, Inspection, "inspectionId", decide, rationale.strip())


async def report(services: Services, ctx: CommandContext, inspection_id: str, summary: str) -> int:
    def decide(inspection: Inspection) -> None:
        authorize(ctx.principal, "inspection.record", inspection.team_id)
        inspection.report(summary, ctx.principal.subject, now())
    return await on(services, ctx, inspection_id, Inspection, "inspectionId", decide)
