"""Improvement projects in GraphQL: the contract's Project, `project(id, asOf)`, createProject, and the rest of
the charter (problem, scope, target, measures with their roles, sponsor, team, the model for improvement, stages,
closure). Its PDSA cycles are in cycles.py."""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING, Annotated, Any

import strawberry
from strawberry.types import Info

from domain.improvement.project import Charter
from domain.improvement.vocabulary import MeasureRole, PdsaDecision, PdsaStage, ProjectRole, ProjectStage
from schema.actions import Action
from schema.context import Context
from schema.errors import UserError
from schema.huddles import actions_for
from schema.improvement.common import answer, chart_points, load_doc, project_docs, readable_measures
from schema.improvement.cycles import PdsaCycle
from schema.loaders import request_today
from schema.measures import Measure
from schema.teams import Team, load_team
from service.commands import improvement as commands
from service.reads import improvement as reads
from service.reads.improvement import DocView

if TYPE_CHECKING:
    from schema.improvement.diagrams import DriverDiagram
    from schema.improvement.flowcharts import Flowchart
    from schema.improvement.ideas import IdeaSession
    from schema.improvement.pareto import ParetoChart

LazyDiagram = Annotated["DriverDiagram", strawberry.lazy("schema.improvement.diagrams")]
LazyPareto = Annotated["ParetoChart", strawberry.lazy("schema.improvement.pareto")]
LazyFlowchart = Annotated["Flowchart", strawberry.lazy("schema.improvement.flowcharts")]
LazySession = Annotated["IdeaSession", strawberry.lazy("schema.improvement.ideas")]

for _enum in (PdsaStage, PdsaDecision, ProjectStage, MeasureRole, ProjectRole):
    strawberry.enum(_enum, name=_enum.__name__)  # the domain's vocabulary, exposed


def _day(value: str | None) -> date | None:
    return date.fromisoformat(value) if value else None


@strawberry.type
class ProjectMeasure:
    role: MeasureRole
    measure_id: strawberry.Private[str]

    @strawberry.field
    async def measure(self, info: Info[Context, None]) -> Measure | None:
        found = await readable_measures(info.context, [self.measure_id])
        return found[0] if found else None


@strawberry.type(description="Whether an outcome measure moved as special-cause improvement once the cycles began.")
class OutcomeChange:
    measure: Measure
    cycles_began: date | None = strawberry.field(description="the earliest cycle's start period")
    improved: bool = strawberry.field(description="a point at or after cyclesBegan is special-cause improvement")
    first_improvement: date | None
    improvement_points: int


@strawberry.type
class ProjectMember:
    subject: str
    name: str
    role: ProjectRole
    joined_at: datetime


@strawberry.type(description="The model for improvement's three questions, answered.")
class ModelForImprovement:
    accomplish: str = strawberry.field(description="What are we trying to accomplish?")
    know: str = strawberry.field(description="How will we know that a change is an improvement?")
    changes: list[str] = strawberry.field(description="What changes can we make that will result in improvement?")


@strawberry.type
class StageMove:
    stage: ProjectStage
    reason: str | None
    by: str
    at: datetime


@strawberry.type
class CharterRevision:
    reason: str
    parts: list[str]
    by: str
    at: datetime


