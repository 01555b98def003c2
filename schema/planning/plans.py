"""The annual quality plan in GraphQL: its types, `plan(id, asOf:)`, `Team.plans`, and its lifecycle
(draft, revise, needs, comments, reviews, submit, approve)."""

from __future__ import annotations

from collections.abc import Awaitable
from datetime import datetime
from enum import Enum
from typing import Any

import strawberry
from strawberry.types import Info

from domain.errors import DomainError, Forbidden
from domain.planning.plan import Commissioning, MeasureLink, Revision
from projections.catalog import CatalogProjection
from projections.planning.projection import PlanningProjection
from schema.context import Context
from schema.errors import UserError, user_error
from schema.measures import Measure
from schema.spc import MeasureKind
from schema.teams import Team, load_team
from service.auth.permissions import allowed
from service.commands import planning as commands
from service.reads import planning as reads
from service.reads.catalog import MeasureView


@strawberry.enum
class PlanStatus(Enum):
    DRAFT = "DRAFT"
    SUBMITTED = "SUBMITTED"
    APPROVED = "APPROVED"
    SUPERSEDED = "SUPERSEDED"


@strawberry.enum
class ReviewVerdict(Enum):
    SUPPORTED = "SUPPORTED"
    CHANGES_REQUESTED = "CHANGES_REQUESTED"


@strawberry.type(description="A population or service-user need, with who raised it.")
class PlanNeed:
    id: strawberry.ID
    text: str
    raised_by: str
    raised_by_role: str
    raised_at: datetime


@strawberry.type(description="One measure of the plan's family: its category is the measure's kind.")
class PlanMeasure:
    need_ids: list[strawberry.ID]
    priority_codes: list[str]
    measure_id: strawberry.Private[str]

    @strawberry.field
    async def measure(self, info: Info[Context, None]) -> Measure | None:
        view = next(iter(await measures_of(info.context, [self.measure_id])))
        return Measure.from_view(view) if view is not None and info.context.can("measure.read", view.team_id) else None

    @strawberry.field(description="OUTCOME, PROCESS, STRUCTURE or BALANCING; null when the measure is not readable.")
    async def category(self, info: Info[Context, None]) -> MeasureKind | None:
        view = next(iter(await measures_of(info.context, [self.measure_id])))
        return MeasureKind[view.kind] if view is not None and info.context.can("measure.read", view.team_id) else None


@strawberry.type
class CommissioningArrangement:
    commissioner: str
    reference: str = strawberry.field(description="The contract or service specification.")
    requirements: list[str]


@strawberry.type
class PlanComment:
    author: str
    role: str
    text: str
    at: datetime


@strawberry.type
class PlanReview:
    reviewer: str
    verdict: ReviewVerdict
    text: str
    at: datetime


@strawberry.type
class PlanRevision:
    reason: str
    at: datetime
    parts: list[str]


