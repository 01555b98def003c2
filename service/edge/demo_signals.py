"""The demo's signals: raised by the service itself from the demo charts (the signals projection); here each team
attends to its oldest (a note, or on one ward an action) and leaves the rest open."""

from __future__ import annotations

from datetime import timedelta

from service.auth.identity import Principal, Role
from service.bootstrap import Services
from service.clock import today
from service.commands import actions, signals
from service.commands.context import CommandContext
from service.reads.signals import signals_of

LEADS = {"Emergency Department": "dr.okafor", "Ward 7 (Respiratory)": "sister.jones",
         "Community Diabetes Service": "nurse.evans"}
ANSWERED_BY_ACTION = "Ward 7 (Respiratory)"  # its oldest signal is attended to by an action, the others' by a note
NOTES = {"CONCERN": "Reviewed at the safety huddle: a real change; the team is looking into it",
         "IMPROVEMENT": "Reviewed at the huddle: the change we hoped for; keep watching it"}


async def load_signals_demo(services: Services, teams: dict[str, str]) -> int:
    """Answers how many signals the demo charts raised."""
    for _ in range(2):  # the recordings' signals, then the read models of those signals
        if not await services.wait_for_projections(await services.store.head()):
            raise RuntimeError("the read models did not catch up with the demo")
    reader = Principal("demo-loader", Role.SENIOR_LEADER)
    now = today(services.settings.time_zone)
    raised = 0
    for team, lead_name in LEADS.items():
        team_id = teams[team]
        found = list(reversed(await signals_of(services.pool, reader, team_id, True)))  # oldest first
        raised += len(found)
        lead = CommandContext(Principal(lead_name, Role.TEAM_LEADER, frozenset([team_id])), source="demo")
        if not found:
            continue
        oldest = found[0]
        if team == ANSWERED_BY_ACTION:
            await actions.create_action(services, lead, team_id, f"Study what changed: {oldest.detail}", lead_name,
                                        now + timedelta(days=10), oldest.id)
        else:
            await signals.acknowledge_signal(services, lead, oldest.id, NOTES[oldest.kind])
    return raised
