"""The demo organisation's assurance, on Ward 7: an audit programme with a completed falls audit and its
re-audit (findings with actions), a baseline assessment against falls guidance with gaps, actions on them and a
reassessment, a regulator's inspection, and a fishbone diagram linked to the audit's main finding. Built
through the same commands the API uses."""

from __future__ import annotations

import random
from datetime import date, timedelta

from domain.assurance.assessment import GAPS, Evidence, RecommendationAssessed, gap_id
from domain.assurance.audit import AuditCase, Criterion
from domain.assurance.guidance import Recommendation
from projections.assurance import AssuranceProjection
from service.auth.identity import Principal, Role
from service.bootstrap import Services
from service.commands.actions import complete_action, create_action
from service.commands.assurance import audits, fishbones, guidance, inspections
from service.commands.context import CommandContext
from service.reads.planning import planning_year

WARD = "Ward 7 (Respiratory)"
LEAD = "demo-ward7-sister"
CRITERIA = [Criterion("Multifactorial falls risk assessment within 6 hours of admission", 0.95),
            Criterion("Lying and standing blood pressure recorded", 0.9),
            Criterion("Call bell within reach at each intentional rounding", 1.0)]
# Chance that each criterion is met, per audit: the re-audit follows the night checklist.
FIRST, SECOND = (0.8, 0.55, 0.9), (0.93, 0.85, 0.97)
RECOMMENDATIONS = [
    Recommendation("1.1.1", "Do not use falls risk prediction tools to predict inpatients' risk of falling."),
    Recommendation("1.1.2", "Regard all inpatients aged 65 or over as at risk of falling in hospital."),
    Recommendation("1.2.1", "Offer a multifactorial falls risk assessment, including lying and standing blood "
                            "pressure, to those at risk."),
    Recommendation("1.2.2", "Make sure the call bell is within reach and the person can use it."),
    Recommendation("1.3.1", "Check for signs of injury after a fall before moving the person."),
    Recommendation("1.3.2", "Use safe lifting equipment to move a person with a suspected fracture."),
]


def _cases(rng: random.Random, n: int, chances: tuple[float, ...], prefix: str) -> list[AuditCase]:
    out = []
    for i in range(n):
        bp_applies = rng.random() > 0.15   # lying BP is not applicable to people who cannot stand
        results = tuple(None if k == 1 and not bp_applies else rng.random() < p for k, p in enumerate(chances))
        out.append(AuditCase(f"{prefix}-{i + 1:03d}", results))
    return out


async def _audit(services: Services, lead: CommandContext, team: str, title: str, chances: tuple[float, ...],
                 start: date, previous: str | None, rng: random.Random) -> str:
    audit_id, _ = await audits.create_audit(services, lead, team, title, "NICE NG249 1.2 (falls in hospital)",
                                            CRITERIA, previous)
    await audits.define_sample(services, lead, audit_id, "Adult inpatients aged 65 or over, consecutive admissions",
                               40, start, start + timedelta(days=30))
    await audits.invite(services, lead, audit_id, [f"{LEAD}-nurse", f"{LEAD}-rep"])
    nurse = CommandContext(Principal(f"{LEAD}-nurse", Role.TEAM_MEMBER, frozenset([team])), source="demo")
    cases = _cases(rng, 40, chances, title.split()[0].lower() + start.strftime("%y%m"))
    await audits.record_cases(services, lead, audit_id, cases[:25])
    await audits.record_cases(services, nurse, audit_id, cases[25:])
    return audit_id


