"""PDSA cycles in GraphQL: the contract's PdsaCycle, planCycle and recordCycleDo/Study/Act, the plan's detail, and
the cycle's linked measures' data over its periods."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import strawberry
from strawberry.types import Info

from domain.improvement.cycle import CyclePlan
from domain.improvement.vocabulary import PdsaDecision, PdsaStage
from schema.actions import Action
from schema.context import Context
from schema.errors import UserError
from schema.huddles import actions_for
from schema.improvement.common import answer, chart_points, load_doc, readable_measures
from schema.measures import Measure
from schema.spc import SpcPoint
from service.commands import improvement as commands
from service.reads.improvement import DocView


@strawberry.type(description="A stage of a cycle as recorded: what was written, by whom and when.")
class CycleStep:
    text: str | None
    by: str
    at: datetime


@strawberry.type(description="A linked measure's chart points over the cycle's periods: from its start period to "
                             "the study (or to now, before the study).")
class CycleMeasureData:
    measure: Measure
    points: list[SpcPoint]


@strawberry.type
class PdsaCycle:
    id: strawberry.ID
    change_idea: str
    stage: PdsaStage = strawberry.field(description="the last stage recorded")
    start_period: date
    decision: PdsaDecision | None
    question: str
    prediction: str
    who: str | None
    what: str | None
    when: str | None
    data_to_collect: str | None
    _doc: strawberry.Private[dict[str, Any]]
    _as_of: strawberry.Private[dict[str, DocView] | None] = None   # the project's cycles as they stood (asOf)

    @classmethod
    def of(cls, v: DocView, as_of: dict[str, DocView] | None = None) -> PdsaCycle:
        d = v.doc
        return cls(id=strawberry.ID(v.id), change_idea=d["change_idea"], stage=PdsaStage(d["stage"]),
                   start_period=date.fromisoformat(d["start_period"]),
                   decision=PdsaDecision(d["decision"]) if d["decision"] else None, question=d["question"],
                   prediction=d["prediction"], who=d["who"], what=d["what"], when=d["when"],
                   data_to_collect=d["data"], _doc=d, _as_of=as_of)

    @strawberry.field(description="The cycle before, which this one builds on.")
    async def previous(self, info: Info[Context, None]) -> PdsaCycle | None:
        previous_id = self._doc["previous_cycle_id"]
        if previous_id is None:
            return None
        if self._as_of is not None:
            found = self._as_of.get(previous_id)
            return PdsaCycle.of(found, self._as_of) if found else None
        view = await load_doc(info.context, previous_id, "cycle")
        return PdsaCycle.of(view) if view else None

    def _step(self, name: str) -> CycleStep | None:
        s = self._doc[name]
        return CycleStep(text=s["text"], by=s["by"], at=datetime.fromisoformat(s["at"])) if s else None

    @strawberry.field(description="DO: what happened.")
    def done(self) -> CycleStep | None:
        return self._step("do")

    @strawberry.field(description="STUDY: the results against the prediction.")
    def studied(self) -> CycleStep | None:
        return self._step("study")

    @strawberry.field(description="ACT: the decision's notes.")
    def acted(self) -> CycleStep | None:
        return self._step("act")

    @strawberry.field
    def project_id(self) -> strawberry.ID:
        return strawberry.ID(self._doc["project_id"])

    @strawberry.field(description="The actions raised from the cycle (the action tracker's, with this sourceId).")
    async def actions(self, info: Info[Context, None]) -> list[Action]:
        return await actions_for(info.context, [str(self.id)])

    @strawberry.field(description="The project's measures' data for the cycle's periods, to study it against.")
    async def measure_data(self, info: Info[Context, None]) -> list[CycleMeasureData]:
        start = date.fromisoformat(self._doc["start_period"])
        study = self._doc["study"]
        end = datetime.fromisoformat(study["at"]).date() if study else None
        out = []
        for m in await readable_measures(info.context, self._doc["measure_ids"]):
            points = [p for period, _, p in await chart_points(info.context, str(m.id))
                      if period >= start and (end is None or period <= end)]
            out.append(CycleMeasureData(measure=m, points=points))
        return out


@strawberry.input
class PlanCycleInput:
    project_id: strawberry.ID
    change_idea: str
    question: str
    prediction: str
    start_period: date = strawberry.field(description="Where the test starts on the measures' charts.")
    previous_cycle_id: strawberry.ID | None = None


@strawberry.input
class CycleDoInput:
    cycle_id: strawberry.ID
    observations: str


@strawberry.input
class CycleStudyInput:
    cycle_id: strawberry.ID
    findings: str


@strawberry.input
class CycleActInput:
    cycle_id: strawberry.ID
    decision: PdsaDecision
    notes: str | None = None


@strawberry.input(description="Who does what and when, and the data to collect; while the cycle is a plan.")
class DetailCyclePlanInput:
    cycle_id: strawberry.ID
    who: str | None = None
    what: str | None = None
    when: str | None = None
    data_to_collect: str | None = None


@strawberry.type
class CyclePayload:
    cycle: PdsaCycle | None
    errors: list[UserError]


async def _cycle_answer(ctx: Context, run: Any, cycle_id: str = "") -> CyclePayload:
    found, errors = await answer(ctx, run, cycle_id)
    view = await load_doc(ctx, found, "cycle") if found else None
    return CyclePayload(cycle=PdsaCycle.of(view) if view else None, errors=errors)


@strawberry.type
class CycleQueries:
    @strawberry.field(description="A PDSA cycle.")
    async def pdsa_cycle(self, info: Info[Context, None], id: strawberry.ID) -> PdsaCycle | None:
        view = await load_doc(info.context, str(id), "cycle")
        return PdsaCycle.of(view) if view else None


@strawberry.type
class CycleMutations:
    @strawberry.mutation
    async def plan_cycle(self, info: Info[Context, None], input: PlanCycleInput) -> CyclePayload:
        ctx = info.context
        plan = CyclePlan(change_idea=input.change_idea, question=input.question, prediction=input.prediction,
                         start_period=input.start_period)
        previous = str(input.previous_cycle_id) if input.previous_cycle_id is not None else None
        return await _cycle_answer(ctx, commands.plan_cycle(ctx.services, ctx.command(), str(input.project_id), plan,
                                                            previous))

    @strawberry.mutation
    async def detail_cycle_plan(self, info: Info[Context, None], input: DetailCyclePlanInput) -> CyclePayload:
        ctx, cid = info.context, str(input.cycle_id)
        return await _cycle_answer(ctx, commands.detail_cycle_plan(ctx.services, ctx.command(), cid, input.who,
                                                                   input.what, input.when, input.data_to_collect), cid)

    @strawberry.mutation
    async def record_cycle_do(self, info: Info[Context, None], input: CycleDoInput) -> CyclePayload:
        ctx, cid = info.context, str(input.cycle_id)
        return await _cycle_answer(ctx, commands.record_cycle_do(ctx.services, ctx.command(), cid,
                                                                 input.observations), cid)

    @strawberry.mutation
    async def record_cycle_study(self, info: Info[Context, None], input: CycleStudyInput) -> CyclePayload:
        ctx, cid = info.context, str(input.cycle_id)
        return await _cycle_answer(ctx, commands.record_cycle_study(ctx.services, ctx.command(), cid,
                                                                    input.findings), cid)

    @strawberry.mutation
    async def record_cycle_act(self, info: Info[Context, None], input: CycleActInput) -> CyclePayload:
        ctx, cid = info.context, str(input.cycle_id)
        return await _cycle_answer(ctx, commands.record_cycle_act(ctx.services, ctx.command(), cid,
                                                                  input.decision.value, input.notes), cid)
