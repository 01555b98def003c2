"""The demo's improvement work on Ward 7: a register of opportunities voted on, the chosen one's project (charter,
team with a service user, sponsor, the model for improvement, a driver diagram, an idea session), three PDSA
cycles (adapt, adapt, adopt) on a night-falls measure whose chart shows the improvement after them, a Pareto
chart of falls by cause, and the night-time toileting process mapped as it is and as it should be."""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import date, timedelta

from domain.control.measure import MeasureDefinition
from domain.control.observations import ObservationIn
from domain.improvement.cycle import CyclePlan
from domain.improvement.flowchart import Flowchart
from domain.improvement.project import Charter
from service.auth.identity import Principal, Role
from service.bootstrap import Services
from service.clock import today
from service.commands import diagrams, improvement, opportunities, tools
from service.commands.context import CommandContext
from service.commands.measures import define_measure, record_observations, set_baseline

WARD = "Ward 7 (Respiratory)"
MEASURE = "Night-time falls per 1,000 bed days"
CYCLES = [  # change idea, question, prediction, what happened, what was learned, decision
    ("Intentional rounding every hour at night", "Will hourly rounding cut night-time falls on bay B?",
     "Half as many falls on bay B over two weeks", "Rounds were missed after 03:00 when the ward was busy",
     "Falls fell by a third; missed rounds clustered after 03:00", "ADAPT"),
    ("Hourly rounding with a toileting prompt", "Does offering the toilet on each round help?",
     "Fewer falls on the way to the toilet", "Rounds kept, prompts given on 9 of 10 rounds",
     "Toileting falls stopped; rounds still slipped at handover", "ADAPT"),
    ("Rounding with a toileting prompt, owned at handover", "Does naming the owner at handover keep rounds going?",
     "Rounds on time all night on both bays", "Owner named at every handover for four weeks",
     "Rounds on time on 96% of nights; falls at their lowest", "ADOPT"),
]


def _adding(kind: str, label: str) -> Callable[[Flowchart], str]:
    return lambda f: f.add_step(kind, label)


def _connecting(a: str, b: str, label: str | None) -> Callable[[Flowchart], None]:
    return lambda f: f.connect(a, b, label)


def _months_back(first_of_this_month: date, n: int) -> list[date]:
    out, d = [], first_of_this_month
    for _ in range(n):
        out.append(d)
        d = (d - timedelta(days=1)).replace(day=1)
    return out[::-1]