@strawberry.type
class Plan:
    id: strawberry.ID
    year: int
    title: str
    status: PlanStatus
    needs: list[str]
    approved_by: str | None
    approved_at: datetime | None
    _view: strawberry.Private[reads.PlanView]

    @strawberry.field
    async def team(self, info: Info[Context, None]) -> Team:
        team_id = self._view.team_id
        return await load_team(info.context, team_id) or Team(id=strawberry.ID(team_id), name="")

    @strawberry.field(description="The plan's family of measures, those the caller may read.")
    async def measures(self, info: Info[Context, None]) -> list[Measure]:
        views = await measures_of(info.context, [m["measure_id"] for m in self._view.doc["measures"]])
        return [Measure.from_view(v) for v in views if v is not None and info.context.can("measure.read", v.team_id)]

    @strawberry.field(description="The needs with who raised them (service users included) and when.")
    def raised_needs(self) -> list[PlanNeed]:
        return [PlanNeed(id=strawberry.ID(n["id"]), text=n["text"], raised_by=n["raised_by"], raised_by_role=n["role"],
                         raised_at=datetime.fromisoformat(n["at"])) for n in self._view.doc["needs"]]

    @strawberry.field(description="Each measure with the needs and strategic priorities it serves.")
    def measure_links(self) -> list[PlanMeasure]:
        return [PlanMeasure(need_ids=[strawberry.ID(n) for n in m["needs"]], priority_codes=m["priorities"],
                            measure_id=m["measure_id"]) for m in self._view.doc["measures"]]

    @strawberry.field(description="The service model or pathway, as ordered steps.")
    def pathway(self) -> list[str]:
        return list(self._view.doc["pathway"])

    @strawberry.field
    def commissioning(self) -> CommissioningArrangement | None:
        c = self._view.doc["commissioning"]
        return CommissioningArrangement(commissioner=c["commissioner"], reference=c["reference"],
                                        requirements=c["requirements"]) if c else None

    @strawberry.field(description="The structures and processes put in place to manage the service.")
    def structures(self) -> list[str]:
        return list(self._view.doc["structures"])

    @strawberry.field(description="The people the plan names to review it (subjects).")
    def reviewers(self) -> list[str]:
        return list(self._view.doc["reviewers"])

    @strawberry.field
    def comments(self) -> list[PlanComment]:
        return [PlanComment(author=c["author"], role=c["role"], text=c["text"], at=datetime.fromisoformat(c["at"]))
                for c in self._view.doc["comments"]]

    @strawberry.field
    def reviews(self) -> list[PlanReview]:
        return [PlanReview(reviewer=r["reviewer"], verdict=ReviewVerdict[r["verdict"]], text=r["text"],
                           at=datetime.fromisoformat(r["at"])) for r in self._view.doc["reviews"]]

    @strawberry.field(description="Each revision of the draft, oldest first: why, when, and which parts.")
    def revisions(self) -> list[PlanRevision]:
        return [PlanRevision(reason=r["reason"], at=datetime.fromisoformat(r["at"]), parts=r["parts"])
                for r in self._view.doc["revisions"]]

    @strawberry.field
    def drafted_by(self) -> str:
        return str(self._view.doc["drafted_by"])

    @strawberry.field
    def submitted_by(self) -> str | None:
        return self._view.doc["submitted_by"]  # type: ignore[no-any-return]

    @strawberry.field(description="Why it was last submitted or approved.")
    def decision_reason(self) -> str | None:
        return self._view.doc["decision_reason"]  # type: ignore[no-any-return]

    @strawberry.field(description="The plan whose approval superseded this one.")
    def superseded_by(self) -> strawberry.ID | None:
        return strawberry.ID(self._view.superseded_by) if self._view.superseded_by else None

    @strawberry.field
    def superseded_at(self) -> datetime | None:
        return self._view.superseded_at

    @classmethod
    def from_view(cls, v: reads.PlanView) -> Plan:
        d = v.doc
        return cls(id=strawberry.ID(v.id), year=d["year"], title=d["title"], status=PlanStatus[v.status],
                   needs=[n["text"] for n in d["needs"]], approved_by=d["approved_by"],
                   approved_at=datetime.fromisoformat(d["approved_at"]) if d["approved_at"] else None, _view=v)


async def measures_of(ctx: Context, ids: list[str]) -> list[MeasureView | None]:
    """The measures' catalogue rows, each recorded as a dependency of the answer."""
    views = await ctx.measures.load_many(ids)
    for measure_id, v in zip(ids, views, strict=True):
        ctx.depend(f"m:{measure_id}", v.position if v else None)
    return list(views)


async def team_plans(info: Info[Context, None], team_id: str) -> list[Plan]:
    """Team.plans: newest year first, if the caller may read the team's plans (else none)."""
    ctx = info.context
    if not ctx.can("plan.read", team_id):
        return []
    views = await reads.plans_of_team(ctx.services.pool, team_id)
    ctx.depend(f"plans_of:{team_id}", max((v.position or 0 for v in views), default=None))
    return [Plan.from_view(v) for v in views]


@strawberry.input
class DraftPlanInput:
    team_id: strawberry.ID
    year: int = strawberry.field(description="The planning year's first calendar year: 2025 = the 2025/26 plan.")
    title: str
    needs: list[str] | None = strawberry.field(default_factory=list)
    measure_ids: list[strawberry.ID] | None = strawberry.field(default_factory=list)


@strawberry.input
class PlanDecisionInput:
    plan_id: strawberry.ID
    reason: str


@strawberry.input
class CommissioningInput:
    commissioner: str
    reference: str
    requirements: list[str] = strawberry.field(default_factory=list)


@strawberry.input
class PlanMeasureInput:
    measure_id: strawberry.ID
    need_ids: list[strawberry.ID] = strawberry.field(default_factory=list)
    priority_codes: list[str] = strawberry.field(default_factory=list)


@strawberry.input(description="Replace parts of a draft; a part left out (null) stays as it is.")
class RevisePlanInput:
    plan_id: strawberry.ID
    reason: str
    title: str | None = None
    pathway: list[str] | None = None
    commissioning: CommissioningInput | None = None
    structures: list[str] | None = None
    measures: list[PlanMeasureInput] | None = None
    reviewers: list[str] | None = None


@strawberry.input
class PlanTextInput:
    plan_id: strawberry.ID
    text: str


@strawberry.input
class ReviewPlanInput:
    plan_id: strawberry.ID
    verdict: ReviewVerdict
    text: str


@strawberry.type
class PlanPayload:
    plan: Plan | None
    errors: list[UserError]


