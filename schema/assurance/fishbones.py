"""Cause-and-effect (fishbone) diagrams in GraphQL: the effect, categories, causes and sub-causes as a tree,
links to findings, signals or projects, every edit an event, and `fishbone(id, asOf)`."""

from __future__ import annotations

from datetime import datetime
from enum import Enum
from typing import Any

import strawberry
from strawberry.types import Info

from domain.assurance.fishbone import Fishbone as FishboneAggregate
from schema.assurance.common import read_one, read_team, run, team_of, written
from schema.context import Context
from schema.errors import UserError
from schema.teams import Team
from service.commands.assurance import fishbones as commands
from service.reads.assurance import DocView


@strawberry.enum
class FishboneLinkKind(Enum):
    FINDING = "FINDING"
    SIGNAL = "SIGNAL"
    PROJECT = "PROJECT"


@strawberry.type(name="FishboneCause")
class Cause:
    id: strawberry.ID
    text: str
    sub_causes: list[Cause]


@strawberry.type
class FishboneCategory:
    name: str
    causes: list[Cause]


@strawberry.type
class FishboneLink:
    kind: FishboneLinkKind
    target_id: strawberry.ID


def _tree(causes: list[dict[str, Any]], parent: str | None) -> list[Cause]:
    return [Cause(id=strawberry.ID(c["id"]), text=c["text"], sub_causes=_tree(causes, c["id"]))
            for c in causes if c["parent_id"] == parent]


@strawberry.type
class Fishbone:
    id: strawberry.ID
    effect: str
    drawn_by: str
    edits: int = strawberry.field(description="Edits since it was drawn (each one an event).")
    links: list[FishboneLink]
    _view: strawberry.Private[DocView]

    @classmethod
    def from_view(cls, v: DocView) -> Fishbone:
        d = v.doc
        return cls(id=strawberry.ID(v.id), effect=d["effect"], drawn_by=d["drawn_by"], edits=d["edits"],
                   links=[FishboneLink(kind=FishboneLinkKind[x["kind"]], target_id=strawberry.ID(x["target_id"]))
                          for x in d["links"]], _view=v)

    @strawberry.field
    async def team(self, info: Info[Context, None]) -> Team:
        return await team_of(info.context, self._view.team_id)

    @strawberry.field(description="Each category with its causes, sub-causes nested.")
    def categories(self) -> list[FishboneCategory]:
        causes = self._view.doc["causes"]
        return [FishboneCategory(name=name, causes=_tree([c for c in causes if c["category"] == name], None))
                for name in self._view.doc["categories"]]


@strawberry.input
class DrawFishboneInput:
    team_id: strawberry.ID
    effect: str
    categories: list[str] | None = strawberry.field(
        default=None, description="Null: People, Methods, Equipment, Environment, Materials, Measurement.")
    link_kind: FishboneLinkKind | None = None
    link_id: strawberry.ID | None = None


@strawberry.input
class FishboneTextInput:
    diagram_id: strawberry.ID
    text: str


@strawberry.input
class AddCauseInput:
    diagram_id: strawberry.ID
    category: str
    text: str
    parent_cause_id: strawberry.ID | None = strawberry.field(default=None, description="Set for a sub-cause.")


@strawberry.input
class RewordCauseInput:
    diagram_id: strawberry.ID
    cause_id: strawberry.ID
    text: str


@strawberry.input
class RemoveCauseInput:
    diagram_id: strawberry.ID
    cause_id: strawberry.ID


@strawberry.input
class LinkFishboneInput:
    diagram_id: strawberry.ID
    kind: FishboneLinkKind
    target_id: strawberry.ID


@strawberry.type
class FishbonePayload:
    fishbone: Fishbone | None
    errors: list[UserError]


