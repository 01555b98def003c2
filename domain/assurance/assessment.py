"""A team's assessment against a guidance document: a baseline, then reassessments, each an event that
rates some or all recommendations MET, PARTLY_MET, NOT_MET or NOT_APPLICABLE, with evidence (audits, measures
or documents, by reference), who decided and why, and a review date for each gap (not fully met)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any
from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.domain import Aggregate, event

from domain.errors import InvalidInput
from domain.planning.rules import MAX_TITLE, required_text

STATUSES = ("MET", "PARTLY_MET", "NOT_MET", "NOT_APPLICABLE")
GAPS = ("PARTLY_MET", "NOT_MET")
EVIDENCE_KINDS = ("AUDIT", "MEASURE", "DOCUMENT")


def assessment_id(team_id: str, guidance_id: str) -> UUID:
    """One assessment per team and guidance: its id follows from them."""
    return uuid5(NAMESPACE_URL, f"qms:assessment:{team_id}:{guidance_id}")


def gap_id(assessment: str, recommendation: str) -> UUID:
    """The id a recommendation not fully met goes by while it is a gap (actions answer it with this sourceId);
    the same through every reassessment."""
    return uuid5(NAMESPACE_URL, f"qms:gap:{assessment}:{recommendation}")


@dataclass(frozen=True, slots=True)
class Evidence:
    kind: str        # AUDIT, MEASURE or DOCUMENT
    reference: str   # an audit's or measure's id, or a document's reference


@dataclass(frozen=True, slots=True)
class RecommendationAssessed:
    recommendation: str          # the recommendation's ref
    status: str
    rationale: str
    evidence: Sequence[Evidence] = field(default_factory=tuple)
    review_date: date | None = None


class Assessment(Aggregate):
    class AssessmentBegun(Aggregate.Created):
        team_id: str
        guidance_id: str
        guidance_reference: str
        recommendations: list[dict[str, str]]

    @classmethod
    def begin(cls, *, team_id: str, guidance_id: str, guidance_reference: str,
              recommendations: list[dict[str, str]]) -> Assessment:
        return cls._create(cls.AssessmentBegun, id=assessment_id(team_id, guidance_id), team_id=team_id,
                           guidance_id=guidance_id, guidance_reference=guidance_reference,
                           recommendations=recommendations)

    @event(AssessmentBegun)
    def __init__(self, team_id: str, guidance_id: str, guidance_reference: str,
                 recommendations: list[dict[str, str]]) -> None:
        self.team_id = team_id
        self.refs = [r["ref"] for r in recommendations]
        self.rounds = 0

    def assess(self, entries: Sequence[RecommendationAssessed], reason: str, assessed_by: str, at: str) -> None:
        """Rate recommendations (the first time: the baseline; later: a reassessment), all or none."""
        if not entries:
            raise InvalidInput("Assess at least one recommendation.", field="entries", code="INVALID")
        seen: set[str] = set()
        out: list[dict[str, Any]] = []
        for i, e in enumerate(entries):
            if e.recommendation not in self.refs:
                raise InvalidInput(f"The guidance has no recommendation {e.recommendation!r}.",
                                   field="recommendation", index=i, code="INVALID")
            if e.recommendation in seen:
                raise InvalidInput(f"Recommendation {e.recommendation!r} is assessed twice.",
                                   field="recommendation", index=i, code="INVALID")
            seen.add(e.recommendation)
            if e.status not in STATUSES:
                raise InvalidInput(f"status must be one of {', '.join(STATUSES)}, not {e.status!r}.",
                                   field="status", index=i, code="INVALID")
            if e.status in GAPS and e.review_date is None:
                raise InvalidInput("A recommendation not fully met has a review date.", field="reviewDate",
                                   index=i, code="INVALID")
            evidence = []
            for ev in e.evidence:
                if ev.kind not in EVIDENCE_KINDS:
                    raise InvalidInput(f"Evidence is one of {', '.join(EVIDENCE_KINDS)}.", field="evidence",
                                       index=i, code="INVALID")
                evidence.append({"kind": ev.kind, "reference": required_text(ev.reference, "evidence", MAX_TITLE,
                                                                             index=i)})
            out.append({"recommendation": e.recommendation, "status": e.status, "evidence": evidence,
                        "rationale": required_text(e.rationale, "rationale", index=i),
                        "review_date": e.review_date.isoformat() if e.status in GAPS and e.review_date else None})
        self._assessed(round=self.rounds + 1, entries=out, reason=required_text(reason, "reason"),
                       assessed_by=assessed_by, at=at)

    @event("RecommendationsAssessed")
    def _assessed(self, round: int, entries: list[dict[str, Any]], reason: str, assessed_by: str, at: str) -> None:
        self.rounds = round
