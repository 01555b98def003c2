"""Process flow charts in GraphQL: steps, decisions and connections, as the current state or the future state
(which may start as a copy of a current state); every edit a mutation and an event; `flowchart(id, asOf)`."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import strawberry
from strawberry.types import Info

from domain.improvement.vocabulary import FlowchartState, StepKind
from schema.context import Context
from schema.errors import UserError
from schema.improvement.common import answer, load_doc
from service.commands import tools as commands
from service.reads import improvement as reads
from service.reads.improvement import DocView

strawberry.enum(FlowchartState, name="FlowchartState")
strawberry.enum(StepKind, name="StepKind")


@strawberry.type
class FlowStep:
    id: strawberry.ID
    kind: StepKind
    label: str


@strawberry.type
class FlowConnection:
    from_step_id: strawberry.ID
    to_step_id: strawberry.ID
    label: str | None = strawberry.field(description="a decision's branch (yes, no, ...)")


@strawberry.type
class FlowEdit:
    edit: str
    by: str
    at: datetime


@strawberry.type
class Flowchart:
    id: strawberry.ID
    title: str
    state: FlowchartState
    team_id: strawberry.ID
    project_id: strawberry.ID | None
    based_on_id: strawberry.ID | None = strawberry.field(description="the current state a future state began from")
    _view: strawberry.Private[DocView]

    @classmethod
    def of(cls, v: DocView) -> Flowchart:
        d = v.doc
        return cls(id=strawberry.ID(v.id), title=d["title"], state=FlowchartState(d["state"]),
                   team_id=strawberry.ID(v.team_id),
                   project_id=strawberry.ID(d["project_id"]) if d["project_id"] else None,
                   based_on_id=strawberry.ID(d["based_on"]) if d["based_on"] else None, _view=v)

    @strawberry.field
    def steps(self) -> list[FlowStep]:
        return [FlowStep(id=strawberry.ID(s["id"]), kind=StepKind(s["kind"]), label=s["label"])
                for s in self._view.doc["steps"]]

    @strawberry.field
    def connections(self) -> list[FlowConnection]:
        return [FlowConnection(from_step_id=strawberry.ID(c["from"]), to_step_id=strawberry.ID(c["to"]),
                               label=c["label"]) for c in self._view.doc["connections"]]

    @strawberry.field(description="Every edit, oldest first.")
    def edits(self) -> list[FlowEdit]:
        return [FlowEdit(edit=e["edit"], by=e["by"], at=datetime.fromisoformat(e["at"]))
                for e in self._view.doc["edits"]]


@strawberry.input
class DrawFlowchartInput:
    team_id: strawberry.ID
    title: str
    state: FlowchartState
    project_id: strawberry.ID | None = None
    based_on_id: strawberry.ID | None = strawberry.field(default=None, description="a current state to copy")


@strawberry.input
class AddFlowStepInput:
    flowchart_id: strawberry.ID
    kind: StepKind
    label: str


@strawberry.input
class RelabelFlowStepInput:
    flowchart_id: strawberry.ID
    step_id: strawberry.ID
    label: str


@strawberry.input
class FlowStepInput:
    flowchart_id: strawberry.ID
    step_id: strawberry.ID


@strawberry.input
class ConnectFlowStepsInput:
    flowchart_id: strawberry.ID
    from_step_id: strawberry.ID
    to_step_id: strawberry.ID
    label: str | None = None


@strawberry.type
class FlowchartPayload:
    flowchart: Flowchart | None
    errors: list[UserError]


async def _answer(ctx: Context, run: Any, flowchart_id: str = "") -> FlowchartPayload:
    found, errors = await answer(ctx, run, flowchart_id)
    view = await load_doc(ctx, found, "flowchart") if found else None
    return FlowchartPayload(flowchart=Flowchart.of(view) if view else None, errors=errors)


def _edit(ctx: Context, flowchart_id: str, edit: Any) -> Any:
    return commands.edit_flowchart(ctx.services, ctx.command(), flowchart_id, edit)


@strawberry.type
class FlowchartQueries:
    @strawberry.field(description="asOf: the chart as it stood then, rebuilt from its edits.")
    async def flowchart(self, info: Info[Context, None], id: strawberry.ID,
                        as_of: datetime | None = None) -> Flowchart | None:
        ctx = info.context
        if as_of is None:
            view = await load_doc(ctx, str(id), "flowchart")
        else:
            ctx.uncacheable()
            view = await reads.readable_as_of(ctx.services, ctx.principal, str(id), as_of, "flowchart")
        return Flowchart.of(view) if view else None


@strawberry.type
class FlowchartMutations:
    @strawberry.mutation
    async def draw_flowchart(self, info: Info[Context, None], input: DrawFlowchartInput) -> FlowchartPayload:
        ctx = info.context
        return await _answer(ctx, commands.draw_flowchart(
            ctx.services, ctx.command(), str(input.team_id), str(input.project_id) if input.project_id else None,
            input.title, input.state.value, str(input.based_on_id) if input.based_on_id else None))

    @strawberry.mutation
    async def add_flow_step(self, info: Info[Context, None], input: AddFlowStepInput) -> FlowchartPayload:
        ctx, fid = info.context, str(input.flowchart_id)
        return await _answer(ctx, _edit(ctx, fid, lambda f: f.add_step(input.kind.value, input.label)), fid)

    @strawberry.mutation
    async def relabel_flow_step(self, info: Info[Context, None], input: RelabelFlowStepInput) -> FlowchartPayload:
        ctx, fid = info.context, str(input.flowchart_id)
        return await _answer(ctx, _edit(ctx, fid, lambda f: f.relabel(str(input.step_id), input.label)), fid)

    @strawberry.mutation(description="Remove a step and its connections.")
    async def remove_flow_step(self, info: Info[Context, None], input: FlowStepInput) -> FlowchartPayload:
        ctx, fid = info.context, str(input.flowchart_id)
        return await _answer(ctx, _edit(ctx, fid, lambda f: f.remove_step(str(input.step_id))), fid)

    @strawberry.mutation
    async def connect_flow_steps(self, info: Info[Context, None], input: ConnectFlowStepsInput) -> FlowchartPayload:
        ctx, fid = info.context, str(input.flowchart_id)
        return await _answer(ctx, _edit(ctx, fid, lambda f: f.connect(str(input.from_step_id), str(input.to_step_id),
                                                                      input.label)), fid)

    @strawberry.mutation
    async def disconnect_flow_steps(self, info: Info[Context, None],
                                    input: ConnectFlowStepsInput) -> FlowchartPayload:
        ctx, fid = info.context, str(input.flowchart_id)
        return await _answer(ctx, _edit(ctx, fid, lambda f: f.disconnect(str(input.from_step_id),
                                                                         str(input.to_step_id))), fid)