async def _answer(ctx: Context, diagram_id: str, command: Any) -> FishbonePayload:
    result, errors = await run(ctx, command)
    if errors:
        return FishbonePayload(fishbone=None, errors=errors)
    if isinstance(result, tuple) and not diagram_id:
        diagram_id = result[0]
    view = await written(ctx, "fishbones", diagram_id)
    return FishbonePayload(fishbone=Fishbone.from_view(view) if view else None, errors=[])


def _edit(ctx: Context, diagram_id: Any, change: Any) -> Any:
    return commands.edit(ctx.services, ctx.command(), str(diagram_id), change)


@strawberry.type
class FishboneQueries:
    @strawberry.field(description="asOf: the diagram as it stood then, rebuilt from its events.")
    async def fishbone(self, info: Info[Context, None], id: strawberry.ID,
                       as_of: datetime | None = None) -> Fishbone | None:
        view = await read_one(info.context, "fishbones", str(id), as_of)
        return Fishbone.from_view(view) if view else None

    @strawberry.field(description="The team's diagrams, the latest changed first.")
    async def fishbones(self, info: Info[Context, None], team_id: strawberry.ID) -> list[Fishbone]:
        return [Fishbone.from_view(v) for v in await read_team(info.context, "fishbones", str(team_id))]


@strawberry.type
class FishboneMutations:
    @strawberry.mutation(description="Draw a diagram; with linkKind and linkId, linked in the same save.")
    async def draw_fishbone(self, info: Info[Context, None], input: DrawFishboneInput) -> FishbonePayload:
        ctx = info.context
        link_to = (input.link_kind.value, str(input.link_id)) if input.link_kind and input.link_id else None
        return await _answer(ctx, "", commands.draw(ctx.services, ctx.command(), str(input.team_id), input.effect,
                                                    input.categories, link_to))

    @strawberry.mutation
    async def restate_fishbone_effect(self, info: Info[Context, None], input: FishboneTextInput) -> FishbonePayload:
        return await _answer(info.context, str(input.diagram_id), _edit(
            info.context, input.diagram_id, lambda d: FishboneAggregate.restate_effect(d, input.text)))

    @strawberry.mutation
    async def add_fishbone_category(self, info: Info[Context, None], input: FishboneTextInput) -> FishbonePayload:
        return await _answer(info.context, str(input.diagram_id), _edit(
            info.context, input.diagram_id, lambda d: FishboneAggregate.add_category(d, input.text)))

    @strawberry.mutation(description="A cause under a category, or a sub-cause under parentCauseId.")
    async def add_fishbone_cause(self, info: Info[Context, None], input: AddCauseInput) -> FishbonePayload:
        ctx = info.context
        return await _answer(ctx, str(input.diagram_id), commands.add_cause(
            ctx.services, ctx.command(), str(input.diagram_id), input.category, input.text,
            str(input.parent_cause_id) if input.parent_cause_id is not None else None))

    @strawberry.mutation
    async def reword_fishbone_cause(self, info: Info[Context, None], input: RewordCauseInput) -> FishbonePayload:
        return await _answer(info.context, str(input.diagram_id), _edit(
            info.context, input.diagram_id, lambda d: FishboneAggregate.reword_cause(d, str(input.cause_id),
                                                                                     input.text)))

    @strawberry.mutation(description="Remove a cause and its sub-causes (the diagram's history keeps them).")
    async def remove_fishbone_cause(self, info: Info[Context, None], input: RemoveCauseInput) -> FishbonePayload:
        return await _answer(info.context, str(input.diagram_id), _edit(
            info.context, input.diagram_id, lambda d: FishboneAggregate.remove_cause(d, str(input.cause_id))))

    @strawberry.mutation(description="Link to a finding (which must exist), a signal or an improvement project.")
    async def link_fishbone(self, info: Info[Context, None], input: LinkFishboneInput) -> FishbonePayload:
        ctx = info.context
        return await _answer(ctx, str(input.diagram_id), commands.link(
            ctx.services, ctx.command(), str(input.diagram_id), input.kind.value, str(input.target_id)))
