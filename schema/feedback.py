"""Feedback from service users, and erasure of a person's sealed details."""

from __future__ import annotations

from datetime import datetime

import strawberry
from strawberry.types import Info

from domain.errors import DomainError
from projections.erasures import ErasureProjection
from projections.feedback import FeedbackProjection
from schema.context import Context
from schema.errors import UserError, user_error
from service.commands.feedback import erase_personal_data, give_feedback
from service.reads.feedback import feedback_page


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
        items, has_next = await feedback_page(ctx.services, ctx.principal, str(team_id), first, after)
        edges = [FeedbackEdge(node=FeedbackItem(
            id=strawberry.ID(f.id), team_id=strawberry.ID(f.team_id),
            measure_id=strawberry.ID(f.measure_id) if f.measure_id else None, rating=f.rating, comment=f.comment,
            name=f.name, contact=f.contact, given_at=f.given_at), cursor=f.cursor) for f in items]
        return FeedbackConnection(edges=edges, has_next_page=has_next, end_cursor=edges[-1].cursor if edges else None)


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
        await ctx.services.wait_for_projections(ctx.wrote(position), (FeedbackProjection.name,))
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
        done = await ctx.services.wait_for_projections(ctx.wrote(position), (ErasureProjection.name,))
        return ErasePersonalDataPayload(erased=done, errors=[])
