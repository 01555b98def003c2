"""Clinical audits in GraphQL: the contract's Audit (criteria with compliance and change on a re-audit),
`audit(id, asOf)`, `createAudit`, `recordAuditCases`, `completeAudit`; and beside them the sample, the people
invited to collect cases, and findings with severity."""

from __future__ import annotations

from datetime import date, datetime
from enum import Enum
from typing import Any

import strawberry
from strawberry.types import Info

from domain.assurance.audit import AuditCase, Criterion
from schema.actions import Action
from schema.assurance.common import at, read_one, read_team, run, team_of, written
from schema.context import Context
from schema.errors import UserError
from schema.huddles import actions_for
from schema.teams import Team
from service.commands.assurance import audits as commands
from service.reads import assurance as reads
from service.reads.assurance import DocView


@strawberry.enum
class AuditStatus(Enum):
    OPEN = "OPEN"
    COMPLETED = "COMPLETED"


@strawberry.enum(description="How serious a finding is.")
class FindingSeverity(Enum):
    LOW = "LOW"
    MODERATE = "MODERATE"
    HIGH = "HIGH"
    CRITICAL = "CRITICAL"


@strawberry.type
class AuditCriterion:
    name: str
    expected_compliance: float
    applicable: int = strawberry.field(description="Cases with a result (not null) for it.")
    met: int
    compliance: float | None = strawberry.field(description="met / applicable; null when no case applies.")
    change: float | None = strawberry.field(
        description="compliance minus the previous audit's same-named criterion; null on a first audit.")


@strawberry.type(description="A finding of an audit or an inspection, with who decided it and why.")
class Finding:
    id: strawberry.ID
    title: str
    severity: FindingSeverity
    rationale: str
    decided_by: str
    decided_at: datetime
    criterion: str | None = strawberry.field(description="The audit criterion or inspected area it concerns.")
    source_id: strawberry.ID = strawberry.field(description="The audit or inspection that found it.")

    @strawberry.field(description="The actions raised on it (createAction with sourceId = its id), by due date.")
    async def actions(self, info: Info[Context, None]) -> list[Action]:
        return await actions_for(info.context, [str(self.id)])

    @classmethod
    def from_doc(cls, f: dict[str, Any], source_id: str) -> Finding:
        return cls(id=strawberry.ID(f["id"]), title=f["title"], severity=FindingSeverity[f["severity"]],
                   rationale=f["rationale"], decided_by=f["decided_by"], decided_at=datetime.fromisoformat(f["at"]),
                   criterion=f.get("criterion"), source_id=strawberry.ID(source_id))


@strawberry.type
class AuditSample:
    description: str
    size: int
    period_start: date
    period_end: date


