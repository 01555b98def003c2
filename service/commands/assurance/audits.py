"""Audit commands: create (or re-audit), define the sample, invite people to take part, record cases, record
findings, complete; and the team's audit programme for a year."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from uuid import uuid4

from domain.assurance.audit import Audit, AuditCase, Criterion, PreviousAudit
from domain.assurance.programme import AuditProgramme, programme_id
from domain.errors import InvalidInput
from service.auth.permissions import allowed, authorize
from service.bootstrap import Services
from service.commands.assurance.common import load_as, now, on, require_team
from service.commands.context import CommandContext
from service.commands.streams import stream_is


async def create_audit(services: Services, ctx: CommandContext, team_id: str, title: str, standard: str,
                       criteria: Sequence[Criterion], previous_audit_id: str | None) -> tuple[str, int]:
    authorize(ctx.principal, "audit.run", team_id)
    await require_team(services, team_id)
    previous = None
    if previous_audit_id is not None:
        earlier = await load_as(services, previous_audit_id, Audit, "previousAuditId")
        previous = PreviousAudit(previous_audit_id, earlier.team_id)
    audit = Audit.create(audit_id=uuid4(), team_id=team_id, title=title, standard=standard, criteria=criteria,
                         previous=previous, created_by=ctx.principal.subject)
    saved = await services.repository.save(audit, ctx.meta(team_id=team_id))
    return str(audit.id), saved.position


def _run(ctx: CommandContext, audit: Audit) -> None:
    authorize(ctx.principal, "audit.run", audit.team_id)


async def define_sample(services: Services, ctx: CommandContext, audit_id: str, description: str, size: int,
                        period_start: date, period_end: date) -> int:
    def decide(audit: Audit) -> None:
        _run(ctx, audit)
        audit.define_sample(description, size, period_start, period_end)
    return await on(services, ctx, audit_id, Audit, "auditId", decide)


async def invite(services: Services, ctx: CommandContext, audit_id: str, subjects: Sequence[str]) -> int:
    def decide(audit: Audit) -> None:
        _run(ctx, audit)
        audit.invite(subjects)
    return await on(services, ctx, audit_id, Audit, "auditId", decide)


async def record_cases(services: Services, ctx: CommandContext, audit_id: str, cases: Sequence[AuditCase]) -> int:
    def decide(audit: Audit) -> None:
        authorize(ctx.principal, "audit.cases.record", audit.team_id)
        audit.record_cases(cases, ctx.principal.subject, allowed(ctx.principal, "audit.run", audit.team_id))
    return await on(services, ctx, audit_id, Audit, "auditId", decide)


async def record_finding(services: Services, ctx: CommandContext, audit_id: str, title: str, severity: str,
                         rationale: str, criterion: str | None) -> tuple[str, int]:
    finding_id = str(uuid4())

    def decide(audit: Audit) -> None:
        _run(ctx, audit)
        audit.record_finding(finding_id, title, severity, rationale, ctx.principal.subject, now(), criterion)
    return finding_id, await on(services, ctx, audit_id, Audit, "auditId", decide, rationale.strip())


async def complete_audit(services: Services, ctx: CommandContext, audit_id: str, summary: str) -> int:
    def decide(audit: Audit) -> None:
        _run(ctx, audit)
        audit.complete(summary, ctx.principal.subject, now())
    return await on(services, ctx, audit_id, Audit, "auditId", decide)


# -- the audit programme ----------------------------------------------------------------------------------
async def establish_programme(services: Services, ctx: CommandContext, team_id: str, year: int,
                              title: str) -> tuple[str, int]:
    authorize(ctx.principal, "audit.programme.manage", team_id)
    await require_team(services, team_id)
    if await stream_is(services, str(programme_id(team_id, year)), "AuditProgramme"):
        raise InvalidInput(f"The team already has an audit programme for {year}.", field="year", code="INVALID")
    programme = AuditProgramme.establish(team_id=team_id, year=year, title=title)
    saved = await services.repository.save(programme, ctx.meta(team_id=team_id))
    return str(programme.id), saved.position


def _manage(ctx: CommandContext, programme: AuditProgramme) -> None:
    authorize(ctx.principal, "audit.programme.manage", programme.team_id)


async def plan_audit(services: Services, ctx: CommandContext, programme: str, title: str, standard: str,
                     due: date, reason: str) -> tuple[str, int]:
    entry_id = uuid4().hex[:12]

    def decide(p: AuditProgramme) -> None:
        _manage(ctx, p)
        p.plan_audit(entry_id, title, standard, due, reason)
    return entry_id, await on(services, ctx, programme, AuditProgramme, "programmeId", decide, reason.strip())


async def start_planned_audit(services: Services, ctx: CommandContext, programme: str, entry_id: str,
                              audit_id: str) -> int:
    audit = await load_as(services, audit_id, Audit, "auditId")

    def decide(p: AuditProgramme) -> None:
        _manage(ctx, p)
        p.link_audit(entry_id, audit_id, audit.team_id)
    return await on(services, ctx, programme, AuditProgramme, "programmeId", decide)


async def decide_planned_audit(services: Services, ctx: CommandContext, programme: str, entry_id: str,
                               decision: str, reason: str) -> int:
    def decide(p: AuditProgramme) -> None:
        _manage(ctx, p)
        p.decide(entry_id, decision, reason)
    return await on(services, ctx, programme, AuditProgramme, "programmeId", decide, reason.strip())
