"""The demo organisation's planning: directorates, a strategy for two planning years, memberships, and each
team's plans in several states, built on the demo's measures through the same commands the API uses."""

from __future__ import annotations

from datetime import date

from domain.planning.organisation import Priority
from domain.planning.plan import Commissioning, MeasureLink, Revision
from domain.planning.specification import Coding, Specification
from projections.catalog import CatalogProjection
from projections.planning.projection import PlanningProjection
from service.auth.identity import Principal, Role
from service.bootstrap import Services
from service.commands import planning as commands
from service.commands.context import CommandContext
from service.reads.planning import planning_year

PRIORITIES = [
    Priority("SAFE-CARE", "Safe care", "No avoidable harm: falls, deterioration and pressure ulcers."),
    Priority("TIMELY-ACCESS", "Timely access", "People are seen and treated when they need to be."),
    Priority("LONG-TERM-CONDITIONS", "Living well with long-term conditions", "Care planned with the person."),
    Priority("HEALTHY-WORKFORCE", "A healthy workforce", "Staff who are well, supported and stay."),
]

# team -> (needs, pathway, commissioning, structures, [(measure, needs served, priorities)])
PLANS: dict[str, tuple[list[str], list[str], Commissioning, list[str], list[tuple[str, list[str], list[str]]]]] = {
    "Emergency Department": (
        ["People wait too long to be assessed when the department is full",
         "Frail older people need a quieter space while they wait"],
        ["Arrival and streaming", "Initial assessment within 15 minutes", "Treatment", "Admission or discharge"],
        Commissioning("North Riverside ICB", "UEC-SPEC-2024-03", ("Four-hour standard at 76% or better",
                                                                  "Initial assessment within 15 minutes")),
        ["Twice-daily safety huddle", "Escalation to the site manager at 80% occupancy"],
        [("Patients seen within 4 hours (%)", ["n1"], ["TIMELY-ACCESS"]),
         ("Time to initial assessment (minutes)", ["n1"], ["SAFE-CARE", "TIMELY-ACCESS"]),
         ("Daily attendances", [], [])]),
    "Ward 7 (Respiratory)": (
        ["Patients fall at night, when there are fewer staff", "Families want to know who to talk to"],
        ["Admission", "Falls risk assessment within 6 hours", "NEWS2 observations", "Discharge planning"],
        Commissioning("North Riverside ICB", "MED-SPEC-2024-11", ("Falls below 5 per 1,000 bed days",)),
        ["Falls champion on every shift", "Weekly safety huddle review of every fall"],
        [("Falls per 1,000 bed days", ["n1"], ["SAFE-CARE"]),
         ("NEWS2 observations on time (%)", [], ["SAFE-CARE"]),
         ("Staff sickness absence (%)", [], ["HEALTHY-WORKFORCE"])]),
    "Community Diabetes Service": (
        ["Working people cannot come to daytime clinics", "People want to understand their HbA1c result"],
        ["Referral", "Structured education", "Annual review with HbA1c", "Personal care plan"],
        Commissioning("North Riverside ICB", "COM-SPEC-2023-05", ("Annual HbA1c for 80% of the caseload",)),
        ["Monthly multidisciplinary review", "Service-user representative on the planning group"],
        [("Patients with HbA1c checked (%)", ["n2"], ["LONG-TERM-CONDITIONS"]),
         ("Clinic did-not-attend rate (%)", ["n1"], ["TIMELY-ACCESS"])]),
}

DIRECTORATES = {"Urgent and Emergency Care": ["Emergency Department"], "Medicine": ["Ward 7 (Respiratory)"],
                "Community Services": ["Community Diabetes Service"]}

LOCAL = "https://riverside.example.nhs.uk/fhir/CodeSystem/quality-measures"  # the demo trust's own codes
SPECIFICATIONS = {
    "Falls per 1,000 bed days": Specification(
        owner="demo-ward7-sister", numerator="Inpatient falls reported in the month",
        denominator="Occupied bed days in the month, divided by 1,000", inclusions=["All adult inpatients"],
        exclusions=["Falls before admission", "Falls of visitors or staff"], data_source="Incident reporting system",
        codes=[Coding(LOCAL, "FALLS-1000BD")]),
    "Patients seen within 4 hours (%)": Specification(
        owner="demo-ed-lead", numerator="Attendances admitted, transferred or discharged within 4 hours of arrival",
        denominator="All type 1 attendances", exclusions=["Planned follow-up attendances"],
        data_source="Emergency Care Data Set", codes=[Coding(LOCAL, "ED-4HR")]),
    "Patients with HbA1c checked (%)": Specification(
        owner="demo-diabetes-lead", numerator="People on the caseload with an HbA1c result in the last 12 months",
        denominator="People on the caseload", exclusions=["Joined the caseload in the last 3 months"],
        data_source="Community patient record and pathology results", codes=[Coding(LOCAL, "DM-HBA1C-12M")]),
}

