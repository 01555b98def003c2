"""A team's audit programme per year in GraphQL: the planned audits, each with its due date and status (from
the audit that carries it out, or the decision to defer or cancel it)."""

from __future__ import annotations

from datetime import date
from enum import Enum
from typing import Any

import strawberry
from strawberry.types import Info

from domain.assurance.programme import programme_id
from schema.assurance.audits import Audit
from schema.assurance.common import read_one, read_team, run, team_of, written
from schema.context import Context
from schema.errors import UserError
from schema.loaders import request_today
from schema.teams import Team
from service.commands.assurance import audits as commands
from service.reads.assurance import DocView


@strawberry.enum
class PlannedAuditStatus(Enum):
    PLANNED = "PLANNED"
    OVERDUE = "OVERDUE"           # planned, not started, and due before today
    IN_PROGRESS = "IN_PROGRESS"   # its audit is OPEN
    COMPLETED = "COMPLETED"
    DEFERRED = "DEFERRED"
    CANCELLED = "CANCELLED"


@strawberry.enum
class PlannedAuditDecision(Enum):
    DEFERRED = "DEFERRED"
    CANCELLED = "CANCELLED"


@strawberry.type
class PlannedAudit:
    id: strawberry.ID
    title: str
    standard: str
    due: date
    reason: str
    decision_reason: str | None
    _entry: strawberry.Private[dict[str, Any]]

    async def _audit(self, ctx: Context) -> DocView | None:
        audit_id = self._entry["audit_id"]
        return await read_one(ctx, "audits", audit_id) if audit_id else None

    @strawberry.field
    async def audit(self, info: Info[Context, None]) -> Audit | None:
        view = await self._audit(info.context)
        return Audit.from_view(view) if view else None

    @strawberry.field
    async def status(self, info: Info[Context, None]) -> PlannedAuditStatus:
        if self._entry["audit_id"]:
            view = await self._audit(info.context)
            done = view is not None and view.doc["status"] == "COMPLETED"
            return PlannedAuditStatus.COMPLETED if done else PlannedAuditStatus.IN_PROGRESS
        if self._entry["decision"]:
            return PlannedAuditStatus[self._entry["decision"]]
        today = request_today(info.context)  # the answer then changes at midnight: not cached
        return PlannedAuditStatus.OVERDUE if self.due < today else PlannedAuditStatus.PLANNED


@strawberry.type
class AuditProgramme:
    id: strawberry.ID
    year: int
    title: str
    _view: strawberry.Private[DocView]

    @classmethod
    def from_view(cls, v: DocView) -> AuditProgramme:
        return cls(id=strawberry.ID(v.id), year=v.doc["year"], title=v.doc["title"], _view=v)

    @strawberry.field
    async def team(self, info: Info[Context, None]) -> Team:
        return await team_of(info.context, self._view.team_id)

    @strawberry.field(description="The planned audits, by due date.")
    def audits(self) -> list[PlannedAudit]:
        entries = sorted(self._view.doc["entries"], key=lambda e: (e["due"], e["planned_at"]))
        return [PlannedAudit(id=strawberry.ID(e["id"]), title=e["title"], standard=e["standard"],
                             due=date.fromisoformat(e["due"]), reason=e["reason"],
                             decision_reason=e["decision_reason"], _entry=e) for e in entries]


@strawberry.input
class EstablishAuditProgrammeInput:
    team_id: strawberry.ID
    year: int = strawberry.field(description="The programme's first calendar year: 2025 = 2025/26.")
    title: str


@strawberry.input
class PlanAuditInput:
    programme_id: strawberry.ID
    title: str
    standard: str
    due: date
    reason: str = strawberry.field(description="Why this audit is in the programme.")


@strawberry.input
class StartPlannedAuditInput:
    programme_id: strawberry.ID
    planned_audit_id: strawberry.ID
    audit_id: strawberry.ID = strawberry.field(description="The audit (of the same team) that carries it out.")


@strawberry.input
class DecidePlannedAuditInput:
    programme_id: strawberry.ID
    planned_audit_id: strawberry.ID
    decision: PlannedAuditDecision
    reason: str


@strawberry.type
class AuditProgrammePayload:
    programme: AuditProgramme | None
    errors: list[UserError]


async def _answer(ctx: Context, programme: str, command: Any) -> AuditProgrammePayload:
    result, errors = await run(ctx, command)
    if errors:
        return AuditProgrammePayload(programme=None, errors=errors)
    if isinstance(result, tuple) and not programme:
        programme = result[0]
    view = await written(ctx, "audit_programmes", programme)
    return AuditProgrammePayload(programme=AuditProgramme.from_view(view) if view else None, errors=[])


@strawberry.type
class ProgrammeQueries:
    @strawberry.field(description="The team's audit programme for a year.")
    async def audit_programme(self, info: Info[Context, None], team_id: strawberry.ID,
                              year: int) -> AuditProgramme | None:
        view = await read_one(info.context, "audit_programmes", str(programme_id(str(team_id), year)))
        return AuditProgramme.from_view(view) if view else None

    @strawberry.field(description="The team's audit programmes, newest year first.")
    async def audit_programmes(self, info: Info[Context, None], team_id: strawberry.ID) -> list[AuditProgramme]:
        views = await read_team(info.context, "audit_programmes", str(team_id))
        return [AuditProgramme.from_view(v) for v in sorted(views, key=lambda v: -v.doc["year"])]


@strawberry.type
class ProgrammeMutations:
    @strawberry.mutation(description="One programme per team and year.")
    async def establish_audit_programme(self, info: Info[Context, None],
                                        input: EstablishAuditProgrammeInput) -> AuditProgrammePayload:
        ctx = info.context
        return await _answer(ctx, "", commands.establish_programme(
            ctx.services, ctx.command(), str(input.team_id), input.year, input.title))

    @strawberry.mutation
    async def plan_audit(self, info: Info[Context, None], input: PlanAuditInput) -> AuditProgrammePayload:
        ctx = info.context
        return await _answer(ctx, str(input.programme_id), commands.plan_audit(
            ctx.services, ctx.command(), str(input.programme_id), input.title, input.standard, input.due,
            input.reason))

    @strawberry.mutation(description="Link a planned audit to the audit that carries it out.")
    async def start_planned_audit(self, info: Info[Context, None],
                                  input: StartPlannedAuditInput) -> AuditProgrammePayload:
        ctx = info.context
        return await _answer(ctx, str(input.programme_id), commands.start_planned_audit(
            ctx.services, ctx.command(), str(input.programme_id), str(input.planned_audit_id), str(input.audit_id)))

    @strawberry.mutation(description="Defer or cancel a planned audit not yet started, with the reason.")
    async def decide_planned_audit(self, info: Info[Context, None],
                                   input: DecidePlannedAuditInput) -> AuditProgrammePayload:
        ctx = info.context
        return await _answer(ctx, str(input.programme_id), commands.decide_planned_audit(
            ctx.services, ctx.command(), str(input.programme_id), str(input.planned_audit_id),
            input.decision.value, input.reason))
