"""What the improvement end-to-end tests share: a team with its people, and the improvement mutations as
one-liners."""

from __future__ import annotations

from typing import Any

from tests.conftest import Api
from tests.e2e.control_helpers import log_head, mutate

CYCLE = "id changeIdea stage startPeriod decision previous { id changeIdea }"
PROJECT = f"id title aim plannedEnd team {{ id }} measures {{ id }} cycles {{ {CYCLE} }} closed stage"

__all__ = ["CYCLE", "PROJECT", "Improver", "log_head"]


class Improver:
    """A team with a leader, a member and a service user, and the calls a project goes through."""

    def __init__(self, api: Api, team: str) -> None:
        self.api, self.team = api, team
        self.leader = {"token": api.tokens.issue("leader", "TEAM_LEADER", [team])}
        self.member = {"token": api.tokens.issue("member", "TEAM_MEMBER", [team])}
        self.patient = {"token": api.tokens.issue("patient", "SERVICE_USER", [team])}
        self.director = {"token": api.tokens.issue("director", "SENIOR_LEADER", [])}

    async def do(self, name: str, input_type: str, values: dict[str, Any], selection: str,
                 who: dict[str, Any] | None = None) -> dict[str, Any]:
        return await mutate(self.api, name, input_type, values, selection, **(who or self.leader))

    async def create_project(self, measures: list[str], **fields: Any) -> dict[str, Any]:
        values = {"teamId": self.team, "title": "Fewer falls at night", "measureIds": measures,
                  "aim": "Reduce falls on the ward by 30% by March", "plannedEnd": "2026-03-31", **fields}
        return await self.do("createProject", "CreateProjectInput", values, f"project {{ {PROJECT} }}")

    async def plan_cycle(self, project: str, idea: str, start: str, previous: str | None = None,
                         who: dict[str, Any] | None = None) -> dict[str, Any]:
        values = {"projectId": project, "changeIdea": idea, "question": f"Does {idea} help?",
                  "prediction": "Fewer falls", "startPeriod": start, "previousCycleId": previous}
        return await self.do("planCycle", "PlanCycleInput", values, f"cycle {{ {CYCLE} }}", who)

    async def stage(self, name: str, cycle: str, who: dict[str, Any] | None = None, **values: Any) -> dict[str, Any]:
        input_type = {"recordCycleDo": "CycleDoInput", "recordCycleStudy": "CycleStudyInput",
                      "recordCycleAct": "CycleActInput"}[name]
        return await self.do(name, input_type, {"cycleId": cycle, **values}, f"cycle {{ {CYCLE} }}", who)

    async def full_cycle(self, project: str, idea: str, start: str, decision: str,
                         previous: str | None = None) -> str:
        cycle = (await self.plan_cycle(project, idea, start, previous))["cycle"]["id"]
        assert (await self.stage("recordCycleDo", cycle, observations="Ran it for a week"))["errors"] == []
        assert (await self.stage("recordCycleStudy", cycle, findings="Fewer falls than predicted"))["errors"] == []
        assert (await self.stage("recordCycleAct", cycle, decision=decision, notes="Next"))["errors"] == []
        return str(cycle)


async def improver(api: Api, name: str) -> Improver:
    return Improver(api, await api.create_team(name))
