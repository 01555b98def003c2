"""Best-practice implementation in GraphQL: guidance with its recommendations, a team's assessment against it
(the baseline, then reassessments, each with evidence and who decided why), the gap analysis, and progress."""

from __future__ import annotations

from datetime import date, datetime
from enum import Enum
from typing import Any

import strawberry
from strawberry.types import Info

from domain.assurance.assessment import GAPS, STATUSES, Evidence, RecommendationAssessed, gap_id
from domain.assurance.guidance import Recommendation as RecommendationValue
from schema.actions import Action
from schema.assurance.common import read_one, read_team, run, team_of, written
from schema.context import Context
from schema.errors import UserError
from schema.huddles import actions_for
from schema.teams import Team
from service.commands.assurance import guidance as commands
from service.reads import assurance as reads
from service.reads.assurance import DocView


@strawberry.enum
class RecommendationStatus(Enum):
    MET = "MET"
    PARTLY_MET = "PARTLY_MET"
    NOT_MET = "NOT_MET"
    NOT_APPLICABLE = "NOT_APPLICABLE"


@strawberry.enum
class EvidenceKind(Enum):
    AUDIT = "AUDIT"
    MEASURE = "MEASURE"
    DOCUMENT = "DOCUMENT"


@strawberry.type(name="GuidanceRecommendation")
class Recommendation:
    ref: str
    text: str


@strawberry.type
class Guidance:
    id: strawberry.ID
    reference: str = strawberry.field(description='e.g. "NICE NG249".')
    title: str
    recommendations: list[Recommendation]
    registered_by: str

    @classmethod
    def from_view(cls, v: DocView) -> Guidance:
        d = v.doc
        return cls(id=strawberry.ID(v.id), reference=d["reference"], title=d["title"],
                   recommendations=[Recommendation(ref=r["ref"], text=r["text"]) for r in d["recommendations"]],
                   registered_by=d["registered_by"])


@strawberry.type
class EvidenceRef:
    kind: EvidenceKind
    reference: str = strawberry.field(description="An audit's or a measure's id, or a document's reference.")


@strawberry.type(description="A recommendation's rating in one round, or as it currently stands.")
class RecommendationAssessment:
    recommendation: Recommendation
    status: RecommendationStatus | None = strawberry.field(description="null: not assessed yet.")
    evidence: list[EvidenceRef]
    rationale: str | None
    review_date: date | None = strawberry.field(description="For a gap: when it is reviewed next.")
    assessed_by: str | None
    assessed_at: datetime | None
    round: int | None
    gap_id: strawberry.ID | None = strawberry.field(
        default=None, description="While not fully met: the gap's id, the sourceId of the actions that answer it.")

    @strawberry.field(description="The actions planned on the gap (createAction with sourceId = gapId).")
    async def actions(self, info: Info[Context, None]) -> list[Action]:
        return await actions_for(info.context, [str(self.gap_id)]) if self.gap_id else []


@strawberry.type(description="One round: the baseline (round 1) or a reassessment, with the counts it left.")
class AssessmentRound:
    round: int
    reason: str
    assessed_by: str
    assessed_at: datetime
    met: int
    partly_met: int
    not_met: int
    not_applicable: int
    unassessed: int
    assessed: list[RecommendationAssessment] = strawberry.field(description="The recommendations rated in it.")


def _assessment(rec: dict[str, str], e: dict[str, Any] | None, assessment: str) -> RecommendationAssessment:
    r = Recommendation(ref=rec["ref"], text=rec["text"])
    if e is None:
        return RecommendationAssessment(recommendation=r, status=None, evidence=[], rationale=None, review_date=None,
                                        assessed_by=None, assessed_at=None, round=None)
    return RecommendationAssessment(
        recommendation=r, status=RecommendationStatus[e["status"]],
        evidence=[EvidenceRef(kind=EvidenceKind[x["kind"]], reference=x["reference"]) for x in e["evidence"]],
        rationale=e["rationale"], review_date=date.fromisoformat(e["review_date"]) if e["review_date"] else None,
        assessed_by=e.get("assessed_by"), assessed_at=datetime.fromisoformat(e["at"]) if e.get("at") else None,
        round=e.get("round"),
        gap_id=strawberry.ID(str(gap_id(assessment, rec["ref"]))) if e["status"] in GAPS else None)


