"""Driver diagrams: draw one for a project, then add, reword, link, unlink and remove drivers and change ideas,
and link a change idea to the PDSA cycles that test it; every edit an event."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any
from uuid import uuid4

from domain.errors import NotFound
from domain.improvement.cycle import PdsaCycle
from domain.improvement.driver_diagram import DriverDiagram
from service.auth.permissions import authorize
from service.bootstrap import Services
from service.commands.context import CommandContext
from service.commands.control import on
from service.commands.improvement import load_project
from service.ids import valid_uuid


async def draw_driver_diagram(services: Services, ctx: CommandContext, project_id: str,
                              aim: str) -> tuple[str, int]:
    project = await load_project(services, project_id)
    authorize(ctx.principal, "diagram.edit", project.team_id)
    diagram = DriverDiagram.draw(diagram_id=uuid4(), project_id=project_id, team_id=project.team_id, aim=aim,
                                 project_closed=project.closed)
    saved = await services.repository.save(diagram, ctx.meta(team_id=project.team_id))
    return str(diagram.id), saved.position


async def edit_diagram(services: Services, ctx: CommandContext, diagram_id: str,
                       edit: Callable[[DriverDiagram], Any]) -> int:
    async def work(diagram: DriverDiagram) -> int:
        authorize(ctx.principal, "diagram.edit", diagram.team_id)
        edit(diagram)
        return (await services.repository.save(diagram, ctx.meta(team_id=diagram.team_id))).position

    return await on(services, DriverDiagram, diagram_id, "diagramId", work)


async def add_driver(services: Services, ctx: CommandContext, diagram_id: str, kind: str, text: str,
                     parents: Sequence[str]) -> int:
    return await edit_diagram(services, ctx, diagram_id, lambda d: d.add(kind, text, parents))


async def link_change_idea_to_cycle(services: Services, ctx: CommandContext, diagram_id: str, node_id: str,
                                    cycle_id: str) -> int:
    cycle = await services.repository.load(cycle_id) if valid_uuid(cycle_id) else None
    if not isinstance(cycle, PdsaCycle):
        raise NotFound(f"No cycle has id {cycle_id}.", field="cycleId")
    return await edit_diagram(services, ctx, diagram_id, lambda d: d.tested_by(node_id, cycle_id, cycle.project_id))