async def load_assurance_demo(services: Services, teams: dict[str, str]) -> None:
    rng = random.Random(11)
    team = teams[WARD]
    lead = CommandContext(Principal(LEAD, Role.TEAM_LEADER, frozenset([team])), source="demo")
    year = planning_year(date.today())
    start = date(year, 4, 1)

    programme, _ = await audits.establish_programme(services, lead, team, year, f"{WARD} audit programme")
    planned = {}
    for title, due, why in (("Falls prevention audit", start + timedelta(days=60), "Falls are the ward's top harm"),
                            ("Falls prevention re-audit", start + timedelta(days=150), "Close the audit cycle"),
                            ("Hand hygiene audit", start + timedelta(days=240), "Infection prevention programme"),
                            ("Oxygen prescribing audit", start + timedelta(days=300), "BTS guideline update")):
        planned[title], _ = await audits.plan_audit(services, lead, programme, title, "See the audit", due, why)

    first = await _audit(services, lead, team, "Falls prevention audit", FIRST, start, None, rng)
    await audits.start_planned_audit(services, lead, programme, planned["Falls prevention audit"], first)
    finding, _ = await audits.record_finding(
        services, lead, first, "Lying and standing blood pressure missed for night admissions", "HIGH",
        "Most misses were admissions between 22:00 and 06:00, when one registered nurse covers the bay",
        CRITERIA[1].name)
    await audits.record_finding(services, lead, first, "Risk assessments late at weekends", "MODERATE",
                                "Weekend admissions account for most assessments after 6 hours", CRITERIA[0].name)
    checklist, _ = await create_action(services, lead, team, "Night admission checklist with lying and standing BP",
                                       LEAD, start + timedelta(days=90), finding)
    await complete_action(services, lead, checklist, "Checklist in the admission pack since the June ward meeting")
    await audits.complete_audit(services, lead, first, "Two of three criteria below the expected compliance; "
                                "a night admission checklist agreed; re-audit in three months.")

    second = await _audit(services, lead, team, "Falls prevention re-audit", SECOND, start + timedelta(days=120),
                          first, rng)
    await audits.start_planned_audit(services, lead, programme, planned["Falls prevention re-audit"], second)
    await audits.complete_audit(services, lead, second, "Compliance improved on every criterion after the night "
                                "checklist; lying and standing BP still below 90%.")
    await audits.decide_planned_audit(services, lead, programme, planned["Oxygen prescribing audit"], "DEFERRED",
                                      "Waiting for the trust's oxygen policy to be reissued")

    await _guidance(services, lead, team, first, second, start)
    await _inspection(services, lead, team, start)
    position = await services.store.head()
    await services.wait_for_projections(position, (AssuranceProjection.name,))
    diagram, _ = await fishbones.draw(services, lead, team, "Lying and standing BP missed for night admissions",
                                      None, ("FINDING", finding))
    causes = {}
    for category, text in (("People", "One registered nurse covers the bay at night"),
                           ("Methods", "No prompt for lying and standing BP in the admission document"),
                           ("Equipment", "Manual sphygmomanometers kept in the day room"),
                           ("Environment", "Patients asleep on arrival from the emergency department")):
        causes[category], _ = await fishbones.add_cause(services, lead, diagram, category, text, None)
    await fishbones.add_cause(services, lead, diagram, "People", "Agency nurses unfamiliar with the procedure",
                              causes["People"])


async def _guidance(services: Services, lead: CommandContext, team: str, first: str, second: str,
                    start: date) -> None:
    guidance_id, _ = await guidance.register_guidance(services, lead, team, "NICE NG249",
                                                      "Falls: assessment and prevention in hospital", RECOMMENDATIONS)
    assessment, _ = await guidance.begin_assessment(services, lead, team, guidance_id)
    review = start + timedelta(days=180)
    baseline = [
        RecommendationAssessed("1.1.1", "MET", "No prediction score in use since the policy change",
                               [Evidence("DOCUMENT", "Trust falls policy v4")]),
        RecommendationAssessed("1.1.2", "MET", "Everyone 65 or over is on the falls pathway"),
        RecommendationAssessed("1.2.1", "PARTLY_MET", "Assessments done, but lying and standing BP often missed",
                               [Evidence("AUDIT", first)], review),
        RecommendationAssessed("1.2.2", "PARTLY_MET", "Spot checks found bells out of reach in side rooms", (),
                               review),
        RecommendationAssessed("1.3.1", "MET", "Post-fall protocol in use", [Evidence("DOCUMENT", "Post-fall SOP")]),
        RecommendationAssessed("1.3.2", "NOT_MET", "No flat-lifting equipment on the ward", (),
                               start + timedelta(days=120)),
    ]
    await guidance.assess(services, lead, assessment, baseline, "Baseline assessment after the guidance review")
    for entry in baseline:
        if entry.status in GAPS:
            await create_action(services, lead, team, f"Close the gap on NG249 {entry.recommendation}", LEAD,
                                entry.review_date, str(gap_id(assessment, entry.recommendation)))
    await guidance.assess(services, lead, assessment, [
        RecommendationAssessed("1.2.2", "MET", "Bell checks added to intentional rounding; spot checks all passed"),
        RecommendationAssessed("1.2.1", "PARTLY_MET", "Re-audit shows improvement, still below 90% for lying BP",
                               [Evidence("AUDIT", second)], review + timedelta(days=90)),
    ], "Six-month review after the re-audit")


async def _inspection(services: Services, lead: CommandContext, team: str, start: date) -> None:
    inspection, _ = await inspections.record_inspection(
        services, lead, team, "EXTERNAL", "Care Quality Commission", start + timedelta(days=75),
        ["Lead inspector", "Specialist adviser (respiratory nursing)"], ["Safe", "Effective", "Caring", "Well-led"])
    for area, rating, why in (("Safe", "REQUIRES_IMPROVEMENT", "Falls risk assessment not always complete"),
                              ("Effective", "GOOD", "Care follows national guidance"),
                              ("Caring", "OUTSTANDING", "Patients and families praised the staff"),
                              ("Well-led", "GOOD", "Clear governance and an audit programme"),
                              ("Overall", "GOOD", "Good in three of four areas inspected")):
        await inspections.rate_area(services, lead, inspection, area, rating, why)
    finding, _ = await inspections.record_finding(services, lead, inspection,
                                                  "Oxygen not always prescribed before it is given", "MODERATE",
                                                  "Three of ten patients on oxygen had no prescription", "Safe")
    await create_action(services, lead, team, "Oxygen prescribing at the safety huddle every day", LEAD,
                        start + timedelta(days=120), finding)
    await inspections.report(services, lead, inspection, "Good overall; safe requires improvement.")