async def load_improvement_demo(services: Services, teams: dict[str, str], measures: dict[str, str]) -> str:
    """Everything through the same commands the API uses; answers the project's id."""
    rng = random.Random(11)
    team = teams[WARD]
    lead = CommandContext(Principal("sister.jones", Role.TEAM_LEADER, frozenset([team])), source="demo")
    member = CommandContext(Principal("hca.brown", Role.TEAM_MEMBER, frozenset([team])), source="demo")
    patient = CommandContext(Principal("patient.rep", Role.SERVICE_USER, frozenset([team])), source="demo")
    director = CommandContext(Principal("director.ahmed", Role.SENIOR_LEADER), source="demo")

    # the outcome measure: two years at about 3.2, then the cycles, then about 2.0
    now = today(services.settings.time_zone)
    months = _months_back(now.replace(day=1), 30)
    definition = MeasureDefinition(team_id=team, name=MEASURE, kind="OUTCOME", direction="DECREASE",
                                   chart_type="XMR", frequency="MONTH", unit="rate", target=2.5)
    measure, _ = await define_measure(services, lead, definition)
    before = [ObservationIn(p, round(rng.gauss(3.2, 0.3), 2), source_id=f"demo-night-falls-{p}") for p in months[:18]]
    await record_observations(services, member, measure, before)
    await set_baseline(services, lead, measure, len(before), "Limits from the 18 months before the project")

    # the register: proposals by a patient representative and staff, votes, the team's choice
    chosen, _ = await opportunities.propose_opportunity(services, patient, team, "Falls at night",
                                                        "Patients and families worry about falls after dark")
    other, _ = await opportunities.propose_opportunity(services, member, team, "Late discharge letters", None)
    for voter in (patient, member, lead):
        await opportunities.vote_for_opportunity(services, voter, chosen)
    await opportunities.vote_for_opportunity(services, member, other)
    await opportunities.choose_opportunity(services, lead, chosen, "Most votes, and falls at night cause harm")
    await opportunities.decline_opportunity(services, lead, other, "The discharge team already has this in hand")

    # the project and its charter
    project, _ = await opportunities.start_project(services, lead, chosen, "Fewer falls at night",
                                                   "Night-time falls below 2.5 per 1,000 bed days within a year",
                                                   [measure], months[-1] + timedelta(days=120))
    await improvement.revise_charter(services, lead, project, Charter(
        reason="Scoping workshop with the patient representative", problem="Most of the ward's falls happen "
        "between 22:00 and 06:00, often on the way to the toilet", scope="Ward 7, bays A and B, nights",
        target="below 2.5 per 1,000 bed days", target_date=months[-1]))
    links = [(measure, "OUTCOME"), (measures["NEWS2 observations on time (%)"], "PROCESS"),
             (measures["Staff sickness absence (%)"], "BALANCING")]
    await improvement.link_project_measures(services, lead, project, links, "Process and balancing measures agreed")
    for subject, name, role in (("dr.patel", "Dr Patel", "CLINICIAN"), ("hca.brown", "Alex Brown", "STAFF"),
                                ("patient.rep", "Patient representative", "SERVICE_USER")):
        await improvement.add_project_member(services, lead, project, subject, name, role)
    await improvement.sponsor_project(services, director, project)
    await improvement.state_model_for_improvement(
        services, lead, project, "Fewer patients falling at night", "Night-time falls per 1,000 bed days on an "
        "SPC chart, with staff sickness as the balancing measure", ["Intentional rounding", "Toileting prompts",
                                                                    "Bed-exit alarms"])

    # diverge, then converge on the ideas to test
    session, _ = await tools.open_idea_session(services, lead, team, project, "How could we prevent falls at night?")
    for who, idea in ((patient, "Offer the toilet before lights out"), (member, "Hourly rounding"),
                      (lead, "Bed-exit alarms"), (patient, "Night lights in the bays")):
        await tools.list_idea(services, who, session, idea)
    await tools.run_idea_session(services, lead, session, lambda s: s.converge())
    await tools.run_idea_session(services, lead, session, lambda s: s.group("Checks", ["i1", "i2"]))
    for who, idea in ((patient, "i2"), (member, "i2"), (lead, "i1")):
        await tools.vote_for_idea(services, who, session, idea)
    await tools.run_idea_session(services, lead, session, lambda s: s.close(["i2", "i1"], "Most votes; cheap"))

    # the driver diagram
    diagram, _ = await diagrams.draw_driver_diagram(services, lead, project, "Night-time falls below 2.5 per 1,000 "
                                                    "bed days within a year")
    ids: dict[str, str] = {}

    async def add(key: str, kind: str, text: str, parent: str) -> None:
        parents = [ids.get(parent, parent)]
        await diagrams.edit_diagram(services, lead, diagram, lambda d: ids.__setitem__(key, d.add(kind, text,
                                                                                                  parents)))

    await add("safe", "PRIMARY", "A safe environment at night", "aim")
    await add("needs", "PRIMARY", "Patients' needs met before they get up alone", "aim")
    await add("checked", "SECONDARY", "Patients checked often", "needs")
    await add("toilet", "SECONDARY", "Toileting needs anticipated", "needs")
    await add("alarms", "SECONDARY", "Staff alerted when a patient gets up", "safe")
    await add("rounding", "CHANGE_IDEA", "Intentional rounding with a toileting prompt", "checked")
    await add("bed-exit", "CHANGE_IDEA", "Bed-exit alarms", "alarms")
    await diagrams.edit_diagram(services, lead, diagram, lambda d: d.link(ids["rounding"], ids["toilet"]))

    # three cycles on the measure's chart: adapt, adapt, adopt
    previous = None
    for n, (idea, question, prediction, happened, learned, decision) in enumerate(CYCLES):
        start = months[18 + n]
        previous, _ = await improvement.plan_cycle(services, lead, project, CyclePlan(idea, question, prediction,
                                                                                      start), previous)
        await improvement.detail_cycle_plan(services, lead, previous, "Night staff on bays A and B", idea,
                                            f"From {start.isoformat()}, two weeks", "Falls per night, rounds done")
        await improvement.record_cycle_do(services, member, previous, happened)
        await improvement.record_cycle_study(services, lead, previous, learned)
        await improvement.record_cycle_act(services, lead, previous, decision, None)
        await diagrams.link_change_idea_to_cycle(services, lead, diagram, ids["rounding"], previous)
    after = [ObservationIn(p, round(rng.gauss(2.0, 0.25), 2), source_id=f"demo-night-falls-{p}") for p in months[18:]]
    await record_observations(services, member, measure, after)
    await improvement.move_project_stage(services, lead, project, "IMPLEMENTATION", "Rounding adopted on both bays")

    # a Pareto chart of the falls by cause, and the toileting process as it is and as it should be
    await tools.record_pareto(services, lead, team, project, "Night-time falls by cause (last 12 months)", [
        ("Going to the toilet", 23), ("Confusion or delirium", 14), ("Reaching for belongings", 6),
        ("Footwear", 4), ("Bed rails", 2), ("Other", 3)])
    current, _ = await tools.draw_flowchart(services, lead, team, project, "Night-time toileting today", "CURRENT",
                                            None)
    steps = [("START", "Patient wakes needing the toilet"), ("DECISION", "Call bell in reach?"),
             ("STEP", "Patient gets up alone"), ("STEP", "Nurse answers the bell"), ("END", "Back in bed")]
    for kind, label in steps:
        await tools.edit_flowchart(services, lead, current, _adding(kind, label))
    branches: list[tuple[str, str, str | None]] = [("s1", "s2", None), ("s2", "s3", "no"), ("s2", "s4", "yes"),
                                                   ("s3", "s5", None), ("s4", "s5", None)]
    for a, b, branch in branches:
        await tools.edit_flowchart(services, lead, current, _connecting(a, b, branch))
    future, _ = await tools.draw_flowchart(services, lead, team, project, "Night-time toileting with rounding",
                                           "FUTURE", current)
    await tools.edit_flowchart(services, lead, future, lambda f: f.relabel("s1", "Hourly round offers the toilet"))
    await tools.edit_flowchart(services, lead, future, lambda f: f.remove_step("s3"))
    return project
