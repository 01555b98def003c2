"""Inspections in GraphQL: internal or external visits with their date, inspectors, areas, ratings (with who
decided and why) and findings."""

from __future__ import annotations

from datetime import date, datetime
from enum import Enum
from typing import Any

import strawberry
from strawberry.types import Info

from schema.actions import Action
from schema.assurance.audits import Finding, FindingSeverity
from schema.assurance.common import at, read_one, read_team, run, team_of, written
from schema.context import Context
from schema.errors import UserError
from schema.huddles import actions_for
from schema.teams import Team
from service.commands.assurance import inspections as commands
from service.reads.assurance import DocView


@strawberry.enum
class InspectionKind(Enum):
    INTERNAL = "INTERNAL"
    EXTERNAL = "EXTERNAL"


@strawberry.enum(description="The CQC's four ratings.")
class InspectionRating(Enum):
    OUTSTANDING = "OUTSTANDING"
    GOOD = "GOOD"
    REQUIRES_IMPROVEMENT = "REQUIRES_IMPROVEMENT"
    INADEQUATE = "INADEQUATE"


@strawberry.type
class AreaRating:
    area: str = strawberry.field(description='An inspected area, or "Overall".')
    rating: InspectionRating
    rationale: str
    decided_by: str
    decided_at: datetime


@strawberry.type
class Inspection:
    id: strawberry.ID
    kind: InspectionKind
    body: str = strawberry.field(description="Who inspected: a regulator, or the trust's own quality team.")
    visited_on: date
    inspectors: list[str]
    areas: list[str]
    summary: str | None
    reported_at: datetime | None
    _view: strawberry.Private[DocView]

    @classmethod
    def from_view(cls, v: DocView) -> Inspection:
        d = v.doc
        return cls(id=strawberry.ID(v.id), kind=InspectionKind[d["kind"]], body=d["body"],
                   visited_on=date.fromisoformat(d["visited_on"]), inspectors=d["inspectors"], areas=d["areas"],
                   summary=d["summary"], reported_at=at(d["reported_at"]), _view=v)

    @strawberry.field
    async def team(self, info: Info[Context, None]) -> Team:
        return await team_of(info.context, self._view.team_id)

    @strawberry.field(description="Each area's latest rating, in the order the areas were first rated.")
    def ratings(self) -> list[AreaRating]:
        latest: dict[str, dict[str, Any]] = {}
        for r in self._view.doc["ratings"]:
            latest[r["area"]] = r
        return [_rating(r) for r in latest.values()]

    @strawberry.field(description="Every rating given, oldest first (a later rating of an area replaces it).")
    def rating_history(self) -> list[AreaRating]:
        return [_rating(r) for r in self._view.doc["ratings"]]

    @strawberry.field
    def findings(self) -> list[Finding]:
        return [Finding.from_doc(f, self._view.id) for f in self._view.doc["findings"]]

    @strawberry.field(description="The actions that answer the inspection itself (sourceId = its id); its "
                                  "findings' actions are on each finding.")
    async def actions(self, info: Info[Context, None]) -> list[Action]:
        return await actions_for(info.context, [self._view.id])


def _rating(r: dict[str, Any]) -> AreaRating:
    return AreaRating(area=r["area"], rating=InspectionRating[r["rating"]], rationale=r["rationale"],
                      decided_by=r["decided_by"], decided_at=datetime.fromisoformat(r["at"]))


@strawberry.input
class RecordInspectionInput:
    team_id: strawberry.ID
    kind: InspectionKind
    body: str
    visited_on: date
    inspectors: list[str]
    areas: list[str]


@strawberry.input
class RateInspectionAreaInput:
    inspection_id: strawberry.ID
    area: str = strawberry.field(description='An inspected area, or "Overall".')
    rating: InspectionRating
    rationale: str


@strawberry.input
class RecordInspectionFindingInput:
    inspection_id: strawberry.ID
    title: str
    severity: FindingSeverity
    rationale: str
    area: str | None = None


@strawberry.input
class ReportInspectionInput:
    inspection_id: strawberry.ID
    summary: str


@strawberry.type
class InspectionPayload:
    inspection: Inspection | None
    errors: list[UserError]


@strawberry.type
class InspectionFindingPayload:
    finding: Finding | None
    inspection: Inspection | None
    errors: list[UserError]


async def _answer(ctx: Context, inspection_id: str, command: Any) -> InspectionPayload:
    result, errors = await run(ctx, command)
    if errors:
        return InspectionPayload(inspection=None, errors=errors)
    inspection_id = result[0] if isinstance(result, tuple) else inspection_id
    view = await written(ctx, "inspections", inspection_id)
    return InspectionPayload(inspection=Inspection.from_view(view) if view else None, errors=[])


@strawberry.type
class InspectionQueries:
    @strawberry.field
    async def inspection(self, info: Info[Context, None], id: strawberry.ID,
                         as_of: datetime | None = None) -> Inspection | None:
        view = await read_one(info.context, "inspections", str(id), as_of)
        return Inspection.from_view(view) if view else None

    @strawberry.field(description="The team's inspections, the latest changed first.")
    async def inspections(self, info: Info[Context, None], team_id: strawberry.ID) -> list[Inspection]:
        return [Inspection.from_view(v) for v in await read_team(info.context, "inspections", str(team_id))]


@strawberry.type
class InspectionMutations:
    @strawberry.mutation
    async def record_inspection(self, info: Info[Context, None], input: RecordInspectionInput) -> InspectionPayload:
        ctx = info.context
        return await _answer(ctx, "", commands.record_inspection(
            ctx.services, ctx.command(), str(input.team_id), input.kind.value, input.body, input.visited_on,
            input.inspectors, input.areas))

    @strawberry.mutation(description="Rate an area (or Overall), with why; until the report is issued.")
    async def rate_inspection_area(self, info: Info[Context, None],
                                   input: RateInspectionAreaInput) -> InspectionPayload:
        ctx = info.context
        return await _answer(ctx, str(input.inspection_id), commands.rate_area(
            ctx.services, ctx.command(), str(input.inspection_id), input.area, input.rating.value, input.rationale))

    @strawberry.mutation(description="A finding; it can raise actions (createAction with sourceId = its id).")
    async def record_inspection_finding(self, info: Info[Context, None],
                                        input: RecordInspectionFindingInput) -> InspectionFindingPayload:
        ctx = info.context
        result, errors = await run(ctx, commands.record_finding(
            ctx.services, ctx.command(), str(input.inspection_id), input.title, input.severity.value,
            input.rationale, input.area))
        if errors:
            return InspectionFindingPayload(finding=None, inspection=None, errors=errors)
        view = await written(ctx, "inspections", str(input.inspection_id))
        found = next((f for f in view.doc["findings"] if f["id"] == result[0]), None) if view else None
        return InspectionFindingPayload(finding=Finding.from_doc(found, view.id) if view and found else None,
                                        inspection=Inspection.from_view(view) if view else None, errors=[])

    @strawberry.mutation(description="Issue the report: its ratings and findings stand from then on.")
    async def report_inspection(self, info: Info[Context, None], input: ReportInspectionInput) -> InspectionPayload:
        ctx = info.context
        return await _answer(ctx, str(input.inspection_id), commands.report(
            ctx.services, ctx.command(), str(input.inspection_id), input.summary))