@strawberry.type
class Project:
    id: strawberry.ID
    title: str
    aim: str
    planned_end: date
    problem: str | None
    scope: str | None
    target: str | None = strawberry.field(description="the aim's measurable target")
    target_date: date | None
    sponsor: str | None
    stage: ProjectStage
    closed: bool
    closed_on: date | None
    summary: str | None
    lessons_learned: list[str]
    opportunity_id: strawberry.ID | None
    created_by: str
    created_at: datetime
    _view: strawberry.Private[DocView]
    _cycles: strawberry.Private[list[DocView] | None] = None   # as they stood (asOf); None: the read model's

    @classmethod
    def of(cls, v: DocView, cycles: list[DocView] | None = None) -> Project:
        d = v.doc
        return cls(id=strawberry.ID(v.id), title=d["title"], aim=d["aim"],
                   planned_end=date.fromisoformat(d["planned_end"]), problem=d["problem"], scope=d["scope"],
                   target=d["target"], target_date=_day(d["target_date"]), sponsor=d["sponsor"],
                   stage=ProjectStage(d["stage"]), closed=d["closed"], closed_on=_day(d["closed_on"]),
                   summary=d["summary"], lessons_learned=d["lessons"],
                   opportunity_id=strawberry.ID(d["opportunity_id"]) if d["opportunity_id"] else None,
                   created_by=d["created_by"], created_at=datetime.fromisoformat(d["created_at"]), _view=v,
                   _cycles=cycles)

    @strawberry.field
    async def team(self, info: Info[Context, None]) -> Team:
        team_id = self._view.team_id
        return await load_team(info.context, team_id) or Team(id=strawberry.ID(team_id), name="")

    @strawberry.field(description="The linked measures the caller may read.")
    async def measures(self, info: Info[Context, None]) -> list[Measure]:
        return await readable_measures(info.context, [m["measure_id"] for m in self._view.doc["measures"]])

    @strawberry.field(description="Each linked measure with its role: outcome, process or balancing.")
    def measure_links(self) -> list[ProjectMeasure]:
        return [ProjectMeasure(role=MeasureRole(m["role"]), measure_id=m["measure_id"])
                for m in self._view.doc["measures"]]

    async def _cycle_views(self, ctx: Context) -> list[DocView]:
        if self._cycles is not None:
            return self._cycles
        return await project_docs(ctx, self._view.id, "cycle")

    @strawberry.field(description="Oldest first.")
    async def cycles(self, info: Info[Context, None]) -> list[PdsaCycle]:
        views = await self._cycle_views(info.context)
        by_id = {v.id: v for v in views} if self._cycles is not None else None
        return [PdsaCycle.of(v, by_id) for v in views]

    @strawberry.field(description="The project's driver diagrams (as they stand now).")
    async def driver_diagrams(self, info: Info[Context, None]) -> list[LazyDiagram]:
        from schema.improvement.diagrams import DriverDiagram  # the two types refer to each other

        return [DriverDiagram.of(v) for v in await project_docs(info.context, self._view.id, "diagram")]

    @strawberry.field
    async def pareto_charts(self, info: Info[Context, None]) -> list[LazyPareto]:
        from schema.improvement.pareto import ParetoChart

        return [ParetoChart.of(v) for v in await project_docs(info.context, self._view.id, "pareto")]

    @strawberry.field(description="Its process maps, current and future state.")
    async def flowcharts(self, info: Info[Context, None]) -> list[LazyFlowchart]:
        from schema.improvement.flowcharts import Flowchart

        return [Flowchart.of(v) for v in await project_docs(info.context, self._view.id, "flowchart")]

    @strawberry.field
    async def idea_sessions(self, info: Info[Context, None]) -> list[LazySession]:
        from schema.improvement.ideas import IdeaSession

        return [IdeaSession.of(v) for v in await project_docs(info.context, self._view.id, "session")]

    @strawberry.field(description="The actions raised from the project or from any of its cycles, by due date.")
    async def actions(self, info: Info[Context, None]) -> list[Action]:
        cycles = [v.id for v in await self._cycle_views(info.context)]
        return await actions_for(info.context, [self._view.id, *cycles])

    @strawberry.field
    def members(self) -> list[ProjectMember]:
        return [ProjectMember(subject=m["subject"], name=m["name"], role=ProjectRole(m["role"]),
                              joined_at=datetime.fromisoformat(m["at"])) for m in self._view.doc["members"]]

    @strawberry.field
    def model_for_improvement(self) -> ModelForImprovement | None:
        m = self._view.doc["model"]
        return ModelForImprovement(accomplish=m["accomplish"], know=m["know"], changes=m["changes"]) if m else None

    @strawberry.field(description="The stages the project has been at, oldest first.")
    def stages(self) -> list[StageMove]:
        return [StageMove(stage=ProjectStage(s["stage"]), reason=s["reason"], by=s["by"],
                          at=datetime.fromisoformat(s["at"])) for s in self._view.doc["stages"]]

    @strawberry.field
    def revisions(self) -> list[CharterRevision]:
        return [CharterRevision(reason=r["reason"], parts=r["parts"], by=r["by"], at=datetime.fromisoformat(r["at"]))
                for r in self._view.doc["revisions"]]

    @strawberry.field(description="Open and past its planned end (in the service's time zone): improvement runs in "
                                  "short bursts.")
    def overrun(self, info: Info[Context, None]) -> bool:
        return not self.closed and request_today(info.context) > self.planned_end

    @strawberry.field(description="Each outcome measure: did it move as special-cause improvement after the cycles "
                                  "began?")
    async def outcome(self, info: Info[Context, None]) -> list[OutcomeChange]:
        ctx = info.context
        starts = [date.fromisoformat(v.doc["start_period"]) for v in await self._cycle_views(ctx)]
        began = min(starts, default=None)
        ids = [m["measure_id"] for m in self._view.doc["measures"] if m["role"] == "OUTCOME"]
        out = []
        for m in await readable_measures(ctx, ids):
            better = [period for period, variation, _ in await chart_points(ctx, str(m.id))
                      if began is not None and period >= began and variation == "IMPROVEMENT"]
            out.append(OutcomeChange(measure=m, cycles_began=began, improved=bool(better),
                                     first_improvement=better[0] if better else None, improvement_points=len(better)))
        return out


