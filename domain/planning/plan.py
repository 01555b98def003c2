"""A team's annual quality plan: needs, pathway, commissioning, structures and the family of measures, and its
lifecycle DRAFT -> SUBMITTED -> APPROVED.

SUPERSEDED is not stored on the plan: it is the fact that a later plan of the same team and year was approved
(one aggregate per transaction), derived from the log by the planning projection and by `plan(asOf:)` alike."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from typing import Any
from uuid import UUID

from eventsourcing.domain import Aggregate, event

from domain.aspects import Aspect
from domain.errors import Forbidden, InvalidInput
from domain.planning.rules import (
    MAX_ITEMS,
    MAX_TITLE,
    check_year,
    invalid_state,
    required_text,
    text_list,
)

ASPECT = Aspect.PLANNING

VERDICTS = ("SUPPORTED", "CHANGES_REQUESTED")


@dataclass(frozen=True, slots=True)
class MeasureLink:
    """One measure of the plan's family, with the needs (by id) and strategic priorities (by code) it serves."""

    measure_id: str
    needs: tuple[str, ...] = ()
    priorities: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Commissioning:
    """The commissioning arrangement the plan answers to."""

    commissioner: str
    reference: str                      # the contract or service specification
    requirements: tuple[str, ...] = ()  # its key requirements


@dataclass(frozen=True, slots=True)
class Revision:
    """The parts of a draft a revision replaces; None leaves that part as it is."""

    reason: str
    title: str | None = None
    pathway: Sequence[str] | None = None
    commissioning: Commissioning | None = None
    structures: Sequence[str] | None = None
    measures: Sequence[MeasureLink] | None = None
    reviewers: Sequence[str] | None = None


@dataclass(frozen=True, slots=True)
class PlanContext:
    """What the handler read for the rules: the team's measures and the strategy's priority codes for the year."""

    team_measures: Collection[str] = ()
    priorities: Collection[str] = ()


def check_measure_ids(measure_ids: Sequence[str], team_measures: Collection[str], field: str) -> list[str]:
    if len(measure_ids) > MAX_ITEMS:
        raise InvalidInput(f"{field} has at most {MAX_ITEMS} measures.", field=field, code="INVALID")
    seen: set[str] = set()
    for i, measure_id in enumerate(measure_ids):
        if measure_id not in team_measures:
            raise InvalidInput(f"Measure {measure_id} is not one of the team's measures.", field=field, index=i,
                               code="INVALID")
        if measure_id in seen:
            raise InvalidInput(f"Measure {measure_id} is listed twice.", field=field, index=i, code="INVALID")
        seen.add(measure_id)
    return list(measure_ids)


