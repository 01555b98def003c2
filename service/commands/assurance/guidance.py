"""Best-practice implementation commands: register guidance with its recommendations, begin a team's
assessment against it, and assess recommendations (the baseline, then each reassessment)."""

from __future__ import annotations

from collections.abc import Sequence
from uuid import uuid4

from domain.assurance.assessment import Assessment, RecommendationAssessed, assessment_id
from domain.assurance.guidance import Guidance, Recommendation
from domain.errors import InvalidInput
from service.auth.permissions import authorize
from service.bootstrap import Services
from service.commands.assurance.common import load_as, now, on, require_team
from service.commands.context import CommandContext
from service.commands.streams import stream_is


async def register_guidance(services: Services, ctx: CommandContext, team_id: str, reference: str, title: str,
                            recommendations: Sequence[Recommendation]) -> tuple[str, int]:
    authorize(ctx.principal, "guidance.register", team_id)
    await require_team(services, team_id)
    guidance = Guidance.register(guidance_id=uuid4(), team_id=team_id, reference=reference, title=title,
                                 recommendations=recommendations, registered_by=ctx.principal.subject)
    saved = await services.repository.save(guidance, ctx.meta(team_id=team_id))
    return str(guidance.id), saved.position


async def begin_assessment(services: Services, ctx: CommandContext, team_id: str,
                           guidance_id: str) -> tuple[str, int]:
    authorize(ctx.principal, "assessment.assess", team_id)
    await require_team(services, team_id)
    guidance = await load_as(services, guidance_id, Guidance, "guidanceId")
    if await stream_is(services, str(assessment_id(team_id, guidance_id)), "Assessment"):
        raise InvalidInput("The team already assesses itself against this guidance.", field="guidanceId",
                           code="INVALID")
    assessment = Assessment.begin(team_id=team_id, guidance_id=guidance_id, guidance_reference=guidance.reference,
                                  recommendations=guidance.recommendations)
    saved = await services.repository.save(assessment, ctx.meta(team_id=team_id))
    return str(assessment.id), saved.position


async def assess(services: Services, ctx: CommandContext, assessment: str, entries: Sequence[RecommendationAssessed],
                 reason: str) -> int:
    def decide(a: Assessment) -> None:
        authorize(ctx.principal, "assessment.assess", a.team_id)
        a.assess(entries, reason, ctx.principal.subject, now())
    return await on(services, ctx, assessment, Assessment, "assessmentId", decide, reason.strip())
