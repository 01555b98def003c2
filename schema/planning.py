"""Planning in GraphQL: the annual quality plan and its lifecycle, the organisation and its strategy, team
membership beside the token's claims, and the senior leader's alignment view. Types and resolvers together."""

from __future__ import annotations

from collections.abc import Awaitable
from datetime import UTC, date, datetime
from enum import Enum
from typing import Any

import strawberry
from strawberry.types import Info

from domain.errors import DomainError, Forbidden
from domain.planning.organisation import Priority
from domain.planning.plan import Commissioning, MeasureLink, Revision
from schema.context import Context
from schema.errors import UserError, user_error
from schema.types import Measure, MeasureKind, Team, load_team, readable
from service.commands import planning as commands
from service.permissions import allowed
from service.reads import planning as reads


# -- the plan ---------------------------------------------------------------------------------------------
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
        view = await info.context.measures.load(self.measure_id)
        return Measure.from_view(view) if view is not None and readable(info, view.team_id) else None

    @strawberry.field(description="OUTCOME, PROCESS, STRUCTURE or BALANCING; null when the measure is not readable.")
    async def category(self, info: Info[Context, None]) -> MeasureKind | None:
        view = await info.context.measures.load(self.measure_id)
        return MeasureKind[view.kind] if view is not None and readable(info, view.team_id) else None


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
        views = await info.context.measures.load_many([m["measure_id"] for m in self._view.doc["measures"]])
        return [Measure.from_view(v) for v in views if v is not None and readable(info, v.team_id)]

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


async def team_plans(info: Info[Context, None], team_id: str) -> list[Plan]:
    """Team.plans: newest year first, if the caller may read the team's plans (else none)."""
    ctx = info.context
    ctx.uncacheable()  # the answer cache knows only catalogue and chart rows
    if not allowed(ctx.principal, "plan.read", team_id):
        return []
    return [Plan.from_view(v) for v in await reads.plans_of_team(ctx.services.pool, team_id)]


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
    await ctx.services.wait_for_projections(ctx.wrote(position), ("planning",))
    found = (await reads.plans_by_id(ctx.services.pool, [plan_id])).get(plan_id)
    if found is None or not allowed(ctx.principal, "plan.read", found.team_id):
        return PlanPayload(plan=None, errors=[])
    return PlanPayload(plan=Plan.from_view(found), errors=[])


# -- the organisation -------------------------------------------------------------------------------------
@strawberry.type
class StrategicPriority:
    code: str
    title: str
    description: str | None


def _priority(p: dict[str, Any]) -> StrategicPriority:
    return StrategicPriority(code=p["code"], title=p["title"], description=p.get("description"))


@strawberry.type(description="The organisation's vision, mission and strategic priorities for a planning year.")
class Strategy:
    year: int
    vision: str
    mission: str
    priorities: list[StrategicPriority]
    reason: str
    set_by: str
    set_at: datetime

    @classmethod
    def from_view(cls, s: reads.StrategyView) -> Strategy:
        return cls(year=s.year, vision=s.vision, mission=s.mission, priorities=[_priority(p) for p in s.priorities],
                   reason=s.reason, set_by=s.set_by, set_at=s.set_at)


async def _teams(ctx: Context, ids: list[str]) -> list[Team]:
    found = [await load_team(ctx, i) for i in ids]
    return [t for t in found if t is not None]


@strawberry.type(description="An organisation: its root team, the directorates below it, the teams below those.")
class Organisation:
    id: strawberry.ID
    name: str
    _view: strawberry.Private[reads.OrganisationView]

    @strawberry.field
    async def root_team(self, info: Info[Context, None]) -> Team | None:
        return await load_team(info.context, self._view.root_team_id)

    @strawberry.field
    async def directorates(self, info: Info[Context, None]) -> list[Team]:
        return await _teams(info.context, self._view.directorates)

    @strawberry.field(description="The teams of a directorate (or, without one, those directly below the root).")
    async def teams(self, info: Info[Context, None], directorate_id: strawberry.ID | None = None) -> list[Team]:
        parent = str(directorate_id) if directorate_id else self._view.root_team_id
        children = await reads.child_teams(info.context.services.pool, parent)
        return await _teams(info.context, [c for c in children if c not in self._view.directorates])

    @strawberry.field(description="Strategies, newest year first; one year's if `year` is given.")
    async def strategies(self, info: Info[Context, None], year: int | None = None) -> list[Strategy]:
        return [Strategy.from_view(s) for s in await reads.strategies(info.context.services.pool, str(self.id), year)]


def _organisation(v: reads.OrganisationView) -> Organisation:
    return Organisation(id=strawberry.ID(v.id), name=v.name, _view=v)


@strawberry.input
class EstablishOrganisationInput:
    name: str
    root_team_id: strawberry.ID


@strawberry.input
class DesignateDirectorateInput:
    organisation_id: strawberry.ID
    team_id: strawberry.ID