async def team_projects(ctx: Context, team_id: str) -> list[Project]:
    if not ctx.can("improvement.read", team_id):
        return []
    views = await reads.documents_of_team(ctx.services.pool, team_id, "project")
    ctx.depend(f"imp_team:{team_id}", max((v.position or 0 for v in views), default=None))
    return [Project.of(v) for v in views]


# -- inputs and payloads ----------------------------------------------------------------------------------
@strawberry.input
class CreateProjectInput:
    team_id: strawberry.ID
    title: str
    aim: str
    measure_ids: list[strawberry.ID]
    planned_end: date


@strawberry.input(description="Replace parts of the charter, with the reason; a part left out stays as it is.")
class ReviseCharterInput:
    project_id: strawberry.ID
    reason: str
    title: str | None = None
    problem: str | None = None
    aim: str | None = None
    target: str | None = None
    target_date: date | None = None
    scope: str | None = None
    planned_end: date | None = None


@strawberry.input
class ProjectMeasureInput:
    measure_id: strawberry.ID
    role: MeasureRole


@strawberry.input(description="Replace the project's measures: outcome, process and balancing.")
class LinkProjectMeasuresInput:
    project_id: strawberry.ID
    measures: list[ProjectMeasureInput]
    reason: str


@strawberry.input
class ProjectIdInput:
    project_id: strawberry.ID


@strawberry.input
class AddProjectMemberInput:
    project_id: strawberry.ID
    subject: str
    name: str
    role: ProjectRole


@strawberry.input
class ModelForImprovementInput:
    project_id: strawberry.ID
    accomplish: str
    know: str
    changes: list[str]


@strawberry.input
class MoveProjectStageInput:
    project_id: strawberry.ID
    stage: ProjectStage
    reason: str


@strawberry.input
class CloseProjectInput:
    project_id: strawberry.ID
    summary: str
    lessons_learned: list[str]


@strawberry.type
class ProjectPayload:
    project: Project | None
    errors: list[UserError]


async def project_answer(ctx: Context, run: Any, project_id: str = "") -> ProjectPayload:
    found, errors = await answer(ctx, run, project_id)
    view = await load_doc(ctx, found, "project") if found else None
    return ProjectPayload(project=Project.of(view) if view else None, errors=errors)


