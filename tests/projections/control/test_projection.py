"""The control projection on the real PostgreSQL: a rebuild replays the log into the same read model."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from domain.control.escalation import Level
from domain.control.huddle import ProblemIn, problem_id
from projections.control.projection import ControlProjection
from service.auth.identity import Principal, Role
from service.bootstrap import Services
from service.clock import today
from service.commands import actions, escalations, huddles
from service.commands.context import CommandContext
from service.commands.teams import create_team
from service.eventstore.projection_runner import rebuild

TABLES = ("actions", "action_steps", "huddles", "huddle_problems", "escalation_levels", "escalations",
          "escalation_steps")


async def snapshot(services: Services) -> dict[str, list[Any]]:
    async with services.pool.acquire() as conn:
        return {t: [tuple(r) for r in await conn.fetch(f"SELECT * FROM {t} ORDER BY 1, 2")] for t in TABLES}


async def test_a_rebuilt_control_read_model_is_the_one_the_runner_built(services: Services) -> None:
    leader = CommandContext(Principal("rebuild-leader", Role.SENIOR_LEADER))
    team = (await create_team(services, leader, "Rebuild ward", None)).team_id
    lead = CommandContext(Principal("rebuild-lead", Role.TEAM_LEADER, frozenset([team])))
    day = today(services.settings.time_zone)
    await escalations.configure_levels(services, leader, [Level("Team", 60), Level("Directorate", 240)], "Policy")
    huddle, _ = await huddles.record_huddle(services, lead, team, day, ["a", "b"], [],
                                            [ProblemIn("Solved", "Yes"), ProblemIn("Not solved")])
    escalation, _ = await escalations.raise_escalation(services, lead, team, problem_id(huddle, 2), "Help", None)
    await escalations.acknowledge_escalation(services, lead, escalation, "Seen")
    await escalations.escalate_further(services, lead, escalation, "Directorate", "Beyond us")
    action, _ = await actions.create_action(services, lead, team, "Fix", "a", day - timedelta(days=1), escalation)
    await actions.reassign_action(services, lead, action, "b", "Leave")
    await escalations.resolve_escalation(services, lead, escalation, "Fixed")
    await actions.complete_action(services, lead, action, "Done")
    head = await services.store.head()
    assert await services.wait_for_projections(head, ("control",))
    before = await snapshot(services)
    assert all(before[t] for t in TABLES)

    await rebuild(services.pool, ControlProjection())
    services.notifier.positions["control"] = 0
    # a rebuild replays the whole session's log: wait on state, as long as that takes
    assert await services.notifier.wait_for(("control",), head, timeout=300)
    assert await snapshot(services) == before
