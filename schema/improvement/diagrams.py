"""Driver diagrams in GraphQL: the graph (aim, primary and secondary drivers, change ideas), `driverDiagram(id,
asOf)`, every edit as a mutation, and each change idea's PDSA cycles."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import strawberry
from strawberry.types import Info

from domain.improvement.vocabulary import DriverKind
from schema.context import Context
from schema.errors import UserError
from schema.improvement.common import answer, load_doc
from schema.improvement.cycles import PdsaCycle
from service.commands import diagrams as commands
from service.reads import improvement as reads
from service.reads.improvement import DocView

strawberry.enum(DriverKind, name="DriverKind")


@strawberry.type(description="A node of the diagram: the aim, a primary or secondary driver, or a change idea.")
class DriverNode:
    id: strawberry.ID
    kind: DriverKind
    text: str
    parent_ids: list[strawberry.ID] = strawberry.field(description="the nodes one level up it hangs from")
    cycle_ids: strawberry.Private[list[str]]

    @strawberry.field(description="The PDSA cycles that test it (a change idea's).")
    async def cycles(self, info: Info[Context, None]) -> list[PdsaCycle]:
        out = []
        for cycle_id in self.cycle_ids:
            view = await load_doc(info.context, cycle_id, "cycle")
            if view is not None:
                out.append(PdsaCycle.of(view))
        return out


@strawberry.type(description="One edit of the diagram: what, to which node, by whom and when.")
class DiagramEdit:
    edit: str
    node_id: strawberry.ID
    by: str
    at: datetime


@strawberry.type
class DriverDiagram:
    id: strawberry.ID
    project_id: strawberry.ID
    aim: str
    _view: strawberry.Private[DocView]

    @classmethod
    def of(cls, v: DocView) -> DriverDiagram:
        aim = next(n["text"] for n in v.doc["nodes"] if n["kind"] == "AIM")
        return cls(id=strawberry.ID(v.id), project_id=strawberry.ID(v.doc["project_id"]), aim=aim, _view=v)

    def _of_kind(self, kind: str | None) -> list[DriverNode]:
        return [DriverNode(id=strawberry.ID(n["id"]), kind=DriverKind(n["kind"]), text=n["text"],
                           parent_ids=[strawberry.ID(p) for p in n["parents"]], cycle_ids=n["cycles"])
                for n in self._view.doc["nodes"] if kind is None or n["kind"] == kind]

    @strawberry.field(description="Every node, in the order added.")
    def nodes(self) -> list[DriverNode]:
        return self._of_kind(None)

    @strawberry.field
    def primary_drivers(self) -> list[DriverNode]:
        return self._of_kind("PRIMARY")

    @strawberry.field
    def secondary_drivers(self) -> list[DriverNode]:
        return self._of_kind("SECONDARY")

    @strawberry.field
    def change_ideas(self) -> list[DriverNode]:
        return self._of_kind("CHANGE_IDEA")

    @strawberry.field(description="Every edit, oldest first.")
    def edits(self) -> list[DiagramEdit]:
        return [DiagramEdit(edit=e["edit"], node_id=strawberry.ID(e["node_id"]), by=e["by"],
                            at=datetime.fromisoformat(e["at"])) for e in self._view.doc["edits"]]


@strawberry.input
class DrawDriverDiagramInput:
    project_id: strawberry.ID
    aim: str


@strawberry.input
class AddDriverInput:
    diagram_id: strawberry.ID
    kind: DriverKind
    text: str
    parent_ids: list[strawberry.ID]


@strawberry.input
class RewordDriverInput:
    diagram_id: strawberry.ID
    node_id: strawberry.ID
    text: str


@strawberry.input
class DriverLinkInput:
    diagram_id: strawberry.ID
    node_id: strawberry.ID
    parent_id: strawberry.ID


@strawberry.input
class DriverNodeInput:
    diagram_id: strawberry.ID
    node_id: strawberry.ID


@strawberry.input
class ChangeIdeaCycleInput:
    diagram_id: strawberry.ID
    node_id: strawberry.ID
    cycle_id: strawberry.ID


@strawberry.type
class DriverDiagramPayload:
    diagram: DriverDiagram | None
    errors: list[UserError]


async def _answer(ctx: Context, run: Any, diagram_id: str = "") -> DriverDiagramPayload:
    found, errors = await answer(ctx, run, diagram_id)
    view = await load_doc(ctx, found, "diagram") if found else None
    return DriverDiagramPayload(diagram=DriverDiagram.of(view) if view else None, errors=errors)


@strawberry.type
class DiagramQueries:
    @strawberry.field(description="asOf: the diagram as it stood then, rebuilt from its edits.")
    async def driver_diagram(self, info: Info[Context, None], id: strawberry.ID,
                             as_of: datetime | None = None) -> DriverDiagram | None:
        ctx = info.context
        if as_of is None:
            view = await load_doc(ctx, str(id), "diagram")
            return DriverDiagram.of(view) if view else None
        ctx.uncacheable()
        past = await reads.readable_as_of(ctx.services, ctx.principal, str(id), as_of, "diagram")
        return DriverDiagram.of(past) if past else None


@strawberry.type
class DiagramMutations:
    @strawberry.mutation(description="Draw a driver diagram for a project, from its aim.")
    async def draw_driver_diagram(self, info: Info[Context, None],
                                  input: DrawDriverDiagramInput) -> DriverDiagramPayload:
        ctx = info.context
        return await _answer(ctx, commands.draw_driver_diagram(ctx.services, ctx.command(), str(input.project_id),
                                                               input.aim))

    @strawberry.mutation(description="Add a primary or secondary driver, or a change idea, under its parents.")
    async def add_driver(self, info: Info[Context, None], input: AddDriverInput) -> DriverDiagramPayload:
        ctx, did = info.context, str(input.diagram_id)
        return await _answer(ctx, commands.add_driver(ctx.services, ctx.command(), did, input.kind.value, input.text,
                                                      [str(p) for p in input.parent_ids]), did)

    @strawberry.mutation
    async def reword_driver(self, info: Info[Context, None], input: RewordDriverInput) -> DriverDiagramPayload:
        ctx, did = info.context, str(input.diagram_id)
        return await _answer(ctx, commands.edit_diagram(ctx.services, ctx.command(), did,
                                                        lambda d: d.reword(str(input.node_id), input.text)), did)

    @strawberry.mutation(description="Hang a node from one more parent.")
    async def link_drivers(self, info: Info[Context, None], input: DriverLinkInput) -> DriverDiagramPayload:
        ctx, did = info.context, str(input.diagram_id)
        return await _answer(ctx, commands.edit_diagram(
            ctx.services, ctx.command(), did, lambda d: d.link(str(input.node_id), str(input.parent_id))), did)

    @strawberry.mutation
    async def unlink_drivers(self, info: Info[Context, None], input: DriverLinkInput) -> DriverDiagramPayload:
        ctx, did = info.context, str(input.diagram_id)
        return await _answer(ctx, commands.edit_diagram(
            ctx.services, ctx.command(), did, lambda d: d.unlink(str(input.node_id), str(input.parent_id))), did)

    @strawberry.mutation(description="Remove a node nothing hangs from.")
    async def remove_driver(self, info: Info[Context, None], input: DriverNodeInput) -> DriverDiagramPayload:
        ctx, did = info.context, str(input.diagram_id)
        return await _answer(ctx, commands.edit_diagram(ctx.services, ctx.command(), did,
                                                        lambda d: d.remove(str(input.node_id))), did)

    @strawberry.mutation(description="Link a change idea to a PDSA cycle of the project that tests it.")
    async def link_change_idea_to_cycle(self, info: Info[Context, None],
                                        input: ChangeIdeaCycleInput) -> DriverDiagramPayload:
        ctx, did = info.context, str(input.diagram_id)
        return await _answer(ctx, commands.link_change_idea_to_cycle(ctx.services, ctx.command(), did,
                                                                     str(input.node_id), str(input.cycle_id)), did)