@strawberry.type
class Assessment:
    id: strawberry.ID
    guidance_reference: str
    _view: strawberry.Private[DocView]

    @classmethod
    def from_view(cls, v: DocView) -> Assessment:
        return cls(id=strawberry.ID(v.id), guidance_reference=v.doc["guidance_reference"], _view=v)

    @strawberry.field
    async def team(self, info: Info[Context, None]) -> Team:
        return await team_of(info.context, self._view.team_id)

    @strawberry.field
    async def guidance(self, info: Info[Context, None]) -> Guidance | None:
        view = await read_one(info.context, "guidance_documents", self._view.doc["guidance_id"])
        return Guidance.from_view(view) if view else None

    def _recs(self) -> list[dict[str, str]]:
        return list(self._view.doc["recommendations"])

    @strawberry.field(description="Each recommendation as it currently stands (null status: not assessed yet).")
    def recommendations(self) -> list[RecommendationAssessment]:
        current = self._view.doc["current"]
        return [_assessment(r, current.get(r["ref"]), self._view.id) for r in self._recs()]

    @strawberry.field(description="The gap analysis: recommendations currently PARTLY_MET or NOT_MET, each with "
                                  "its review date; by review date.")
    def gaps(self) -> list[RecommendationAssessment]:
        current = self._view.doc["current"]
        gaps = [_assessment(r, current[r["ref"]], self._view.id) for r in self._recs()
                if r["ref"] in current and current[r["ref"]]["status"] in ("PARTLY_MET", "NOT_MET")]
        return sorted(gaps, key=lambda g: g.review_date or date.max)

    @strawberry.field(description="Every round, the baseline first: progress over time.")
    def progress(self) -> list[AssessmentRound]:
        texts = {r["ref"]: r for r in self._recs()}
        out = []
        for rd in self._view.doc["rounds"]:
            c = rd["counts"]
            out.append(AssessmentRound(
                round=rd["round"], reason=rd["reason"], assessed_by=rd["assessed_by"],
                assessed_at=datetime.fromisoformat(rd["at"]), met=c["MET"], partly_met=c["PARTLY_MET"],
                not_met=c["NOT_MET"], not_applicable=c["NOT_APPLICABLE"], unassessed=c["UNASSESSED"],
                assessed=[_assessment(texts[e["recommendation"]], {**e, "assessed_by": rd["assessed_by"],
                                                                   "at": rd["at"], "round": rd["round"]},
                                      self._view.id) for e in rd["entries"]]))
        return out


@strawberry.input(name="GuidanceRecommendationInput")
class RecommendationInput:
    ref: str
    text: str


@strawberry.input
class RegisterGuidanceInput:
    team_id: strawberry.ID = strawberry.field(description="The team (or trust) that registers it.")
    reference: str
    title: str
    recommendations: list[RecommendationInput]


@strawberry.input
class BeginAssessmentInput:
    team_id: strawberry.ID
    guidance_id: strawberry.ID


@strawberry.input
class EvidenceInput:
    kind: EvidenceKind
    reference: str


@strawberry.input
class RecommendationAssessmentInput:
    recommendation: str = strawberry.field(description="The recommendation's ref.")
    status: str = strawberry.field(description=f"One of {', '.join(STATUSES)}; anything else: INVALID.")
    rationale: str
    evidence: list[EvidenceInput] = strawberry.field(default_factory=list)
    review_date: date | None = strawberry.field(default=None, description="Required for PARTLY_MET and NOT_MET.")