@strawberry.type
class Audit:
    id: strawberry.ID
    title: str
    standard: str
    status: AuditStatus
    cases: int
    _view: strawberry.Private[DocView]
    _as_of: strawberry.Private[datetime | None]

    @classmethod
    def from_view(cls, v: DocView, as_of: datetime | None = None) -> Audit:
        d = v.doc
        return cls(id=strawberry.ID(v.id), title=d["title"], standard=d["standard"], status=AuditStatus[d["status"]],
                   cases=d["cases"], _view=v, _as_of=as_of)

    @strawberry.field
    async def team(self, info: Info[Context, None]) -> Team:
        return await team_of(info.context, self._view.team_id)

    async def _previous(self, ctx: Context) -> DocView | None:
        previous_id = self._view.doc["previous_audit_id"]
        return await read_one(ctx, "audits", previous_id, self._as_of) if previous_id else None

    @strawberry.field
    async def criteria(self, info: Info[Context, None]) -> list[AuditCriterion]:
        previous = await self._previous(info.context)
        before = {c["name"]: c["compliance"] for c in previous.doc["criteria"]} if previous else {}
        out = []
        for c in self._view.doc["criteria"]:
            earlier = before.get(c["name"])
            # rounded so that 0.95 - 1.0 reads -0.05, not -0.050000000000000044
            change = (round(c["compliance"] - earlier, 12) if c["compliance"] is not None and earlier is not None
                      else None)
            out.append(AuditCriterion(name=c["name"], expected_compliance=c["expected"], applicable=c["applicable"],
                                      met=c["met"], compliance=c["compliance"], change=change))
        return out

    @strawberry.field(description="The audit this one repeats (a re-audit), if the caller may read it.")
    async def previous(self, info: Info[Context, None]) -> Audit | None:
        view = await self._previous(info.context)
        return Audit.from_view(view, self._as_of) if view else None

    @strawberry.field(description="Who or what is sampled, how many, and the period the cases come from.")
    def sample(self) -> AuditSample | None:
        s = self._view.doc["sample"]
        return AuditSample(description=s["description"], size=s["size"],
                           period_start=date.fromisoformat(s["period_start"]),
                           period_end=date.fromisoformat(s["period_end"])) if s else None

    @strawberry.field(description="The people invited to enter cases (subjects), beside those who run audits.")
    def participants(self) -> list[str]:
        return list(self._view.doc["participants"])

    @strawberry.field(description="Oldest first.")
    def findings(self) -> list[Finding]:
        return [Finding.from_doc(f, self._view.id) for f in self._view.doc["findings"]]

    @strawberry.field
    def summary(self) -> str | None:
        return self._view.doc["summary"]  # type: ignore[no-any-return]

    @strawberry.field(description="Actions raised on the audit itself (sourceId = its id); its findings' actions "
                                  "are on each finding.")
    async def actions(self, info: Info[Context, None]) -> list[Action]:
        return await actions_for(info.context, [self._view.id])

    @strawberry.field
    def created_by(self) -> str:
        return str(self._view.doc["created_by"])

    @strawberry.field
    def completed_by(self) -> str | None:
        return self._view.doc["completed_by"]  # type: ignore[no-any-return]

    @strawberry.field
    def completed_at(self) -> datetime | None:
        return at(self._view.doc["completed_at"])


@strawberry.input
class CriterionInput:
    name: str
    expected_compliance: float = strawberry.field(description="0..1")


@strawberry.input
class CreateAuditInput:
    team_id: strawberry.ID
    title: str
    standard: str = strawberry.field(description='What it audits against, e.g. "NICE NG51 1.2.3".')
    criteria: list[CriterionInput]
    previous_audit_id: strawberry.ID | None = strawberry.field(
        default=None, description="Set for a re-audit: criteria are compared by name.")


@strawberry.input
class AuditCaseInput:
    case_ref: str
    results: list[bool | None] = strawberry.field(
        description="One per criterion, in order; null = not applicable.")


@strawberry.input
class RecordAuditCasesInput:
    audit_id: strawberry.ID
    cases: list[AuditCaseInput]


@strawberry.input
class CompleteAuditInput:
    audit_id: strawberry.ID
    summary: str


@strawberry.input
class DefineAuditSampleInput:
    audit_id: strawberry.ID
    description: str
    size: int
    period_start: date
    period_end: date


@strawberry.input
class InviteToAuditInput:
    audit_id: strawberry.ID
    subjects: list[str]


@strawberry.input
class RecordAuditFindingInput:
    audit_id: strawberry.ID
    title: str
    severity: FindingSeverity
    rationale: str = strawberry.field(description="Why this finding and this severity.")
    criterion: str | None = None


@strawberry.type
class AuditPayload:
    audit: Audit | None
    errors: list[UserError]


@strawberry.type
class AuditFindingPayload:
    finding: Finding | None
    audit: Audit | None
    errors: list[UserError]


async def _answer(ctx: Context, audit_id: str, command: Any) -> AuditPayload:
    result, errors = await run(ctx, command)
    if errors:
        return AuditPayload(audit=None, errors=errors)
    audit_id = result[0] if isinstance(result, tuple) else audit_id
    view = await written(ctx, "audits", audit_id)
    return AuditPayload(audit=Audit.from_view(view) if view else None, errors=[])


