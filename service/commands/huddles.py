"""Huddle commands: record a huddle, raise a problem at it, solve a problem."""

from __future__ import annotations

from datetime import date
from uuid import uuid4

from domain.control.huddle import Huddle, ProblemIn, problem_huddle, problem_id
from domain.errors import NotFound
from service.auth.permissions import authorize
from service.bootstrap import Services
from service.commands.context import CommandContext
from service.commands.control import on, require_team, service_today, stream_origin


async def team_measures(services: Services, team_id: str, measure_ids: list[str]) -> set[str]:
    """Which of these ids are measures of the team (from the log itself, not a read model that may lag)."""
    found = set()
    for measure_id in set(measure_ids):
        origin = await stream_origin(services, measure_id)
        if origin == ("Measure", team_id):
            found.add(measure_id)
    return found


async def record_huddle(services: Services, ctx: CommandContext, team_id: str, held_on: date | None,
                        attendees: list[str], measure_ids: list[str], problems: list[ProblemIn]) -> tuple[str, int]:
    authorize(ctx.principal, "huddle.record", team_id)
    await require_team(services, team_id)
    huddle = Huddle.hold(huddle_id=uuid4(), team_id=team_id, held_on=held_on, attendees=attendees,
                         measure_ids=measure_ids, team_measures=await team_measures(services, team_id, measure_ids),
                         problems=problems, today=service_today(services))
    saved = await services.repository.save(huddle, ctx.meta(team_id=team_id))
    return str(huddle.id), saved.position


async def raise_problem(services: Services, ctx: CommandContext, huddle_id: str,
                        problem: ProblemIn) -> tuple[str, int]:
    """Answers the new problem's id and the position written."""
    async def work(huddle: Huddle) -> tuple[str, int]:
        authorize(ctx.principal, "problem.raise", huddle.team_id)
        number = huddle.raise_problem(problem)
        saved = await services.repository.save(huddle, ctx.meta(team_id=huddle.team_id))
        return problem_id(huddle_id, number), saved.position

    return await on(services, Huddle, huddle_id, "huddleId", work)


async def solve_problem(services: Services, ctx: CommandContext, problem: str, resolution: str) -> tuple[str, int]:
    huddle_id = problem_huddle(problem)
    if huddle_id is None:
        raise NotFound(f"No problem has id {problem}.", field="problemId")

    async def work(huddle: Huddle) -> tuple[str, int]:
        authorize(ctx.principal, "problem.solve", huddle.team_id)
        huddle.solve_problem(int(problem.rpartition(".")[2]), resolution)
        saved = await services.repository.save(huddle, ctx.meta(team_id=huddle.team_id))
        return huddle_id, saved.position

    return await on(services, Huddle, huddle_id, "problemId", work)