class Plan(Aggregate):
    """One team's plan for one planning year (2025 = the 2025/26 plan)."""

    class PlanDrafted(Aggregate.Created):
        team_id: str
        year: int
        title: str
        needs: list[dict[str, str]]
        measures: list[dict[str, Any]]
        drafted_by: str

    @classmethod
    def draft(cls, *, plan_id: UUID, team_id: str, year: int, title: str, needs: Sequence[str],
              measure_ids: Sequence[str], team_measures: Collection[str], drafted_by: str, role: str) -> Plan:
        checked_needs = text_list(needs, "needs")
        return cls._create(
            cls.PlanDrafted, id=plan_id, team_id=team_id, year=check_year(year),
            title=required_text(title, "title", MAX_TITLE),
            needs=[{"id": f"n{i + 1}", "text": t, "raised_by": drafted_by, "role": role}
                   for i, t in enumerate(checked_needs)],
            measures=[{"measure_id": m, "needs": [], "priorities": []}
                      for m in check_measure_ids(measure_ids, team_measures, "measureIds")],
            drafted_by=drafted_by)

    @event(PlanDrafted)
    def __init__(self, team_id: str, year: int, title: str, needs: list[dict[str, str]],
                 measures: list[dict[str, Any]], drafted_by: str) -> None:
        self.team_id = team_id
        self.year = year
        self.title = title
        self.status = "DRAFT"
        self.needs = needs
        self.measures = measures
        self.drafted_by = drafted_by
        self.pathway: list[str] = []
        self.commissioning: dict[str, Any] | None = None
        self.structures: list[str] = []
        self.reviewers: list[str] = []
        self.comments: list[dict[str, str]] = []
        self.reviews: list[dict[str, str]] = []
        self.submitted_by: str | None = None
        self.approved_by: str | None = None
        self.approved_at: str | None = None
        self.decision_reason: str | None = None

    # -- content (while a draft) ----------------------------------------------------------------------------
    def revise(self, revision: Revision, context: PlanContext) -> None:
        """Replace parts of a draft; a submitted or approved plan is changed only by a new plan."""
        if self.status != "DRAFT":
            raise invalid_state(f"Only a draft is revised; this plan is {self.status}.")
        reason = required_text(revision.reason, "reason")
        title = required_text(revision.title, "title", MAX_TITLE) if revision.title is not None else None
        pathway = text_list(revision.pathway, "pathway") if revision.pathway is not None else None
        structures = text_list(revision.structures, "structures") if revision.structures is not None else None
        reviewers = text_list(revision.reviewers, "reviewers", 200) if revision.reviewers is not None else None
        commissioning = None
        if revision.commissioning is not None:
            c = revision.commissioning
            commissioning = {"commissioner": required_text(c.commissioner, "commissioner", MAX_TITLE),
                             "reference": required_text(c.reference, "reference", MAX_TITLE),
                             "requirements": text_list(c.requirements, "requirements")}
        measures = None
        if revision.measures is not None:
            measures = self._checked_links(revision.measures, context)
        if all(v is None for v in (title, pathway, structures, reviewers, commissioning, measures)):
            raise InvalidInput("A revision changes at least one part of the plan.", field="input", code="INVALID")
        self._revised(reason=reason, title=title, pathway=pathway, commissioning=commissioning,
                      structures=structures, measures=measures, reviewers=reviewers)

    def _checked_links(self, links: Sequence[MeasureLink], context: PlanContext) -> list[dict[str, Any]]:
        check_measure_ids([link.measure_id for link in links], context.team_measures, "measures")
        need_ids = {n["id"] for n in self.needs}
        out = []
        for i, link in enumerate(links):
            for need in link.needs:
                if need not in need_ids:
                    raise InvalidInput(f"The plan has no need {need!r}.", field="needs", index=i, code="INVALID")
            for code in link.priorities:
                if code not in context.priorities:
                    raise InvalidInput(f"{code!r} is not a strategic priority of the organisation for "
                                       f"{self.year}.", field="priorities", index=i, code="INVALID")
            out.append({"measure_id": link.measure_id, "needs": sorted(set(link.needs)),
                        "priorities": sorted(set(link.priorities))})
        return out

    @event("PlanRevised")
    def _revised(self, reason: str, title: str | None, pathway: list[str] | None,
                 commissioning: dict[str, Any] | None, structures: list[str] | None,
                 measures: list[dict[str, Any]] | None, reviewers: list[str] | None) -> None:
        if title is not None:
            self.title = title
        if pathway is not None:
            self.pathway = pathway
        if commissioning is not None:
            self.commissioning = commissioning
        if structures is not None:
            self.structures = structures
        if measures is not None:
            self.measures = measures
        if reviewers is not None:
            self.reviewers = reviewers

    def raise_need(self, text: str, raised_by: str, role: str) -> str:
        """Anyone taking part, service users included, adds a need while the plan is a draft; returns its id."""
        if self.status != "DRAFT":
            raise invalid_state(f"Needs are raised while the plan is a draft; this plan is {self.status}.")
        if len(self.needs) >= MAX_ITEMS:
            raise InvalidInput(f"A plan has at most {MAX_ITEMS} needs.", field="text", code="INVALID")
        need_id = f"n{len(self.needs) + 1}"
        self._need_raised(need_id=need_id, text=required_text(text, "text"), raised_by=raised_by, role=role)
        return need_id

    @event("NeedRaised")
    def _need_raised(self, need_id: str, text: str, raised_by: str, role: str) -> None:
        self.needs = [*self.needs, {"id": need_id, "text": text, "raised_by": raised_by, "role": role}]

    # -- taking part ----------------------------------------------------------------------------------------
    def comment(self, text: str, author: str, role: str, at: str) -> None:
        self._commented(text=required_text(text, "text"), author=author, role=role, at=at)

    @event("PlanCommented")
    def _commented(self, text: str, author: str, role: str, at: str) -> None:
        self.comments = [*self.comments, {"text": text, "author": author, "role": role, "at": at}]

    def review(self, reviewer: str, verdict: str, text: str, at: str) -> None:
        """A person named in the plan as a reviewer gives a verdict on a draft or a submitted plan."""
        if reviewer not in self.reviewers:
            raise Forbidden("Only the people the plan names as reviewers review it.")
        if self.status not in ("DRAFT", "SUBMITTED"):
            raise invalid_state(f"A plan is reviewed before it is approved; this plan is {self.status}.")
        if verdict not in VERDICTS:
            raise InvalidInput(f"verdict must be one of {', '.join(VERDICTS)}.", field="verdict", code="INVALID")
        self._reviewed(reviewer=reviewer, verdict=verdict, text=required_text(text, "text"), at=at)

    @event("PlanReviewed")
    def _reviewed(self, reviewer: str, verdict: str, text: str, at: str) -> None:
        self.reviews = [*self.reviews, {"reviewer": reviewer, "verdict": verdict, "text": text, "at": at}]

    # -- lifecycle ------------------------------------------------------------------------------------------
    def submit(self, reason: str, submitted_by: str) -> None:
        if self.status != "DRAFT":
            raise invalid_state(f"Only a draft is submitted; this plan is {self.status}.")
        self._submitted(reason=required_text(reason, "reason"), submitted_by=submitted_by)

    @event("PlanSubmitted")
    def _submitted(self, reason: str, submitted_by: str) -> None:
        self.status = "SUBMITTED"
        self.submitted_by = submitted_by
        self.decision_reason = reason

    def approve(self, reason: str, approved_by: str, at: str) -> None:
        """Approve a submitted plan; the team's plan approved before it for the same year is then superseded."""
        if self.status != "SUBMITTED":
            raise invalid_state(f"Only a submitted plan is approved; this plan is {self.status}.")
        self._approved(reason=required_text(reason, "reason"), approved_by=approved_by, approved_at=at,
                       team_id=self.team_id, year=self.year)

    @event("PlanApproved")
    def _approved(self, reason: str, approved_by: str, approved_at: str, team_id: str, year: int) -> None:
        self.status = "APPROVED"
        self.approved_by = approved_by
        self.approved_at = approved_at
        self.decision_reason = reason
