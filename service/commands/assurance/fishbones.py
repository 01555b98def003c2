"""Fishbone diagram commands: draw one, and each edit (effect, category, cause, sub-cause, link) as its own
event."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from uuid import uuid4

from domain.assurance.fishbone import Fishbone
from domain.errors import InvalidInput
from service.auth.permissions import authorize
from service.bootstrap import Services
from service.commands.assurance.common import on, require_team
from service.commands.context import CommandContext
from service.ids import valid_uuid


async def draw(services: Services, ctx: CommandContext, team_id: str, effect: str,
               categories: Sequence[str] | None, link_to: tuple[str, str] | None = None) -> tuple[str, int]:
    """Draw a diagram; with `link_to` (kind, id), linked in the same save (all or nothing)."""
    authorize(ctx.principal, "fishbone.draw", team_id)
    await require_team(services, team_id)
    if link_to is not None:
        await _check_target(services, *link_to)
    diagram = Fishbone.draw(diagram_id=uuid4(), team_id=team_id, effect=effect, categories=categories,
                            drawn_by=ctx.principal.subject)
    if link_to is not None:
        diagram.link(*link_to)
    saved = await services.repository.save(diagram, ctx.meta(team_id=team_id))
    return str(diagram.id), saved.position


async def edit(services: Services, ctx: CommandContext, diagram_id: str, change: Callable[[Fishbone], None]) -> int:
    def decide(diagram: Fishbone) -> None:
        authorize(ctx.principal, "fishbone.draw", diagram.team_id)
        change(diagram)
    return await on(services, ctx, diagram_id, Fishbone, "diagramId", decide)


async def add_cause(services: Services, ctx: CommandContext, diagram_id: str, category: str, text: str,
                    parent_id: str | None) -> tuple[str, int]:
    cause_id = uuid4().hex[:12]
    return cause_id, await edit(services, ctx, diagram_id,
                                lambda d: d.add_cause(cause_id, category, text, parent_id))


async def link(services: Services, ctx: CommandContext, diagram_id: str, kind: str, target_id: str) -> int:
    """Link to a finding (which must exist), a signal or a project (by id)."""
    await _check_target(services, kind, target_id)
    return await edit(services, ctx, diagram_id, lambda d: d.link(kind, target_id))


async def _check_target(services: Services, kind: str, target_id: str) -> None:
    if not valid_uuid(target_id):
        raise InvalidInput(f"No {kind.lower()} has id {target_id}.", field="targetId", code="NOT_FOUND")
    if kind == "FINDING":
        async with services.pool.acquire() as conn:
            if not await conn.fetchval("SELECT 1 FROM assurance_findings WHERE id = $1", target_id):
                raise InvalidInput(f"No finding has id {target_id}.", field="targetId", code="NOT_FOUND")