@strawberry.type
class ProjectQueries:
    @strawberry.field(description="asOf: the project and its cycles as they stood then, rebuilt from the events.")
    async def project(self, info: Info[Context, None], id: strawberry.ID,
                      as_of: datetime | None = None) -> Project | None:
        ctx = info.context
        if as_of is None:
            view = await load_doc(ctx, str(id), "project")
            return Project.of(view) if view else None
        ctx.uncacheable()  # an instant not yet past may still gain events
        past = await reads.readable_as_of(ctx.services, ctx.principal, str(id), as_of, "project")
        if past is None:
            return None
        cycles = [v for v in await reads.project_documents_as_of(ctx.services, str(id), as_of) if v.kind == "cycle"]
        return Project.of(past, sorted(cycles, key=lambda v: v.doc["created_at"]))

    @strawberry.field(description="The team's projects, newest first.")
    async def projects(self, info: Info[Context, None], team_id: strawberry.ID) -> list[Project]:
        return await team_projects(info.context, str(team_id))


@strawberry.type
class ProjectMutations:
    @strawberry.mutation
    async def create_project(self, info: Info[Context, None], input: CreateProjectInput) -> ProjectPayload:
        ctx = info.context
        return await project_answer(ctx, commands.create_project(
            ctx.services, ctx.command(), str(input.team_id), input.title, input.aim,
            [str(m) for m in input.measure_ids], input.planned_end))

    @strawberry.mutation
    async def revise_project_charter(self, info: Info[Context, None], input: ReviseCharterInput) -> ProjectPayload:
        ctx = info.context
        charter = Charter(reason=input.reason, title=input.title, problem=input.problem, aim=input.aim,
                          target=input.target, target_date=input.target_date, scope=input.scope,
                          planned_end=input.planned_end)
        return await project_answer(ctx, commands.revise_charter(ctx.services, ctx.command(), str(input.project_id),
                                                                 charter), str(input.project_id))

    @strawberry.mutation
    async def link_project_measures(self, info: Info[Context, None],
                                    input: LinkProjectMeasuresInput) -> ProjectPayload:
        ctx = info.context
        links = [(str(m.measure_id), m.role.value) for m in input.measures]
        return await project_answer(ctx, commands.link_project_measures(
            ctx.services, ctx.command(), str(input.project_id), links, input.reason), str(input.project_id))

    @strawberry.mutation(description="A senior leader sponsors the project.")
    async def sponsor_project(self, info: Info[Context, None], input: ProjectIdInput) -> ProjectPayload:
        ctx = info.context
        return await project_answer(ctx, commands.sponsor_project(ctx.services, ctx.command(), str(input.project_id)),
                                    str(input.project_id))

    @strawberry.mutation(description="Add a person to the project's team: staff, service users and carers.")
    async def add_project_member(self, info: Info[Context, None], input: AddProjectMemberInput) -> ProjectPayload:
        ctx = info.context
        return await project_answer(ctx, commands.add_project_member(
            ctx.services, ctx.command(), str(input.project_id), input.subject, input.name, input.role.value),
            str(input.project_id))

    @strawberry.mutation
    async def state_model_for_improvement(self, info: Info[Context, None],
                                          input: ModelForImprovementInput) -> ProjectPayload:
        ctx = info.context
        return await project_answer(ctx, commands.state_model_for_improvement(
            ctx.services, ctx.command(), str(input.project_id), input.accomplish, input.know, input.changes),
            str(input.project_id))

    @strawberry.mutation
    async def move_project_stage(self, info: Info[Context, None], input: MoveProjectStageInput) -> ProjectPayload:
        ctx = info.context
        return await project_answer(ctx, commands.move_project_stage(
            ctx.services, ctx.command(), str(input.project_id), input.stage.value, input.reason),
            str(input.project_id))

    @strawberry.mutation(description="Close the project with what it learned; its cycles then stand as they are.")
    async def close_project(self, info: Info[Context, None], input: CloseProjectInput) -> ProjectPayload:
        ctx = info.context
        return await project_answer(ctx, commands.close_project(
            ctx.services, ctx.command(), str(input.project_id), input.summary, input.lessons_learned),
            str(input.project_id))
