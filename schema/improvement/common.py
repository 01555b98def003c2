"""What the improvement schema modules share: loading documents with their versions recorded for the answer
cache, the measures a document names, and a measure's chart points (read-only, from the SPC read model)."""

from __future__ import annotations

from collections.abc import Awaitable
from datetime import date
from typing import Any, cast

from domain.errors import DomainError
from projections.catalog import CatalogProjection
from projections.improvement import ImprovementProjection
from schema.context import Context
from schema.errors import UserError, user_error
from schema.loaders import loader
from schema.measures import Measure
from schema.spc import spc_chart
from service.reads.improvement import DocView, documents_by_id, documents_of_projects

Point = tuple[date, str, Any]  # (period, variation name, the API's SpcPoint)


async def load_doc(ctx: Context, doc_id: str, kind: str) -> DocView | None:
    """The document of `kind`, if the caller may read its team's improvement work."""
    view = await loader(ctx, documents_by_id).load(doc_id)
    ctx.depend(f"imp:{doc_id}", view.position if view else None)
    if view is None or view.kind != kind or not ctx.can("improvement.read", view.team_id):
        return None
    return view


async def project_docs(ctx: Context, project_id: str, kind: str) -> list[DocView]:
    views = await loader(ctx, documents_of_projects).load(project_id) or []
    ctx.depend(f"imp_of:{project_id}", max((v.position or 0 for v in views), default=None))
    return [v for v in views if v.kind == kind]


def clear_loaders(ctx: Context) -> None:
    """A mutation's answer reads the read model afresh (after the wait for the projection)."""
    loader(ctx, documents_by_id).clear_all()
    loader(ctx, documents_of_projects).clear_all()


async def readable_measures(ctx: Context, ids: list[str]) -> list[Measure]:
    views = await ctx.measures.load_many(ids)
    out = []
    for measure_id, v in zip(ids, views, strict=True):
        ctx.depend(f"m:{measure_id}", v.position if v else None)
        if v is not None and ctx.can("measure.read", v.team_id):
            out.append(Measure.from_view(v))
    return out


async def chart_points(ctx: Context, measure_id: str) -> list[Point]:
    """The measure's chart points as (period, variation, point), oldest first; none for an unreadable measure."""
    view = await ctx.measures.load(measure_id)
    if view is None or not ctx.can("measure.read", view.team_id):
        return []
    chart = await ctx.charts.load(measure_id)
    ctx.depend(f"s:{measure_id}", chart.position if chart else None)
    if chart is None:
        return []
    points: Any = cast(Any, spc_chart(chart)).points()  # a strawberry field, to mypy
    return [(p.period, p.variation.name, p) for p in points]


async def answer(ctx: Context, run: Awaitable[Any], doc_id: str = "") -> tuple[str | None, list[UserError]]:
    """Run a command; on success wait until the improvement read model has it and answer the document's id."""
    try:
        result = await run
    except DomainError as e:
        return None, [user_error(e)]
    doc_id, position = result if isinstance(result, tuple) else (doc_id, result)
    await ctx.services.wait_for_projections(ctx.wrote(position), (CatalogProjection.name,
                                                                   ImprovementProjection.name))
    clear_loaders(ctx)
    return doc_id, []
