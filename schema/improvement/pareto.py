"""Pareto analysis in GraphQL: categories with counts entered directly, sorted largest first with the cumulative
percentage, and the vital few marked."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import strawberry
from strawberry.types import Info

from domain.improvement.pareto import analyse
from schema.context import Context
from schema.errors import UserError
from schema.improvement.common import answer, load_doc
from service.commands import tools as commands
from service.reads.improvement import DocView


@strawberry.type
class ParetoCategory:
    name: str
    count: int
    percentage: float
    cumulative_percentage: float
    vital_few: bool = strawberry.field(description="within 80% cumulative (the largest category always)")


@strawberry.type
class ParetoChart:
    id: strawberry.ID
    title: str
    team_id: strawberry.ID
    project_id: strawberry.ID | None
    total: int
    recorded_at: datetime
    source_kind: str | None = strawberry.field(description="where the counts came from: null when entered "
                                                           "directly, AUDIT for an audit's failed criteria")
    source_id: strawberry.ID | None
    _view: strawberry.Private[DocView]

    @classmethod
    def of(cls, v: DocView) -> ParetoChart:
        d = v.doc
        return cls(id=strawberry.ID(v.id), title=d["title"], team_id=strawberry.ID(v.team_id),
                   project_id=strawberry.ID(d["project_id"]) if d["project_id"] else None,
                   total=sum(int(c["count"]) for c in d["categories"]),
                   recorded_at=datetime.fromisoformat(d["created_at"]), source_kind=d.get("source_kind"),
                   source_id=strawberry.ID(d["source_id"]) if d.get("source_id") else None, _view=v)

    @strawberry.field(description="Largest first.")
    def categories(self) -> list[ParetoCategory]:
        return [ParetoCategory(name=b.name, count=b.count, percentage=b.percentage,
                               cumulative_percentage=b.cumulative_percentage, vital_few=b.vital_few)
                for b in analyse(self._view.doc["categories"])]


@strawberry.input
class ParetoCategoryInput:
    name: str
    count: int


@strawberry.input
class RecordParetoInput:
    team_id: strawberry.ID
    title: str
    categories: list[ParetoCategoryInput]
    project_id: strawberry.ID | None = None


@strawberry.input(description="A Pareto chart of an audit's failed criteria (one category per criterion).")
class ParetoFromAuditInput:
    team_id: strawberry.ID
    audit_id: strawberry.ID
    project_id: strawberry.ID | None = None
    title: str | None = None


@strawberry.input
class ReviseParetoInput:
    pareto_id: strawberry.ID
    categories: list[ParetoCategoryInput]
    reason: str


@strawberry.type
class ParetoPayload:
    pareto: ParetoChart | None
    errors: list[UserError]


async def _answer(ctx: Context, run: Any, pareto_id: str = "") -> ParetoPayload:
    found, errors = await answer(ctx, run, pareto_id)
    view = await load_doc(ctx, found, "pareto") if found else None
    return ParetoPayload(pareto=ParetoChart.of(view) if view else None, errors=errors)


@strawberry.type
class ParetoQueries:
    @strawberry.field
    async def pareto_chart(self, info: Info[Context, None], id: strawberry.ID) -> ParetoChart | None:
        view = await load_doc(info.context, str(id), "pareto")
        return ParetoChart.of(view) if view else None


@strawberry.type
class ParetoMutations:
    @strawberry.mutation(description="Categories with counts, entered directly.")
    async def record_pareto_chart(self, info: Info[Context, None], input: RecordParetoInput) -> ParetoPayload:
        ctx = info.context
        return await _answer(ctx, commands.record_pareto(
            ctx.services, ctx.command(), str(input.team_id), str(input.project_id) if input.project_id else None,
            input.title, [(c.name, c.count) for c in input.categories]))

    @strawberry.mutation(description="Count an audit's failed criteria, from its recorded cases.")
    async def record_pareto_from_audit(self, info: Info[Context, None], input: ParetoFromAuditInput) -> ParetoPayload:
        ctx = info.context
        return await _answer(ctx, commands.pareto_from_audit(
            ctx.services, ctx.command(), str(input.team_id), str(input.project_id) if input.project_id else None,
            str(input.audit_id), input.title))

    @strawberry.mutation(description="Replace the counts, with the reason.")
    async def revise_pareto_chart(self, info: Info[Context, None], input: ReviseParetoInput) -> ParetoPayload:
        ctx, pid = info.context, str(input.pareto_id)
        return await _answer(ctx, commands.revise_pareto(ctx.services, ctx.command(), pid,
                                                         [(c.name, c.count) for c in input.categories],
                                                         input.reason), pid)
