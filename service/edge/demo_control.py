"""The demo's daily control: escalation levels, each team's recent huddles with problems solved or escalated,
escalations at several steps, and actions open, overdue, done and cancelled (some on the teams' measures)."""

from __future__ import annotations

from datetime import timedelta

from domain.control.escalation import Level
from domain.control.huddle import ProblemIn, problem_id
from service.auth.identity import Principal, Role
from service.bootstrap import Services
from service.clock import today
from service.commands import actions, escalations, huddles
from service.commands.context import CommandContext

LEVELS = [Level("Team", 4 * 60), Level("Directorate", 24 * 60), Level("Executive", 72 * 60)]
# per team: attendees, the problems of its last huddle (resolution None: escalated), and its actions as
# (title, owner, days until due (negative: overdue), the measure it concerns, how it ended)
PLANS: dict[str, tuple[list[str], list[ProblemIn], list[tuple[str, str, int, str | None, str | None]]]] = {
    "Emergency Department": (
        ["dr.okafor", "sister.mensah", "hca.lewis", "paramedic.reid"],
        [ProblemIn("Triage nurse off sick on the early shift", "Flow coordinator covered triage until 11:00"),
         ProblemIn("Four-hour performance below target for three weeks running")],
        [("Second triage nurse at the 10:00 peak", "sister.mensah", 10, "Patients seen within 4 hours (%)", None),
         ("Review ambulance handover delays with the trust", "dr.okafor", -5, None, None),
         ("Audit time-to-assessment for walk-in patients", "paramedic.reid", -12,
          "Time to initial assessment (minutes)", None),
         ("Fix the broken majors trolley", "hca.lewis", -2, None, "done:Trolley replaced by estates"),
         ("Stream minors to the urgent treatment centre", "dr.okafor", 21, None, None)]),
    "Ward 7 (Respiratory)": (
        ["sister.jones", "dr.patel", "physio.khan"],
        [ProblemIn("Hoist on bay B broken", "Borrowed one from ward 8; estates booked"),
         ProblemIn("Night staffing two nurses short all week")],
        [("Falls risk assessment within 6 hours of admission", "sister.jones", 14, "Falls per 1,000 bed days",
          None),
         ("Re-train on NEWS2 escalation", "dr.patel", -3, "NEWS2 observations on time (%)", None),
         ("Return-to-work interviews for every absence", "sister.jones", -20, "Staff sickness absence (%)",
          "done:All 9 interviews held and recorded"),
         ("Order bed-exit alarms", "physio.khan", 7, None, "cancelled:Replaced by the falls bundle action")]),
    "Community Diabetes Service": (
        ["nurse.evans", "dr.shah"],
        [ProblemIn("Clinic letters going to old addresses", "Admin re-checked addresses against the spine"),
         ProblemIn("Did-not-attend rate rising in the Tuesday clinic")],
        [("Text reminders two days before clinic", "nurse.evans", -8, "Clinic did-not-attend rate (%)", None),
         ("HbA1c recall list for overdue patients", "dr.shah", 30, "Patients with HbA1c checked (%)", None),
         ("Evening clinic pilot", "dr.shah", 45, None, None)]),
}


async def load_control_demo(services: Services, leader: CommandContext, teams: dict[str, str],
                            measures: dict[str, str]) -> None:
    """Everything through the same commands the API uses (one team leader per team)."""
    await escalations.configure_levels(services, leader, LEVELS, "Trust escalation policy (demo)")
    now = today(services.settings.time_zone)
    for n, (team, (people, problems, plan)) in enumerate(PLANS.items()):
        team_id = teams[team]
        lead = CommandContext(Principal(people[0], Role.TEAM_LEADER, frozenset([team_id])), source="demo")
        reviewed = [measures[name] for name in measures if any(name == p[3] for p in plan)]
        for days_ago in (7, 3):  # earlier huddles, all solved on the spot
            await huddles.record_huddle(services, lead, team_id, now - timedelta(days=days_ago), people, reviewed,
                                        [ProblemIn("Equipment check", "All present and working")])
        huddle_id, _ = await huddles.record_huddle(services, lead, team_id, now - timedelta(days=1), people, reviewed,
                                                   problems)
        escalated = problem_id(huddle_id, len(problems))
        escalation_id, _ = await escalations.raise_escalation(services, lead, team_id, escalated,
                                                              problems[-1].description, None)
        if n == 0:  # acknowledged by the team, then taken to the directorate, which has not acknowledged yet
            await escalations.acknowledge_escalation(services, lead, escalation_id, "Discussed with the matron")
            await escalations.escalate_further(services, lead, escalation_id, "Directorate",
                                               "Needs staffing from outside the department")
        elif n == 1:
            await escalations.acknowledge_escalation(services, lead, escalation_id, "Bank staff requested")
        sources = iter([escalation_id])  # the team's first action on no measure answers its escalation
        for title, owner, due_in, measure, ending in plan:
            source = measures.get(measure) if measure else next(sources, huddle_id)
            action_id, _ = await actions.create_action(services, lead, team_id, title, owner,
                                                       now + timedelta(days=due_in), source)
            if ending is not None:
                how, _, text = ending.partition(":")
                if how == "done":
                    await actions.complete_action(services, lead, action_id, text)
                else:
                    await actions.cancel_action(services, lead, action_id, text)
