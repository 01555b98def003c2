"""A process flow chart: steps, decisions and the connections between them, as the process is (CURRENT) or as the
team wants it to be (FUTURE); a future state may start as a copy of a current one. Every edit is an event."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from eventsourcing.domain import Aggregate, event

from domain.improvement.rules import MAX_TEXT, MAX_TITLE, invalid, invalid_state, optional, required
from domain.improvement.vocabulary import FlowchartState, StepKind

MAX_STEPS = 300


class Flowchart(Aggregate):
    """One process map of a team (and, if it serves one, a project). Steps have ids of the chart (s1, s2, ...)."""

    class FlowchartDrawn(Aggregate.Created):
        team_id: str
        project_id: str | None
        title: str
        state: str
        based_on: str | None            # the current-state chart a future state was copied from
        steps: list[dict[str, Any]]     # copied from it
        connections: list[dict[str, Any]]

    class StepAdded(Aggregate.Event):
        step_id: str
        kind: str
        label: str

    class StepRelabelled(Aggregate.Event):
        step_id: str
        label: str

    class StepRemoved(Aggregate.Event):
        step_id: str

    class StepsConnected(Aggregate.Event):
        from_step: str
        to_step: str
        label: str | None               # a decision's branch: "yes", "no", ...

    class StepsDisconnected(Aggregate.Event):
        from_step: str
        to_step: str

    @classmethod
    def draw(cls, *, flowchart_id: UUID, team_id: str, project_id: str | None, title: str, state: str,
             based_on: Flowchart | None = None, based_on_id: str | None = None) -> Flowchart:
        if state not in FlowchartState.__members__:
            raise invalid(f"state is CURRENT or FUTURE, not {state}.", "state")
        if based_on_id is not None:
            if based_on is None or based_on.team_id != team_id:
                raise invalid(f"basedOnId {based_on_id} is not a flow chart of the team.", "basedOnId")
            if based_on.state != FlowchartState.CURRENT or state != FlowchartState.FUTURE:
                raise invalid("A future state is drawn from a current state.", "basedOnId")
        steps = [{"id": s, "kind": k, "label": lab} for s, (k, lab) in based_on.steps.items()] if based_on else []
        connections = [{"from": f, "to": t, "label": lab} for (f, t), lab in based_on.connections.items()] \
            if based_on else []
        return cls._create(cls.FlowchartDrawn, id=flowchart_id, team_id=team_id, project_id=project_id,
                           title=required(title, "title", MAX_TITLE), state=state, based_on=based_on_id, steps=steps,
                           connections=connections)

    @event(FlowchartDrawn)
    def __init__(self, team_id: str, project_id: str | None, title: str, state: str, based_on: str | None,
                 steps: list[dict[str, Any]], connections: list[dict[str, Any]]) -> None:
        self.team_id = team_id
        self.project_id = project_id
        self.state = state
        self.steps: dict[str, tuple[str, str]] = {s["id"]: (s["kind"], s["label"]) for s in steps}
        self.connections: dict[tuple[str, str], str | None] = {(c["from"], c["to"]): c["label"] for c in connections}
        self.added = max((int(s["id"][1:]) for s in steps), default=0)

    def _step(self, step_id: str, field: str) -> tuple[str, str]:
        if step_id not in self.steps:
            raise invalid(f"The flow chart has no step {step_id}.", field)
        return self.steps[step_id]

    def add_step(self, kind: str, label: str) -> str:
        if kind not in StepKind.__members__:
            raise invalid(f"kind is one of {', '.join(StepKind)}, not {kind}.", "kind")
        if len(self.steps) >= MAX_STEPS:
            raise invalid(f"A flow chart has at most {MAX_STEPS} steps.", "kind")
        step_id = f"s{self.added + 1}"
        self._added(step_id=step_id, kind=kind, label=required(label, "label", MAX_TEXT))
        return step_id

    @event(StepAdded)
    def _added(self, step_id: str, kind: str, label: str) -> None:
        self.added += 1
        self.steps[step_id] = (kind, label)

    def relabel(self, step_id: str, label: str) -> None:
        self._step(step_id, "stepId")
        self._relabelled(step_id=step_id, label=required(label, "label", MAX_TEXT))

    @event(StepRelabelled)
    def _relabelled(self, step_id: str, label: str) -> None:
        self.steps[step_id] = (self.steps[step_id][0], label)

    def remove_step(self, step_id: str) -> None:
        """Remove a step and its connections."""
        self._step(step_id, "stepId")
        self._removed(step_id=step_id)

    @event(StepRemoved)
    def _removed(self, step_id: str) -> None:
        del self.steps[step_id]
        self.connections = {k: v for k, v in self.connections.items() if step_id not in k}

    def connect(self, from_step: str, to_step: str, label: str | None) -> None:
        from_kind, _ = self._step(from_step, "fromStepId")
        to_kind, _ = self._step(to_step, "toStepId")
        if from_step == to_step:
            raise invalid("A step does not lead to itself.", "toStepId")
        if from_kind == StepKind.END:
            raise invalid("Nothing follows an end.", "fromStepId")
        if to_kind == StepKind.START:
            raise invalid("Nothing leads to a start.", "toStepId")
        if (from_step, to_step) in self.connections:
            raise invalid_state(f"{from_step} already leads to {to_step}.")
        self._connected(from_step=from_step, to_step=to_step, label=optional(label, "label", MAX_TITLE))

    @event(StepsConnected)
    def _connected(self, from_step: str, to_step: str, label: str | None) -> None:
        self.connections[(from_step, to_step)] = label

    def disconnect(self, from_step: str, to_step: str) -> None:
        if (from_step, to_step) not in self.connections:
            raise invalid_state(f"{from_step} does not lead to {to_step}.")
        self._disconnected(from_step=from_step, to_step=to_step)

    @event(StepsDisconnected)
    def _disconnected(self, from_step: str, to_step: str) -> None:
        self.connections.pop((from_step, to_step), None)