@strawberry.input
class StrategicPriorityInput:
    code: str = strawberry.field(description="Stable from year to year (e.g. SAFE-CARE): plans link to it.")
    title: str
    description: str | None = None


@strawberry.input
class SetStrategyInput:
    organisation_id: strawberry.ID
    year: int
    vision: str
    mission: str
    priorities: list[StrategicPriorityInput]
    reason: str


@strawberry.type
class OrganisationPayload:
    organisation: Organisation | None
    errors: list[UserError]


async def _organisation_answer(ctx: Context, organisation_id: str, run: Awaitable[Any]) -> OrganisationPayload:
    try:
        result = await run
    except DomainError as e:
        return OrganisationPayload(organisation=None, errors=[user_error(e)])
    organisation_id, position = result if isinstance(result, tuple) else (organisation_id, result)
    await ctx.services.wait_for_projections(ctx.wrote(position), ("planning",))
    found = await reads.organisations(ctx.services.pool, [organisation_id])
    return OrganisationPayload(organisation=_organisation(found[0]) if found else None, errors=[])


# -- membership -------------------------------------------------------------------------------------------
@strawberry.enum
class JobRole(Enum):
    TEAM_LEADER = "TEAM_LEADER"
    SENIOR_CLINICIAN = "SENIOR_CLINICIAN"
    TEAM_MEMBER = "TEAM_MEMBER"
    SERVICE_USER_REPRESENTATIVE = "SERVICE_USER_REPRESENTATIVE"


@strawberry.type
class Membership:
    id: strawberry.ID
    subject: str
    job_role: JobRole
    from_: date = strawberry.field(name="from")
    to: date | None = strawberry.field(description="The last day; null while open-ended.")
    current: bool
    team_id: strawberry.Private[str]

    @strawberry.field
    async def team(self, info: Info[Context, None]) -> Team:
        return await load_team(info.context, self.team_id) or Team(id=strawberry.ID(self.team_id), name="")

    @classmethod
    def from_view(cls, m: reads.MembershipView, today: date) -> Membership:
        return cls(id=strawberry.ID(m.id), subject=m.subject, job_role=JobRole[m.job_role], from_=m.starts, to=m.ends,
                   current=m.current(today), team_id=m.team_id)


@strawberry.type(description="The caller: what the token claims, beside the membership the organisation records. "
                             "Access follows the token; the disagreements are shown so someone can put them right.")
class Caller:
    subject: str
    role: str
    claimed_team_ids: list[strawberry.ID]
    memberships: list[Membership]
    claimed_without_membership: list[strawberry.ID] = strawberry.field(
        description="Teams the token claims of which the subject is not a current member (e.g. has left).")
    membership_without_claim: list[strawberry.ID] = strawberry.field(
        description="Teams the subject is a current member of that the token does not claim.")


@strawberry.input
class AddTeamMemberInput:
    team_id: strawberry.ID
    subject: str
    job_role: JobRole
    from_: date = strawberry.field(name="from")
    to: date | None = None


@strawberry.input
class EndTeamMembershipInput:
    membership_id: strawberry.ID
    to: date = strawberry.field(description="The last day of the membership.")
    reason: str


@strawberry.type
class MembershipPayload:
    membership: Membership | None
    errors: list[UserError]


async def _membership_answer(ctx: Context, membership_id: str, run: Awaitable[Any]) -> MembershipPayload:
    try:
        result = await run
    except DomainError as e:
        return MembershipPayload(membership=None, errors=[user_error(e)])
    membership_id, position = result if isinstance(result, tuple) else (membership_id, result)
    await ctx.services.wait_for_projections(ctx.wrote(position), ("planning",))
    async with ctx.services.pool.acquire() as conn:
        team_id = await conn.fetchval("SELECT team_id FROM memberships WHERE membership_id = $1", membership_id)
    found = [m for m in await reads.memberships(ctx.services.pool, team_id=team_id) if m.id == membership_id]
    return MembershipPayload(membership=Membership.from_view(found[0], date.today()) if found else None, errors=[])


# -- alignment --------------------------------------------------------------------------------------------
@strawberry.type
class PriorityAlignment:
    priority: StrategicPriority
    team_ids: strawberry.Private[list[str]]
    measure_ids: strawberry.Private[list[str]]

    @strawberry.field(description="Teams whose approved plan for the year links a measure to this priority.")
    async def teams(self, info: Info[Context, None]) -> list[Team]:
        return await _teams(info.context, self.team_ids)

    @strawberry.field
    async def measures(self, info: Info[Context, None]) -> list[Measure]:
        views = await info.context.measures.load_many(self.measure_ids)
        return [Measure.from_view(v) for v in views if v is not None and readable(info, v.team_id)]