@strawberry.type
class AuditQueries:
    @strawberry.field(description="asOf: the audit as it stood then, rebuilt from its events.")
    async def audit(self, info: Info[Context, None], id: strawberry.ID, as_of: datetime | None = None) -> Audit | None:
        view = await read_one(info.context, "audits", str(id), as_of)
        return Audit.from_view(view, as_of) if view else None

    @strawberry.field(description="A finding of an audit or an inspection.")
    async def finding(self, info: Info[Context, None], id: strawberry.ID) -> Finding | None:
        ctx = info.context
        found = (await reads.findings_by_id(ctx.services.pool, [str(id)])).get(str(id))
        ctx.depend(f"finding:{id}", found["position"] if found else None)
        if found is None or not ctx.can("assurance.read", found["team_id"]):
            return None
        return Finding.from_doc(found, found["source_id"])

    @strawberry.field(description="The team's audits, the latest changed first; teamId null: every audit the "
                                  "caller may read (a senior leader's or an auditor's overview).")
    async def audits(self, info: Info[Context, None], team_id: strawberry.ID | None = None,
                     status: AuditStatus | None = None) -> list[Audit]:
        ctx = info.context
        if team_id is not None:
            views = await read_team(ctx, "audits", str(team_id))
        else:
            views = [v for v in await reads.everything(ctx.services.pool, "audits")
                     if ctx.can("assurance.read", v.team_id)]
            ctx.depend("audits:", max((v.position or 0 for v in views), default=None))
        return [Audit.from_view(v) for v in views if status is None or v.doc["status"] == status.value]


@strawberry.type
class AuditMutations:
    @strawberry.mutation
    async def create_audit(self, info: Info[Context, None], input: CreateAuditInput) -> AuditPayload:
        ctx = info.context
        return await _answer(ctx, "", commands.create_audit(
            ctx.services, ctx.command(), str(input.team_id), input.title, input.standard,
            [Criterion(c.name, c.expected_compliance) for c in input.criteria],
            str(input.previous_audit_id) if input.previous_audit_id is not None else None))

    @strawberry.mutation(description="Add cases, all or none; on a COMPLETED audit: INVALID_STATE.")
    async def record_audit_cases(self, info: Info[Context, None], input: RecordAuditCasesInput) -> AuditPayload:
        ctx = info.context
        cases = [AuditCase(c.case_ref, tuple(c.results)) for c in input.cases]
        return await _answer(ctx, str(input.audit_id), commands.record_cases(
            ctx.services, ctx.command(), str(input.audit_id), cases))

    @strawberry.mutation
    async def complete_audit(self, info: Info[Context, None], input: CompleteAuditInput) -> AuditPayload:
        ctx = info.context
        return await _answer(ctx, str(input.audit_id), commands.complete_audit(
            ctx.services, ctx.command(), str(input.audit_id), input.summary))

    @strawberry.mutation(description="The sample and the audit period.")
    async def define_audit_sample(self, info: Info[Context, None], input: DefineAuditSampleInput) -> AuditPayload:
        ctx = info.context
        return await _answer(ctx, str(input.audit_id), commands.define_sample(
            ctx.services, ctx.command(), str(input.audit_id), input.description, input.size, input.period_start,
            input.period_end))

    @strawberry.mutation(description="Invite team members or service users (by subject) to enter cases.")
    async def invite_to_audit(self, info: Info[Context, None], input: InviteToAuditInput) -> AuditPayload:
        ctx = info.context
        return await _answer(ctx, str(input.audit_id), commands.invite(
            ctx.services, ctx.command(), str(input.audit_id), input.subjects))

    @strawberry.mutation(description="A finding with its severity and why; it can raise actions (createAction "
                                     "with sourceId = the finding's id).")
    async def record_audit_finding(self, info: Info[Context, None],
                                   input: RecordAuditFindingInput) -> AuditFindingPayload:
        ctx = info.context
        result, errors = await run(ctx, commands.record_finding(
            ctx.services, ctx.command(), str(input.audit_id), input.title, input.severity.value, input.rationale,
            input.criterion))
        if errors:
            return AuditFindingPayload(finding=None, audit=None, errors=errors)
        view = await written(ctx, "audits", str(input.audit_id))
        found = next((f for f in view.doc["findings"] if f["id"] == result[0]), None) if view else None
        return AuditFindingPayload(finding=Finding.from_doc(found, view.id) if view and found else None,
                                   audit=Audit.from_view(view) if view else None, errors=[])
