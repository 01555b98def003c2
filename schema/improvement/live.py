"""A project's PDSA updates as a subscription: `cycleUpdated(projectId)` sends each of the project's cycles as the
improvement projection applied a change to it (planned, detailed, done, studied, acted), with the permissions of
`project(id)`."""

from __future__ import annotations

from collections.abc import AsyncGenerator

import asyncpg
import strawberry
from strawberry.types import Info

from domain.errors import Forbidden, NotFound
from projections.improvement import ImprovementProjection
from schema.context import Context
from schema.improvement.cycles import PdsaCycle
from schema.live import feed
from service.eventstore.notifications import Change
from service.reads.improvement import DocView, documents_by_id, documents_of_projects

Update = tuple[DocView, bool]  # a cycle as stored, and whether the change named it (else: anything may have changed)


async def cycle_states(pool: asyncpg.Pool, change: Change | None, watched: frozenset[str],
                       _seen: dict[str, int]) -> dict[str, list[Update]]:
    """The watched projects' cycles a change concerns, as now stored: one read for every subscriber."""
    if change is None or change.streams is None:  # too many to name: the watched projects' cycles, all of them
        found = await documents_of_projects(pool, sorted(watched))
        return {p: [(v, False) for v in views if v.kind == "cycle"] for p, views in found.items()}
    if not change.streams:
        return {}
    out: dict[str, list[Update]] = {}
    # A cycle's events are its own stream, so the change names the cycles; their project is in the document.
    for v in (await documents_by_id(pool, sorted(change.streams))).values():
        if v.kind == "cycle" and v.doc["project_id"] in watched:
            out.setdefault(v.doc["project_id"], []).append((v, True))
    return out


@strawberry.type
class CycleSubscription:
    @strawberry.subscription(description="The project's PDSA cycles, each time one is planned or changes stage or "
                                         "plan (after the projection applied the change); the permissions of "
                                         "`project(id)`.")
    async def cycle_updated(self, info: Info[Context, None], project_id: strawberry.ID) -> AsyncGenerator[
            PdsaCycle, None]:
        ctx, pid = info.context, str(project_id)
        ctx.uncacheable()
        pool = ctx.services.pool
        # Listening before anything is read, so a change committed after this point is never missed.
        with feed(ctx.services.notifier, pool, ImprovementProjection.name, cycle_states).watch(pid) as updates:
            project = (await documents_by_id(pool, [pid])).get(pid)
            if project is None or project.kind != "project":
                raise NotFound(f"No project has id {project_id}.", field="projectId")
            if not ctx.can("improvement.read", project.team_id):
                raise Forbidden("Not allowed: the caller may not read this project.")
            # What stood when the subscription began: an unnamed change re-sends only cycles that moved since.
            seen = {v.id: v.position or 0 for v in (await documents_of_projects(pool, [pid])).get(pid, [])
                    if v.kind == "cycle"}
            while True:
                view, named = await updates.next()
                position = view.position or 0
                if not named and position <= seen.get(view.id, -1):
                    continue
                seen[view.id] = max(position, seen.get(view.id, 0))
                yield PdsaCycle.of(view)