@strawberry.input
class AssessRecommendationsInput:
    assessment_id: strawberry.ID
    reason: str = strawberry.field(description="Why now: the baseline, a review, new evidence.")
    entries: list[RecommendationAssessmentInput]


@strawberry.type
class GuidancePayload:
    guidance: Guidance | None
    errors: list[UserError]


@strawberry.type
class AssessmentPayload:
    assessment: Assessment | None
    errors: list[UserError]


async def _assessment_answer(ctx: Context, assessment_id: str, command: Any) -> AssessmentPayload:
    result, errors = await run(ctx, command)
    if errors:
        return AssessmentPayload(assessment=None, errors=errors)
    assessment_id = result[0] if isinstance(result, tuple) else assessment_id
    view = await written(ctx, "assessments", assessment_id)
    return AssessmentPayload(assessment=Assessment.from_view(view) if view else None, errors=[])


@strawberry.type
class GuidanceQueries:
    @strawberry.field
    async def guidance(self, info: Info[Context, None], id: strawberry.ID) -> Guidance | None:
        view = await read_one(info.context, "guidance_documents", str(id))
        return Guidance.from_view(view) if view else None

    @strawberry.field(description="Every guidance document registered, the latest first (guidance is public).")
    async def guidance_documents(self, info: Info[Context, None]) -> list[Guidance]:
        ctx = info.context
        views = await reads.everything(ctx.services.pool, "guidance_documents")
        ctx.depend("guidances:", max((v.position or 0 for v in views), default=None))
        return [Guidance.from_view(v) for v in views]

    @strawberry.field(description="asOf: the assessment as it stood then, rebuilt from its events.")
    async def assessment(self, info: Info[Context, None], id: strawberry.ID,
                         as_of: datetime | None = None) -> Assessment | None:
        view = await read_one(info.context, "assessments", str(id), as_of)
        return Assessment.from_view(view) if view else None

    @strawberry.field(description="The team's assessments against guidance.")
    async def assessments(self, info: Info[Context, None], team_id: strawberry.ID) -> list[Assessment]:
        return [Assessment.from_view(v) for v in await read_team(info.context, "assessments", str(team_id))]


@strawberry.type
class GuidanceMutations:
    @strawberry.mutation
    async def register_guidance(self, info: Info[Context, None], input: RegisterGuidanceInput) -> GuidancePayload:
        ctx = info.context
        result, errors = await run(ctx, commands.register_guidance(
            ctx.services, ctx.command(), str(input.team_id), input.reference, input.title,
            [RecommendationValue(r.ref, r.text) for r in input.recommendations]))
        if errors:
            return GuidancePayload(guidance=None, errors=errors)
        view = await reads.one(ctx.services.pool, "guidance_documents", result[0])
        return GuidancePayload(guidance=Guidance.from_view(view) if view else None, errors=[])

    @strawberry.mutation(description="One assessment per team and guidance.")
    async def begin_assessment(self, info: Info[Context, None], input: BeginAssessmentInput) -> AssessmentPayload:
        ctx = info.context
        return await _assessment_answer(ctx, "", commands.begin_assessment(
            ctx.services, ctx.command(), str(input.team_id), str(input.guidance_id)))

    @strawberry.mutation(description="Rate recommendations, all or none: the first round is the baseline, later "
                                     "rounds reassess.")
    async def assess_recommendations(self, info: Info[Context, None],
                                     input: AssessRecommendationsInput) -> AssessmentPayload:
        ctx = info.context
        entries = [RecommendationAssessed(e.recommendation, e.status, e.rationale,
                                          tuple(Evidence(x.kind.value, x.reference) for x in e.evidence),
                                          e.review_date) for e in input.entries]
        return await _assessment_answer(ctx, str(input.assessment_id), commands.assess(
            ctx.services, ctx.command(), str(input.assessment_id), entries, input.reason))
