"""What the assurance schema modules share: running a command and answering with the read model's document
(read-your-writes), reading one document now or as of an instant, and a document's team."""

from __future__ import annotations

from collections.abc import Awaitable
from datetime import datetime
from typing import Any

import strawberry

from domain.errors import DomainError, Forbidden
from projections.assurance import AssuranceProjection
from projections.catalog import CatalogProjection
from schema.context import Context
from schema.errors import UserError, user_error
from schema.teams import Team, load_team
from service.reads import assurance as reads
from service.reads.assurance import DocView

KIND_OF_TABLE = {"audits": "audit", "audit_programmes": "programme", "inspections": "inspection",
                 "guidance_documents": "guidance", "assessments": "assessment", "fishbones": "fishbone"}


async def run(ctx: Context, run: Awaitable[Any]) -> tuple[Any, list[UserError]]:
    """Run a command; on success wait until the assurance projection applied what it wrote."""
    try:
        result = await run
    except DomainError as e:
        return None, [user_error(e)]
    position = result[-1] if isinstance(result, tuple) else result
    await ctx.services.wait_for_projections(ctx.wrote(position), (CatalogProjection.name, AssuranceProjection.name))
    return result, []


async def written(ctx: Context, table: str, doc_id: str) -> DocView | None:
    """The document a command just wrote, if the caller may read it."""
    view = await reads.one(ctx.services.pool, table, doc_id)
    return view if view is not None and ctx.can(READ_ACTION.get(table, "assurance.read"), view.team_id) else None


# Guidance documents are public (a NICE guideline, say): anyone who may see the organisation's teams reads them.
READ_ACTION = {"guidance_documents": "team.read"}


async def read_one(ctx: Context, table: str, doc_id: str, as_of: datetime | None = None) -> DocView | None:
    """One document now (a dependency of the answer) or as it stood at `as_of` (not cacheable); None when the
    caller may not read it."""
    action = READ_ACTION.get(table, "assurance.read")
    if as_of is not None:
        ctx.uncacheable()  # an instant not yet past may still gain events
        try:
            return await reads.as_of(ctx.services, ctx.principal, doc_id, table, as_of, action)
        except Forbidden:
            return None
    view = await reads.one(ctx.services.pool, table, doc_id)
    ctx.depend(f"{KIND_OF_TABLE[table]}:{doc_id}", view.position if view else None)
    return view if view is not None and ctx.can(action, view.team_id) else None


async def read_team(ctx: Context, table: str, team_id: str) -> list[DocView]:
    if not ctx.can("assurance.read", team_id):
        return []
    views = await reads.of_team(ctx.services.pool, table, team_id)
    kind = KIND_OF_TABLE[table]
    ctx.depend(f"{kind}s_of:{team_id}", max((v.position or 0 for v in views), default=None))
    return views


async def team_of(ctx: Context, team_id: str) -> Team:
    return await load_team(ctx, team_id) or Team(id=strawberry.ID(team_id), name="")


def at(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None
