"""Idea sessions in GraphQL: ideas listed without judgement, then grouped and voted on to converge, and the
session closed with the change ideas to test."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import strawberry
from strawberry.types import Info

from domain.improvement.vocabulary import SessionPhase
from schema.context import Context
from schema.errors import UserError
from schema.improvement.common import answer, load_doc
from service.commands import tools as commands
from service.reads.improvement import DocView

strawberry.enum(SessionPhase, name="SessionPhase")


@strawberry.type
class Idea:
    id: strawberry.ID
    text: str
    listed_at: datetime
    votes: int = strawberry.field(description="none while the session is diverging: ideas are listed without "
                                              "judgement")
    chosen: bool


@strawberry.type
class IdeaGroup:
    id: strawberry.ID
    name: str
    idea_ids: list[strawberry.ID]


@strawberry.type
class IdeaSession:
    id: strawberry.ID
    prompt: str
    phase: SessionPhase
    team_id: strawberry.ID
    project_id: strawberry.ID | None
    reason: str | None = strawberry.field(description="why the chosen ideas were chosen")
    _view: strawberry.Private[DocView]

    @classmethod
    def of(cls, v: DocView) -> IdeaSession:
        d = v.doc
        return cls(id=strawberry.ID(v.id), prompt=d["prompt"], phase=SessionPhase(d["phase"]),
                   team_id=strawberry.ID(v.team_id),
                   project_id=strawberry.ID(d["project_id"]) if d["project_id"] else None, reason=d["reason"],
                   _view=v)

    @strawberry.field(description="In the order listed (most votes first once converging).")
    def ideas(self) -> list[Idea]:
        d = self._view.doc
        ideas = [Idea(id=strawberry.ID(i["id"]), text=i["text"], listed_at=datetime.fromisoformat(i["at"]),
                      votes=len(i["voters"]), chosen=i["id"] in d["chosen"]) for i in d["ideas"]]
        return ideas if d["phase"] == "DIVERGE" else sorted(ideas, key=lambda i: -i.votes)

    @strawberry.field
    def groups(self) -> list[IdeaGroup]:
        return [IdeaGroup(id=strawberry.ID(g["id"]), name=g["name"], idea_ids=[strawberry.ID(i) for i in g["ideas"]])
                for g in self._view.doc["groups"]]

    @strawberry.field(description="The change ideas the session converged on.")
    def change_ideas(self) -> list[str]:
        d = self._view.doc
        return [i["text"] for i in d["ideas"] if i["id"] in d["chosen"]]


@strawberry.input
class OpenIdeaSessionInput:
    team_id: strawberry.ID
    prompt: str
    project_id: strawberry.ID | None = None


@strawberry.input
class ListIdeaInput:
    session_id: strawberry.ID
    text: str


@strawberry.input
class IdeaSessionIdInput:
    session_id: strawberry.ID


@strawberry.input
class GroupIdeasInput:
    session_id: strawberry.ID
    name: str
    idea_ids: list[strawberry.ID]


@strawberry.input
class VoteForIdeaInput:
    session_id: strawberry.ID
    idea_id: strawberry.ID


@strawberry.input
class CloseIdeaSessionInput:
    session_id: strawberry.ID
    chosen_idea_ids: list[strawberry.ID]
    reason: str


@strawberry.type
class IdeaSessionPayload:
    session: IdeaSession | None
    errors: list[UserError]


async def _answer(ctx: Context, run: Any, session_id: str = "") -> IdeaSessionPayload:
    found, errors = await answer(ctx, run, session_id)
    view = await load_doc(ctx, found, "session") if found else None
    return IdeaSessionPayload(session=IdeaSession.of(view) if view else None, errors=errors)


def _run(ctx: Context, session_id: str, edit: Any) -> Any:
    return commands.run_idea_session(ctx.services, ctx.command(), session_id, edit)


@strawberry.type
class IdeaQueries:
    @strawberry.field
    async def idea_session(self, info: Info[Context, None], id: strawberry.ID) -> IdeaSession | None:
        view = await load_doc(info.context, str(id), "session")
        return IdeaSession.of(view) if view else None


@strawberry.type
class IdeaMutations:
    @strawberry.mutation
    async def open_idea_session(self, info: Info[Context, None], input: OpenIdeaSessionInput) -> IdeaSessionPayload:
        ctx = info.context
        return await _answer(ctx, commands.open_idea_session(
            ctx.services, ctx.command(), str(input.team_id), str(input.project_id) if input.project_id else None,
            input.prompt))

    @strawberry.mutation(description="List an idea, without judgement (while the session diverges).")
    async def list_idea(self, info: Info[Context, None], input: ListIdeaInput) -> IdeaSessionPayload:
        ctx, sid = info.context, str(input.session_id)
        return await _answer(ctx, commands.list_idea(ctx.services, ctx.command(), sid, input.text), sid)

    @strawberry.mutation(description="Stop listing: group and vote from now on.")
    async def converge_idea_session(self, info: Info[Context, None],
                                    input: IdeaSessionIdInput) -> IdeaSessionPayload:
        ctx, sid = info.context, str(input.session_id)
        return await _answer(ctx, _run(ctx, sid, lambda s: s.converge()), sid)

    @strawberry.mutation
    async def group_ideas(self, info: Info[Context, None], input: GroupIdeasInput) -> IdeaSessionPayload:
        ctx, sid = info.context, str(input.session_id)
        return await _answer(ctx, _run(ctx, sid, lambda s: s.group(input.name, [str(i) for i in input.idea_ids])),
                             sid)

    @strawberry.mutation(description="One vote per person per idea, while converging.")
    async def vote_for_idea(self, info: Info[Context, None], input: VoteForIdeaInput) -> IdeaSessionPayload:
        ctx, sid = info.context, str(input.session_id)
        return await _answer(ctx, commands.vote_for_idea(ctx.services, ctx.command(), sid, str(input.idea_id)), sid)

    @strawberry.mutation(description="Close the session with the change ideas to test, and why.")
    async def close_idea_session(self, info: Info[Context, None], input: CloseIdeaSessionInput) -> IdeaSessionPayload:
        ctx, sid = info.context, str(input.session_id)
        return await _answer(ctx, _run(ctx, sid, lambda s: s.close([str(i) for i in input.chosen_idea_ids],
                                                                  input.reason)), sid)
