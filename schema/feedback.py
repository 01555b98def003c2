"""Feedback from service users, and erasure of a person's sealed details."""

from __future__ import annotations

from datetime import datetime

import strawberry
from strawberry.types import Info

from domain.errors import DomainError, InvalidInput
from schema.context import Context
from schema.errors import UserError, user_error
from service.commands.feedback import erase_personal_data, give_feedback
from service.permissions import authorize
from service.queries import decode_cursor, encode_cursor, valid_uuid


@strawberry.type
class FeedbackItem:
    id: strawberry.ID
    team_id: strawberry.ID
    measure_id: strawberry.ID | None
    rating: int | None
    comment: str = strawberry.field(description='The text as given, or "[erased]" after an erasure request.')
    name: str | None
    contact: str | None
    given_at: datetime


@strawberry.type
class FeedbackEdge:
    node: FeedbackItem
    cursor: str


@strawberry.type
class FeedbackConnection:
    edges: list[FeedbackEdge]
    has_next_page: bool
    end_cursor: str | None


@strawberry.input
class GiveFeedbackInput:
    team_id: strawberry.ID
    comment: str
    measure_id: strawberry.ID | None = None
    rating: int | None = None
    name: str | None = None
    contact: str | None = None


@strawberry.type
class GiveFeedbackPayload:
    feedback_id: strawberry.ID | None
    errors: list[UserError]


@strawberry.input
class ErasePersonalDataInput:
    subject: str
    reason: str


@strawberry.type
class ErasePersonalDataPayload:
    erased: bool = strawberry.field(description="True once the person's key is deleted (it is, at the latest, "
                                                "moments after the request is recorded).")
    errors: list[UserError]


@strawberry.type
class FeedbackQueries:
    @strawberry.field(description="A team's feedback, newest first; personal details unsealed unless erased.")
    async def feedback(self, info: Info[Context, None], team_id: strawberry.ID, first: int = 50,
                       after: str | None = None) -> FeedbackConnection:
        ctx = info.context
        ctx.uncacheable()
        if not valid_uuid(str(team_id)):
            raise InvalidInput(f"teamId {team_id!r} is not a team id.", field="teamId", code="INVALID_INPUT")
        authorize(ctx.principal, "feedback.read", str(team_id))
        if not 0 <= first <= 500:
            raise InvalidInput("first must be between 0 and 500.", field="first", code="OUT_OF_RANGE")
        before = decode_cursor(after) if after else 2**62
        async with ctx.services.pool.acquire() as conn:
            rows = await conn.fetch(
                "SELECT feedback_id, team_id, measure_id, rating, comment, name, contact, given_at, position "
                "FROM feedback WHERE team_id = $1 AND position < $2 ORDER BY position DESC LIMIT $3",
                str(team_id), before, first + 1)
        rows = rows[:first + 1]
        plain = await ctx.services.vault.unseal_all([r[c] for r in rows[:first] for c in ("comment", "name",
                                                                                            "contact")])
        edges = [FeedbackEdge(node=FeedbackItem(
            id=r["feedback_id"], team_id=r["team_id"], measure_id=r["measure_id"], rating=r["rating"],
            comment=plain[3 * i] or "", name=plain[3 * i + 1], contact=plain[3 * i + 2], given_at=r["given_at"]),
            cursor=encode_cursor(r["position"])) for i, r in enumerate(rows[:first])]
        return FeedbackConnection(edges=edges, has_next_page=len(rows) > first,
                                  end_cursor=edges[-1].cursor if edges else None)


@strawberry.type
class FeedbackMutations:
    @strawberry.mutation
    async def give_feedback(self, info: Info[Context, None], input: GiveFeedbackInput) -> GiveFeedbackPayload:
        ctx = info.context
        try:
            feedback_id, position = await give_feedback(
                ctx.services, ctx.command(), str(input.team_id), str(input.measure_id) if input.measure_id else None,
                input.rating, input.comment, input.name, input.contact)
        except DomainError as e:
            return GiveFeedbackPayload(feedback_id=None, errors=[user_error(e)])
        await ctx.services.wait_for_projections(ctx.wrote(position), ("feedback",))
        return GiveFeedbackPayload(feedback_id=strawberry.ID(feedback_id), errors=[])

    @strawberry.mutation(description="Honour an erasure request: the person's sealed details become unreadable "
                                     "everywhere, for good; the event log and its hash chain are untouched.")
    async def erase_personal_data(self, info: Info[Context, None],
                                  input: ErasePersonalDataInput) -> ErasePersonalDataPayload:
        ctx = info.context
        try:
            position = await erase_personal_data(ctx.services, ctx.command(), input.subject, input.reason)
        except DomainError as e:
            return ErasePersonalDataPayload(erased=False, errors=[user_error(e)])
        done = await ctx.services.wait_for_projections(ctx.wrote(position), ("erasures",))
        return ErasePersonalDataPayload(erased=done, errors=[])
