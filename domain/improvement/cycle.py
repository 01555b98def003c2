"""A PDSA cycle testing one change idea of a project: plan (question, prediction, who, what, when, the data to
collect), do (what happened), study (results against the prediction), act (adopt, adapt or abandon), each stage
once and in order; the next cycle names the one before.

A cycle puts a PDSA note on its project's measures' charts at its start period (the SPC projection reads
`chart_annotation`); the measures are those the project linked when the cycle was planned."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from uuid import UUID

from eventsourcing.domain import Aggregate, event

from domain.control.vocabulary import AnnotationKind
from domain.improvement.rules import MAX_TEXT, calendar_day, invalid, invalid_state, optional, required
from domain.improvement.vocabulary import PdsaDecision, PdsaStage

MAX_IDEA = 500
NEXT = {PdsaStage.PLAN: PdsaStage.DO, PdsaStage.DO: PdsaStage.STUDY, PdsaStage.STUDY: PdsaStage.ACT}


@dataclass(frozen=True, slots=True)
class CyclePlan:
    """What a cycle's plan says."""

    change_idea: str
    question: str
    prediction: str
    start_period: date | None
    who: str | None = None
    what: str | None = None
    when: str | None = None
    data: str | None = None              # the data to collect


@dataclass(frozen=True, slots=True)
class ProjectFacts:
    """What the handler read of the project for the rules."""

    project_id: str
    team_id: str
    closed: bool
    measure_ids: Sequence[str]


class PdsaCycle(Aggregate):
    """One Plan-Do-Study-Act cycle."""

    class CyclePlanned(Aggregate.Created):
        project_id: str
        team_id: str
        change_idea: str
        question: str
        prediction: str
        start_period: str
        who: str | None
        what: str | None
        when: str | None
        data: str | None
        previous_cycle_id: str | None
        measure_ids: list[str]

        def chart_annotation(self) -> tuple[Sequence[str], str, AnnotationKind, str]:
            return (self.measure_ids, self.start_period, AnnotationKind.PDSA,
                    f"PDSA cycle: {self.change_idea}. Question: {self.question}")

    class CyclePlanDetailed(Aggregate.Event):
        who: str | None
        what: str | None
        when: str | None
        data: str | None

    class CycleDone(Aggregate.Event):
        observations: str

    class CycleStudied(Aggregate.Event):
        findings: str

    class CycleActed(Aggregate.Event):
        decision: str
        notes: str | None

    @classmethod
    def plan(cls, *, cycle_id: UUID, project: ProjectFacts, plan: CyclePlan,
             previous: PdsaCycle | None, previous_cycle_id: str | None) -> PdsaCycle:
        if project.closed:
            raise invalid_state("The project is closed: no more cycles can be planned on it.")
        if previous_cycle_id is not None and (previous is None or previous.project_id != project.project_id):
            raise invalid(f"previousCycleId {previous_cycle_id} is not a cycle of the project.", "previousCycleId")
        return cls._create(
            cls.CyclePlanned, id=cycle_id, project_id=project.project_id,
            team_id=project.team_id, change_idea=required(plan.change_idea, "changeIdea", MAX_IDEA),
            question=required(plan.question, "question", MAX_TEXT),
            prediction=required(plan.prediction, "prediction", MAX_TEXT),
            start_period=calendar_day(plan.start_period, "startPeriod"), who=optional(plan.who, "who"),
            what=optional(plan.what, "what"), when=optional(plan.when, "when"), data=optional(plan.data, "data"),
            previous_cycle_id=previous_cycle_id,
            measure_ids=list(project.measure_ids))

    @event(CyclePlanned)
    def __init__(self, project_id: str, team_id: str, change_idea: str, question: str, prediction: str,
                 start_period: str, who: str | None, what: str | None, when: str | None, data: str | None,
                 previous_cycle_id: str | None, measure_ids: list[str]) -> None:
        self.project_id = project_id
        self.team_id = team_id
        self.change_idea = change_idea
        self.stage = PdsaStage.PLAN.value
        self.decision: str | None = None

    def _next(self, stage: PdsaStage, project_closed: bool) -> None:
        if project_closed:
            raise invalid_state("The project is closed: its cycles cannot change.")
        if NEXT.get(PdsaStage(self.stage)) is not stage:
            done = "already recorded" if list(PdsaStage).index(stage) <= list(PdsaStage).index(PdsaStage(self.stage)) \
                else f"not next: the cycle is at {self.stage}"
            raise invalid_state(f"{stage} is {done}; stages run PLAN, DO, STUDY, ACT, each once.")

    def detail(self, who: str | None, what: str | None, when: str | None, data: str | None,
               project_closed: bool = False) -> None:
        """Say who does what and when, and the data to collect, while the cycle is still a plan."""
        if project_closed:
            raise invalid_state("The project is closed: its cycles cannot change.")
        if self.stage != PdsaStage.PLAN:
            raise invalid_state(f"The cycle is at {self.stage}: its plan can no longer change.")
        checked = {k: optional(v, k) for k, v in (("who", who), ("what", what), ("when", when), ("data", data))}
        if not any(checked.values()):
            raise invalid("Say at least one of who, what, when and the data to collect.", "who")
        self._detailed(**checked)

    @event(CyclePlanDetailed)
    def _detailed(self, who: str | None, what: str | None, when: str | None, data: str | None) -> None:
        pass

    def do(self, observations: str, project_closed: bool = False) -> None:
        self._next(PdsaStage.DO, project_closed)
        self._done(observations=required(observations, "observations", MAX_TEXT))

    @event(CycleDone)
    def _done(self, observations: str) -> None:
        self.stage = PdsaStage.DO.value

    def study(self, findings: str, project_closed: bool = False) -> None:
        self._next(PdsaStage.STUDY, project_closed)
        self._studied(findings=required(findings, "findings", MAX_TEXT))

    @event(CycleStudied)
    def _studied(self, findings: str) -> None:
        self.stage = PdsaStage.STUDY.value

    def act(self, decision: str, notes: str | None, project_closed: bool = False) -> None:
        self._next(PdsaStage.ACT, project_closed)
        if decision not in PdsaDecision.__members__:
            raise invalid(f"decision {decision} is not one of {', '.join(PdsaDecision)}.", "decision")
        self._acted(decision=decision, notes=optional(notes, "notes"))

    @event(CycleActed)
    def _acted(self, decision: str, notes: str | None) -> None:
        self.stage = PdsaStage.ACT.value
        self.decision = decision
