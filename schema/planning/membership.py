"""Team membership in GraphQL, and the caller's view of where it and the token's team claims disagree."""

from __future__ import annotations

from collections.abc import Awaitable
from datetime import date
from enum import Enum
from typing import Any

import strawberry
from strawberry.types import Info

from domain.errors import DomainError
from projections.catalog import CatalogProjection
from projections.planning.projection import PlanningProjection
from schema.context import Context
from schema.errors import UserError, user_error
from schema.teams import Team, load_team
from service.auth.permissions import allowed
from service.commands import planning as commands
from service.reads import planning as reads


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
    await ctx.services.wait_for_projections(ctx.wrote(position), (CatalogProjection.name, PlanningProjection.name))
    async with ctx.services.pool.acquire() as conn:
        team_id = await conn.fetchval("SELECT team_id FROM memberships WHERE membership_id = $1", membership_id)
    found = [m for m in await reads.memberships(ctx.services.pool, team_id=team_id) if m.id == membership_id]
    return MembershipPayload(membership=Membership.from_view(found[0], date.today()) if found else None, errors=[])


@strawberry.type
class MembershipQueries:
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
class MembershipMutations:
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