LEADS = {"Emergency Department": "demo-ed-lead", "Ward 7 (Respiratory)": "demo-ward7-sister",
         "Community Diabetes Service": "demo-diabetes-lead"}


def _label(year: int) -> str:
    return f"{year}/{(year + 1) % 100:02d}"


async def load_planning_demo(services: Services, leader: CommandContext, trust_id: str,
                             directorates: dict[str, str], teams: dict[str, str], measures: dict[str, str]) -> None:
    org_id, position = await commands.establish_organisation(services, leader, "Riverside NHS Trust (demo)",
                                                             trust_id)
    await services.wait_for_projections(position, (CatalogProjection.name, PlanningProjection.name))
    for directorate_id in directorates.values():
        await commands.designate_directorate(services, leader, org_id, directorate_id)
    for measure, specification in SPECIFICATIONS.items():
        await commands.specify_measure(services, leader, measures[measure], specification,
                                       "Definition agreed with the measure's owner for the planning cycle")
    this_year = planning_year(date.today())
    for year in (this_year - 1, this_year):
        position = await commands.set_strategy(
            services, leader, org_id, year, "Outstanding care for every person, every time",
            "Safe, timely and personal care, planned with the people who use our services",
            PRIORITIES if year == this_year else PRIORITIES[:3], f"Agreed by the trust board for {_label(year)}")
    await services.wait_for_projections(position, (PlanningProjection.name,))
    for team, lead in LEADS.items():
        team_id = teams[team]
        ctx = CommandContext(Principal(lead, Role.TEAM_LEADER, frozenset([team_id])), source="demo")
        await commands.add_member(services, ctx, team_id, lead, "TEAM_LEADER", date(this_year - 3, 4, 1), None)
        await commands.add_member(services, ctx, team_id, f"{lead}-rep", "SERVICE_USER_REPRESENTATIVE",
                                  date(this_year - 1, 4, 1), None)
    # Last year: every team approved; the ED refreshed its plan mid-year, superseding the first.
    # This year: the ED's plan approved, Ward 7's submitted, the diabetes service's still a draft.
    states = {"Emergency Department": ("APPROVED", "APPROVED"), "Ward 7 (Respiratory)": ("APPROVED", "SUBMITTED"),
              "Community Diabetes Service": ("APPROVED", "DRAFT")}
    for team, (last, now) in states.items():
        await _plan(services, leader, team, teams[team], this_year - 1, last, measures, this_year)
        if team == "Emergency Department":
            await _plan(services, leader, team, teams[team], this_year - 1, "APPROVED", measures, this_year,
                        title_suffix=" (refreshed after the winter review)")
        await _plan(services, leader, team, teams[team], this_year, now, measures, this_year)


async def _plan(services: Services, leader: CommandContext, team: str, team_id: str, year: int, status: str,
                measures: dict[str, str], this_year: int, title_suffix: str = "") -> None:
    needs, pathway, commissioning, structures, links = PLANS[team]
    lead = CommandContext(Principal(LEADS[team], Role.TEAM_LEADER, frozenset([team_id])), source="demo")
    rep = CommandContext(Principal(f"{LEADS[team]}-rep", Role.SERVICE_USER, frozenset([team_id])), source="demo")
    plan_id, _ = await commands.draft_plan(services, lead, team_id, year,
                                           f"{team} quality plan {_label(year)}{title_suffix}", needs,
                                           [measures[m] for m, _, _ in links])
    await commands.raise_need(services, rep, plan_id, "Ask people who use the service what matters to them, "
                              "every quarter")
    priorities = {p.code for p in (PRIORITIES if year == this_year else PRIORITIES[:3])}
    await commands.revise_plan(services, lead, plan_id, Revision(
        reason="Planning workshop with staff and service users", pathway=pathway, commissioning=commissioning,
        structures=structures, reviewers=[f"{LEADS[team]}-rep"],
        measures=[MeasureLink(measures[m], tuple(n), tuple(p for p in ps if p in priorities)) for m, n, ps in links]))
    await commands.comment_on_plan(services, rep, plan_id, "Please keep the evening sessions in the plan.")
    if status == "DRAFT":
        return
    await commands.review_plan(services, rep, plan_id, "SUPPORTED", "It reflects what we asked for.")
    await commands.submit_plan(services, lead, plan_id, "Agreed by the team at the planning away day")
    if status == "APPROVED":
        await commands.approve_plan(services, leader, plan_id, "Serves the trust's strategic priorities")