@strawberry.type(description="A senior leader's view of how the year's approved plans serve the strategy.")
class Alignment:
    year: int
    organisation: Organisation
    strategy: Strategy | None
    priorities: list[PriorityAlignment]
    team_ids_without_approved_plan: strawberry.Private[list[str]]

    @strawberry.field(description="Teams (not the root, not directorates) with no approved plan for the year.")
    async def teams_without_approved_plan(self, info: Info[Context, None]) -> list[Team]:
        return await _teams(info.context, self.team_ids_without_approved_plan)


# -- root fields ------------------------------------------------------------------------------------------
@strawberry.type
class PlanningQueries:
    @strawberry.field(description="asOf: the plan as it stood then, rebuilt from the events.")
    async def plan(self, info: Info[Context, None], id: strawberry.ID, as_of: datetime | None = None) -> Plan | None:
        ctx = info.context
        ctx.uncacheable()
        if as_of is not None:
            try:
                view = await reads.plan_as_of(ctx.services, ctx.principal, str(id), as_of)
            except Forbidden:
                return None
        else:
            view = (await reads.plans_by_id(ctx.services.pool, [str(id)])).get(str(id))
            if view is not None and not allowed(ctx.principal, "plan.read", view.team_id):
                return None
        return Plan.from_view(view) if view is not None else None

    @strawberry.field
    async def organisations(self, info: Info[Context, None]) -> list[Organisation]:
        info.context.uncacheable()
        if not allowed(info.context.principal, "organisation.read", None):
            return []
        return [_organisation(v) for v in await reads.organisations(info.context.services.pool)]

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
        return Alignment(year=view.year, organisation=_organisation(view.organisation),
                         strategy=Strategy.from_view(view.strategy) if view.strategy else None,
                         priorities=[PriorityAlignment(priority=_priority(p.priority), team_ids=p.team_ids,
                                                       measure_ids=p.measure_ids) for p in view.priorities],
                         team_ids_without_approved_plan=view.teams_without_approved_plan)

    @strawberry.field(description="A team's memberships, past, current and future.")
    async def memberships(self, info: Info[Context, None], team_id: strawberry.ID) -> list[Membership]:
        ctx = info.context
        ctx.uncacheable()
        if not allowed(ctx.principal, "membership.read", str(team_id)):
            return []
        today = date.today()
        return [Membership.from_view(m, today) for m in await reads.memberships(ctx.services.pool,
                                                                                 team_id=str(team_id))]

    @strawberry.field
    async def me(self, info: Info[Context, None]) -> Caller:
        ctx = info.context
        ctx.uncacheable()
        today = date.today()
        view = await reads.caller(ctx.services, ctx.principal, today)
        return Caller(subject=view.principal.subject, role=view.principal.role.value,
                      claimed_team_ids=[strawberry.ID(t) for t in sorted(view.principal.teams)],
                      memberships=[Membership.from_view(m, today) for m in view.memberships],
                      claimed_without_membership=[strawberry.ID(t) for t in view.claimed_without_membership],
                      membership_without_claim=[strawberry.ID(t) for t in view.membership_without_claim])


@strawberry.type
class PlanningMutations:
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

    @strawberry.mutation
    async def establish_organisation(self, info: Info[Context, None],
                                     input: EstablishOrganisationInput) -> OrganisationPayload:
        ctx = info.context
        return await _organisation_answer(ctx, "", commands.establish_organisation(
            ctx.services, ctx.command(), input.name, str(input.root_team_id)))

    @strawberry.mutation
    async def designate_directorate(self, info: Info[Context, None],
                                    input: DesignateDirectorateInput) -> OrganisationPayload:
        ctx = info.context
        return await _organisation_answer(ctx, str(input.organisation_id), commands.designate_directorate(
            ctx.services, ctx.command(), str(input.organisation_id), str(input.team_id)))

    @strawberry.mutation(description="Set (or revise, with the reason) the strategy for a planning year.")
    async def set_strategy(self, info: Info[Context, None], input: SetStrategyInput) -> OrganisationPayload:
        ctx = info.context
        priorities = [Priority(p.code, p.title, p.description) for p in input.priorities]
        return await _organisation_answer(ctx, str(input.organisation_id), commands.set_strategy(
            ctx.services, ctx.command(), str(input.organisation_id), input.year, input.vision, input.mission,
            priorities, input.reason))

    @strawberry.mutation
    async def add_team_member(self, info: Info[Context, None], input: AddTeamMemberInput) -> MembershipPayload:
        ctx = info.context
        return await _membership_answer(ctx, "", commands.add_member(
            ctx.services, ctx.command(), str(input.team_id), input.subject, input.job_role.value, input.from_,
            input.to))

    @strawberry.mutation
    async def end_team_membership(self, info: Info[Context, None],
                                  input: EndTeamMembershipInput) -> MembershipPayload:
        ctx = info.context
        return await _membership_answer(ctx, str(input.membership_id), commands.end_membership(
            ctx.services, ctx.command(), str(input.membership_id), input.to, input.reason))
