"""The register of improvement opportunities in GraphQL: propose, vote (each person once), the team's choice
and why, and a project started from the chosen one."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import strawberry
from strawberry.types import Info

from domain.improvement.vocabulary import OpportunityStatus
from schema.context import Context
from schema.errors import UserError
from schema.improvement.common import answer, load_doc
from schema.improvement.projects import Project, ProjectPayload, project_answer
from schema.loaders import loader
from schema.teams import Team, load_team
from service.commands import opportunities as commands
from service.reads import improvement as reads
from service.reads.improvement import DocView

strawberry.enum(OpportunityStatus, name="OpportunityStatus")
WITHHELD = "(withheld)"  # a person's name, for a reader who may not see who is who (service users)


def person(ctx: Context, team_id: str, subject: str) -> str:
    return subject if ctx.can("control.people.read", team_id) else WITHHELD


@strawberry.type(description="The team's decision on an opportunity, and why.")
class OpportunityDecision:
    reason: str
    by: str
    at: datetime


@strawberry.type
class Opportunity:
    id: strawberry.ID
    title: str
    description: str | None
    status: OpportunityStatus
    proposed_by_role: str
    proposed_at: datetime
    votes: int
    _view: strawberry.Private[DocView]

    @classmethod
    def of(cls, v: DocView) -> Opportunity:
        d = v.doc
        return cls(id=strawberry.ID(v.id), title=d["title"], description=d["description"],
                   status=OpportunityStatus(d["status"]), proposed_by_role=d["role"],
                   proposed_at=datetime.fromisoformat(d["created_at"]), votes=len(d["votes"]), _view=v)

    @strawberry.field
    async def team(self, info: Info[Context, None]) -> Team:
        team_id = self._view.team_id
        return await load_team(info.context, team_id) or Team(id=strawberry.ID(team_id), name="")

    @strawberry.field
    def proposed_by(self, info: Info[Context, None]) -> str:
        return person(info.context, self._view.team_id, self._view.doc["proposed_by"])

    @strawberry.field(description="Whether the caller has voted for it.")
    def voted(self, info: Info[Context, None]) -> bool:
        info.context.uncacheable()  # the answer is the caller's own: cached answers are shared by role and teams
        return any(v["voter"] == info.context.principal.subject for v in self._view.doc["votes"])

    @strawberry.field(description="The voters' roles, one per vote (service users' votes among them).")
    def voter_roles(self) -> list[str]:
        return [v["role"] for v in self._view.doc["votes"]]

    @strawberry.field(description="Chosen or declined: by whom, when and why.")
    def decision(self) -> OpportunityDecision | None:
        d: dict[str, Any] | None = self._view.doc["decision"]
        return OpportunityDecision(reason=d["reason"], by=d["by"], at=datetime.fromisoformat(d["at"])) if d else None

    @strawberry.field(description="The projects started from it.")
    async def projects(self, info: Info[Context, None]) -> list[Project]:
        ctx = info.context
        views = await loader(ctx, reads.projects_from_opportunities).load(str(self.id)) or []
        for v in views:
            ctx.depend(f"imp:{v.id}", v.position)
        return [Project.of(v) for v in views if ctx.can("improvement.read", v.team_id)]


@strawberry.input
class ProposeOpportunityInput:
    team_id: strawberry.ID
    title: str
    description: str | None = None


@strawberry.input
class OpportunityIdInput:
    opportunity_id: strawberry.ID


@strawberry.input
class OpportunityDecisionInput:
    opportunity_id: strawberry.ID
    reason: str


@strawberry.input(description="A project of the opportunity's team, from the opportunity the team chose.")
class StartProjectInput:
    opportunity_id: strawberry.ID
    title: str
    aim: str
    measure_ids: list[strawberry.ID]
    planned_end: date


@strawberry.type
class OpportunityPayload:
    opportunity: Opportunity | None
    errors: list[UserError]


async def _answer(ctx: Context, run: Any, opportunity_id: str = "") -> OpportunityPayload:
    found, errors = await answer(ctx, run, opportunity_id)
    view = await load_doc(ctx, found, "opportunity") if found else None
    return OpportunityPayload(opportunity=Opportunity.of(view) if view else None, errors=errors)


@strawberry.type
class OpportunityQueries:
    @strawberry.field
    async def opportunity(self, info: Info[Context, None], id: strawberry.ID) -> Opportunity | None:
        view = await load_doc(info.context, str(id), "opportunity")
        return Opportunity.of(view) if view else None

    @strawberry.field(description="The team's register, most votes first.")
    async def opportunities(self, info: Info[Context, None], team_id: strawberry.ID) -> list[Opportunity]:
        ctx = info.context
        if not ctx.can("improvement.read", str(team_id)):
            return []
        views = await reads.documents_of_team(ctx.services.pool, str(team_id), "opportunity")
        ctx.depend(f"imp_team:{team_id}", max((v.position or 0 for v in views), default=None))
        return sorted((Opportunity.of(v) for v in views), key=lambda o: -o.votes)


@strawberry.type
class OpportunityMutations:
    @strawberry.mutation(description="Anyone of the team, service users included, proposes what matters most.")
    async def propose_opportunity(self, info: Info[Context, None],
                                  input: ProposeOpportunityInput) -> OpportunityPayload:
        ctx = info.context
        return await _answer(ctx, commands.propose_opportunity(ctx.services, ctx.command(), str(input.team_id),
                                                               input.title, input.description))

    @strawberry.mutation(description="One vote each; only people of the team vote.")
    async def vote_for_opportunity(self, info: Info[Context, None], input: OpportunityIdInput) -> OpportunityPayload:
        ctx, oid = info.context, str(input.opportunity_id)
        return await _answer(ctx, commands.vote_for_opportunity(ctx.services, ctx.command(), oid), oid)

    @strawberry.mutation(description="The team's choice, and why.")
    async def choose_opportunity(self, info: Info[Context, None],
                                 input: OpportunityDecisionInput) -> OpportunityPayload:
        ctx, oid = info.context, str(input.opportunity_id)
        return await _answer(ctx, commands.choose_opportunity(ctx.services, ctx.command(), oid, input.reason), oid)

    @strawberry.mutation
    async def decline_opportunity(self, info: Info[Context, None],
                                  input: OpportunityDecisionInput) -> OpportunityPayload:
        ctx, oid = info.context, str(input.opportunity_id)
        return await _answer(ctx, commands.decline_opportunity(ctx.services, ctx.command(), oid, input.reason), oid)

    @strawberry.mutation(description="Start a project from an opportunity the team chose.")
    async def start_project_from_opportunity(self, info: Info[Context, None],
                                             input: StartProjectInput) -> ProjectPayload:
        ctx = info.context
        return await project_answer(ctx, commands.start_project(
            ctx.services, ctx.command(), str(input.opportunity_id), input.title, input.aim,
            [str(m) for m in input.measure_ids], input.planned_end))
