"""Service users feed back their experience; an administrator honours an erasure request."""

from __future__ import annotations

from uuid import uuid4

from domain.control.feedback import Feedback, check_feedback
from domain.errors import Forbidden, InvalidInput
from domain.people.erasure import Erasure
from service.audit.personal_data import ErasedSubject
from service.auth.permissions import authorize
from service.bootstrap import Services
from service.commands.context import CommandContext
from service.commands.streams import stream_is


async def give_feedback(services: Services, ctx: CommandContext, team_id: str, measure_id: str | None,
                        rating: int | None, comment: str, name: str | None, contact: str | None) -> tuple[str, int]:
    authorize(ctx.principal, "feedback.give", team_id)
    check_feedback(comment, rating, name, contact)
    if not await stream_is(services, team_id, "Team"):
        raise InvalidInput(f"No team has id {team_id}.", field="teamId", code="NOT_FOUND")
    if measure_id is not None and not await stream_is(services, measure_id, "Measure"):
        raise InvalidInput(f"No measure has id {measure_id}.", field="measureId", code="NOT_FOUND")
    try:
        sealed = await services.vault.seal_all(ctx.principal.subject, [comment, name, contact])
    except ErasedSubject as e:
        raise Forbidden(str(e)) from e
    feedback = Feedback.give(feedback_id=uuid4(), team_id=team_id, measure_id=measure_id, rating=rating,
                             comment=sealed[0] or "", name=sealed[1], contact=sealed[2])
    saved = await services.repository.save(feedback, ctx.meta(team_id=team_id))
    return str(feedback.id), saved.position


async def erase_personal_data(services: Services, ctx: CommandContext, subject: str, reason: str) -> int:
    """Record the honoured request; the erasures projection deletes the person's key exactly once."""
    authorize(ctx.principal, "personal_data.erase")
    erasure = Erasure.honour(erasure_id=uuid4(), subject=subject, reason=reason)
    saved = await services.repository.save(erasure, ctx.meta(team_id=None, reason=erasure.reason))
    return saved.position