async def _plan_answer(ctx: Context, plan_id: str, run: Awaitable[Any]) -> PlanPayload:
    """Run the command; once acknowledged, answer with the plan as the read model has it (read-your-writes)."""
    try:
        result = await run
    except DomainError as e:
        return PlanPayload(plan=None, errors=[user_error(e)])
    plan_id, position = result if isinstance(result, tuple) else (plan_id, result)
    await ctx.services.wait_for_projections(ctx.wrote(position), (CatalogProjection.name, PlanningProjection.name))
    found = (await reads.plans_by_id(ctx.services.pool, [plan_id])).get(plan_id)
    if found is None or not allowed(ctx.principal, "plan.read", found.team_id):
        return PlanPayload(plan=None, errors=[])
    return PlanPayload(plan=Plan.from_view(found), errors=[])


@strawberry.type
class PlanQueries:
    @strawberry.field(description="asOf: the plan as it stood then, rebuilt from the events.")
    async def plan(self, info: Info[Context, None], id: strawberry.ID, as_of: datetime | None = None) -> Plan | None:
        ctx = info.context
        if as_of is not None:
            ctx.uncacheable()  # an instant not yet past may still gain events
            try:
                view = await reads.plan_as_of(ctx.services, ctx.principal, str(id), as_of)
            except Forbidden:
                return None
        else:
            view = (await reads.plans_by_id(ctx.services.pool, [str(id)])).get(str(id))
            ctx.depend(f"plan:{id}", view.position if view else None)
            if view is not None and not ctx.can("plan.read", view.team_id):
                return None
        return Plan.from_view(view) if view is not None else None


@strawberry.type
class PlanMutations:
    @strawberry.mutation
    async def draft_plan(self, info: Info[Context, None], input: DraftPlanInput) -> PlanPayload:
        ctx = info.context
        return await _plan_answer(ctx, "", commands.draft_plan(
            ctx.services, ctx.command(), str(input.team_id), input.year, input.title, input.needs or [],
            [str(m) for m in input.measure_ids or []]))

    @strawberry.mutation(description="Replace parts of a draft, with the reason.")
    async def revise_plan(self, info: Info[Context, None], input: RevisePlanInput) -> PlanPayload:
        ctx = info.context
        c = input.commissioning
        revision = Revision(
            reason=input.reason, title=input.title, pathway=input.pathway, structures=input.structures,
            reviewers=input.reviewers,
            commissioning=Commissioning(c.commissioner, c.reference, tuple(c.requirements)) if c else None,
            measures=None if input.measures is None else [
                MeasureLink(str(m.measure_id), tuple(str(n) for n in m.need_ids), tuple(m.priority_codes))
                for m in input.measures])
        return await _plan_answer(ctx, str(input.plan_id), commands.revise_plan(
            ctx.services, ctx.command(), str(input.plan_id), revision))

    @strawberry.mutation(description="Raise a population or service-user need on a draft plan.")
    async def raise_plan_need(self, info: Info[Context, None], input: PlanTextInput) -> PlanPayload:
        ctx = info.context
        return await _plan_answer(ctx, str(input.plan_id), commands.raise_need(
            ctx.services, ctx.command(), str(input.plan_id), input.text))

    @strawberry.mutation
    async def comment_on_plan(self, info: Info[Context, None], input: PlanTextInput) -> PlanPayload:
        ctx = info.context
        return await _plan_answer(ctx, str(input.plan_id), commands.comment_on_plan(
            ctx.services, ctx.command(), str(input.plan_id), input.text))

    @strawberry.mutation(description="A reviewer named in the plan gives a verdict.")
    async def review_plan(self, info: Info[Context, None], input: ReviewPlanInput) -> PlanPayload:
        ctx = info.context
        return await _plan_answer(ctx, str(input.plan_id), commands.review_plan(
            ctx.services, ctx.command(), str(input.plan_id), input.verdict.value, input.text))

    @strawberry.mutation(description="DRAFT -> SUBMITTED.")
    async def submit_plan(self, info: Info[Context, None], input: PlanDecisionInput) -> PlanPayload:
        ctx = info.context
        return await _plan_answer(ctx, str(input.plan_id), commands.submit_plan(
            ctx.services, ctx.command(), str(input.plan_id), input.reason))

    @strawberry.mutation(description="SUBMITTED -> APPROVED; the team's earlier approved plan for the year becomes "
                                     "SUPERSEDED.")
    async def approve_plan(self, info: Info[Context, None], input: PlanDecisionInput) -> PlanPayload:
        ctx = info.context
        return await _plan_answer(ctx, str(input.plan_id), commands.approve_plan(
            ctx.services, ctx.command(), str(input.plan_id), input.reason))
