"""Quality planning through the real GraphQL endpoint on the real PostgreSQL: the plan's lifecycle and its
supersession, asOf, typed errors that store nothing, the organisation and its strategy, membership beside the
token's claims, and the senior leader's alignment view."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from typing import Any

from tests.conftest import Api

PLAN_FIELDS = "id year title status needs approvedBy approvedAt team { id } measures { id } supersededBy"
DRAFT = f"""mutation($i: DraftPlanInput!) {{ draftPlan(input: $i) {{ plan {{ {PLAN_FIELDS} }}
  errors {{ code field index message }} }} }}"""
SUBMIT = f"""mutation($i: PlanDecisionInput!) {{ submitPlan(input: $i) {{ plan {{ {PLAN_FIELDS} }}
  errors {{ code field }} }} }}"""
APPROVE = f"""mutation($i: PlanDecisionInput!) {{ approvePlan(input: $i) {{ plan {{ {PLAN_FIELDS} }}
  errors {{ code field message }} }} }}"""
REVISE = """mutation($i: RevisePlanInput!) { revisePlan(input: $i) { plan { id pathway structures reviewers
  commissioning { commissioner reference requirements } measureLinks { measure { id } category needIds priorityCodes }
  revisions { reason parts } } errors { code field index message } } }"""
PLAN = f"query($id: ID!, $at: DateTime) {{ plan(id: $id, asOf: $at) {{ {PLAN_FIELDS} }} }}"
HISTORY = "query($s: ID!) { history(streamId: $s, first: 500) { edges { node { type actor role reason } } } }"
MEMBER = """mutation($i: AddTeamMemberInput!) { addTeamMember(input: $i) { membership { id from to current jobRole }
  errors { code field } } }"""


class Planner:
    """A team with a leader, and the calls a plan goes through."""

    def __init__(self, api: Api, team: str) -> None:
        self.api, self.team = api, team
        self.leader = {"token": api.tokens.issue("leader", "TEAM_LEADER", [team])}
        self.director = {"token": api.tokens.issue("director", "SENIOR_LEADER", [])}

    async def draft(self, **fields: Any) -> dict[str, Any]:
        values = {"teamId": self.team, "year": 2025, "title": "Ward plan 2025/26", **fields}
        return (await self.api.gql(DRAFT, {"i": values}, **self.leader))["draftPlan"]

    async def submit(self, plan: str) -> dict[str, Any]:
        return (await self.api.gql(SUBMIT, {"i": {"planId": plan, "reason": "Agreed at the team away day"}},
                                   **self.leader))["submitPlan"]

    async def approve(self, plan: str, reason: str = "Fits the trust's strategy") -> dict[str, Any]:
        return (await self.api.gql(APPROVE, {"i": {"planId": plan, "reason": reason}}, **self.director))["approvePlan"]

    async def approved_plan(self, **fields: Any) -> str:
        plan = (await self.draft(**fields))["plan"]["id"]
        assert (await self.submit(plan))["errors"] == []
        assert (await self.approve(plan))["errors"] == []
        return str(plan)

    async def history(self, stream: str) -> list[dict[str, Any]]:
        data = await self.api.gql(HISTORY, {"s": stream}, role="AUDITOR")
        return [e["node"] for e in data["history"]["edges"]]


async def planner(api: Api, name: str) -> Planner:
    return Planner(api, await api.create_team(name))


# -- the lifecycle ----------------------------------------------------------------------------------------
async def test_a_plan_is_drafted_submitted_and_approved_with_who_and_why(api: Api) -> None:
    p = await planner(api, "Lifecycle ward")
    measure = await api.define_measure(p.team, name="Falls per 1,000 bed days")
    drafted = await p.draft(needs=["Fewer falls at night", "Carers want evening visiting"], measureIds=[measure])
    assert drafted["errors"] == []
    plan = drafted["plan"]
    assert (plan["status"], plan["year"], plan["needs"], plan["measures"]) == (
        "DRAFT", 2025, ["Fewer falls at night", "Carers want evening visiting"], [{"id": measure}])
    assert (await p.submit(plan["id"]))["plan"]["status"] == "SUBMITTED"
    approved = (await p.approve(plan["id"]))["plan"]
    assert (approved["status"], approved["approvedBy"]) == ("APPROVED", "director")
    assert approved["approvedAt"] is not None
    history = await p.history(plan["id"])
    assert [(e["type"], e["actor"], e["role"]) for e in history] == [
        ("PlanDrafted", "leader", "TEAM_LEADER"), ("PlanSubmitted", "leader", "TEAM_LEADER"),
        ("PlanApproved", "director", "SENIOR_LEADER")]
    assert history[-1]["reason"] == "Fits the trust's strategy"
    team = await api.gql("query($t: ID!) { team(id: $t) { plans { id status } } }", {"t": p.team}, **p.leader)
    assert team["team"]["plans"] == [{"id": plan["id"], "status": "APPROVED"}]


async def test_approving_a_plan_that_is_not_submitted_is_invalid_state_and_stores_nothing(api: Api) -> None:
    p = await planner(api, "Not yet submitted ward")
    plan = (await p.draft())["plan"]["id"]
    before = await p.history(plan)
    answer = await p.approve(plan)
    assert answer["plan"] is None
    assert [e["code"] for e in answer["errors"]] == ["INVALID_STATE"]
    assert await p.history(plan) == before
    assert len(before) == 1
    shown = await api.gql(PLAN, {"id": plan}, **p.leader)
    assert shown["plan"]["status"] == "DRAFT"
    again = await p.submit(plan)
    assert again["errors"] == []
    twice = await p.submit(plan)
    assert [e["code"] for e in twice["errors"]] == ["INVALID_STATE"]
    assert len(await p.history(plan)) == 2


async def test_a_second_approved_plan_for_the_same_year_supersedes_the_first(api: Api) -> None:
    p = await planner(api, "Superseding ward")
    first = await p.approved_plan(title="First plan")
    other_year = await p.approved_plan(year=2026, title="Next year's plan")
    second = (await p.draft(title="Refreshed plan"))["plan"]["id"]
    await p.submit(second)
    approved = await p.approve(second, "Refreshed after the CQC visit")
    assert approved["plan"]["status"] == "APPROVED"
    # Acknowledged, so it shows everywhere at once: the earlier plan, the team's list.
    earlier = (await api.gql(PLAN, {"id": first}, **p.leader))["plan"]
    assert (earlier["status"], earlier["supersededBy"]) == ("SUPERSEDED", second)
    plans = (await api.gql("query($t: ID!) { team(id: $t) { plans { id year status } } }", {"t": p.team},
                           role="AUDITOR"))["team"]["plans"]
    assert plans[0] == {"id": other_year, "year": 2026, "status": "APPROVED"}
    assert {(x["id"], x["status"]) for x in plans[1:]} == {(first, "SUPERSEDED"), (second, "APPROVED")}
    assert [e["type"] for e in await p.history(first)][-1] == "PlanApproved"  # nothing written on the first's stream


async def test_cached_answers_about_plans_follow_every_change_supersession_included(api: Api) -> None:
    p = await planner(api, "Cached ward")
    q = "query($id: ID!, $t: ID!) { plan(id: $id) { status } team(id: $t) { plans { id status } } }"
    first = await p.approved_plan(title="First")
    for _ in range(2):  # the second answer comes from the cache
        seen = await api.gql(q, {"id": first, "t": p.team}, **p.leader)
        assert seen["plan"]["status"] == "APPROVED" and len(seen["team"]["plans"]) == 1
    second = await p.approved_plan(title="Second")
    seen = await api.gql(q, {"id": first, "t": p.team}, **p.leader)
    assert seen["plan"]["status"] == "SUPERSEDED"
    assert {(x["id"], x["status"]) for x in seen["team"]["plans"]} == {(first, "SUPERSEDED"), (second, "APPROVED")}


async def test_as_of_shows_the_plan_as_it_stood_then(api: Api) -> None:
    p = await planner(api, "As-of ward")
    plan = (await p.draft(title="Before"))["plan"]["id"]
    await asyncio.sleep(0.05)
    drafted_only = datetime.now(UTC).isoformat()
    await asyncio.sleep(0.05)
    await p.submit(plan)
    await p.approve(plan)
    await asyncio.sleep(0.05)
    approved_only = datetime.now(UTC).isoformat()
    await asyncio.sleep(0.05)
    later = (await p.draft(title="After"))["plan"]["id"]
    await p.submit(later)
    await p.approve(later)
    then = (await api.gql(PLAN, {"id": plan, "at": drafted_only}, **p.leader))["plan"]
    assert (then["status"], then["approvedBy"], then["title"]) == ("DRAFT", None, "Before")
    mid = (await api.gql(PLAN, {"id": plan, "at": approved_only}, **p.leader))["plan"]
    assert (mid["status"], mid["approvedBy"]) == ("APPROVED", "director")
    now = (await api.gql(PLAN, {"id": plan, "at": datetime.now(UTC).isoformat()}, **p.leader))["plan"]
    assert (now["status"], now["supersededBy"]) == ("SUPERSEDED", later)
    before = (await api.gql(PLAN, {"id": plan, "at": "2000-01-01T00:00:00Z"}, **p.leader))["plan"]
    assert before is None


# -- bad input: a typed error, nothing stored -------------------------------------------------------------
async def plan_count(api: Api, team: str) -> int:
    data = await api.gql("query($t: ID!) { auditLog(teamId: $t, first: 500) { edges { node { type } } } }",
                         {"t": team}, role="AUDITOR")
    return sum(1 for e in data["auditLog"]["edges"] if e["node"]["type"].startswith("Plan"))


async def test_a_plan_with_a_measure_of_another_team_is_invalid_with_field_and_index(api: Api) -> None:
    p = await planner(api, "Own measures ward")
    mine = await api.define_measure(p.team, name="Mine")
    theirs = await api.define_measure(await api.create_team("Neighbour ward"), name="Theirs")
    answer = await p.draft(measureIds=[mine, theirs])
    assert answer["plan"] is None
    assert [(e["code"], e["field"], e["index"]) for e in answer["errors"]] == [("INVALID", "measureIds", 1)]
    assert await plan_count(api, p.team) == 0


async def test_a_year_out_of_range_or_an_empty_title_is_invalid_and_stores_nothing(api: Api) -> None:
    p = await planner(api, "Bad input ward")
    for fields, field in (({"year": 1999}, "year"), ({"year": 2101}, "year"), ({"title": "   "}, "title")):
        answer = await p.draft(**fields)
        assert [(e["code"], e["field"]) for e in answer["errors"]] == [("INVALID", field)]
    assert await plan_count(api, p.team) == 0


async def test_a_membership_that_ends_before_it_starts_is_invalid_and_stores_nothing(api: Api) -> None:
    p = await planner(api, "Membership ward")
    answer = await api.gql(MEMBER, {"i": {"teamId": p.team, "subject": "sam", "jobRole": "TEAM_MEMBER",
                                          "from": "2025-04-01", "to": "2025-03-31"}}, **p.leader)
    assert answer["addTeamMember"] == {"membership": None, "errors": [{"code": "INVALID", "field": "to"}]}
    listed = await api.gql("query($t: ID!) { memberships(teamId: $t) { id } }", {"t": p.team}, **p.leader)
    assert listed["memberships"] == []


# -- the organisation, its strategy, and the rest of the plan ----------------------------------------------
ESTABLISH = """mutation($i: EstablishOrganisationInput!) { establishOrganisation(input: $i) {
  organisation { id name rootTeam { id } } errors { code field } } }"""
DIRECTORATE = """mutation($i: DesignateDirectorateInput!) { designateDirectorate(input: $i) {
  organisation { directorates { id name } } errors { code field } } }"""
STRATEGY = """mutation($i: SetStrategyInput!) { setStrategy(input: $i) {
  organisation { strategies { year vision priorities { code title } setBy reason } } errors { code field index } } }"""
ALIGNMENT = """query($o: ID!, $y: Int) { alignment(organisationId: $o, year: $y) { year strategy { mission }
  priorities { priority { code } teams { id } measures { id } } teamsWithoutApprovedPlan { id } } }"""


async def organisation(api: Api, name: str) -> dict[str, str]:
    """A trust with one directorate and two teams in it, and a strategy for 2025."""
    root = await api.create_team(name)
    medicine = await api.gql("mutation($i: CreateTeamInput!) { createTeam(input: $i) { team { id } } }",
                             {"i": {"name": f"{name} medicine", "parentTeamId": root}})
    directorate = medicine["createTeam"]["team"]["id"]
    teams = []
    for ward in ("A", "B"):
        made = await api.gql("mutation($i: CreateTeamInput!) { createTeam(input: $i) { team { id } } }",
                             {"i": {"name": f"{name} ward {ward}", "parentTeamId": directorate}})
        teams.append(made["createTeam"]["team"]["id"])
    org = (await api.gql(ESTABLISH, {"i": {"name": name, "rootTeamId": root}}))["establishOrganisation"]
    assert org["errors"] == [] and org["organisation"]["rootTeam"] == {"id": root}
    org_id = org["organisation"]["id"]
    designated = await api.gql(DIRECTORATE, {"i": {"organisationId": org_id, "teamId": directorate}})
    assert designated["designateDirectorate"]["organisation"]["directorates"][0]["id"] == directorate
    strategy = await api.gql(STRATEGY, {"i": {
        "organisationId": org_id, "year": 2025, "vision": "Outstanding care, every time",
        "mission": "Safe, kind and timely care", "reason": "Approved by the board in March",
        "priorities": [{"code": "SAFE-CARE", "title": "Safe care"}, {"code": "ACCESS", "title": "Timely access"}]}})
    assert strategy["setStrategy"]["errors"] == []
    return {"org": org_id, "root": root, "directorate": directorate, "a": teams[0], "b": teams[1]}


async def test_a_directorate_must_sit_directly_below_the_root(api: Api) -> None:
    world = await organisation(api, "Directorate trust")
    wrong = await api.gql(DIRECTORATE, {"i": {"organisationId": world["org"], "teamId": world["a"]}})
    assert wrong["designateDirectorate"]["errors"] == [{"code": "INVALID", "field": "teamId"}]


async def test_a_strategy_is_versioned_by_year_and_an_unknown_priority_is_invalid(api: Api) -> None:
    world = await organisation(api, "Strategy trust")
    revised = await api.gql(STRATEGY, {"i": {
        "organisationId": world["org"], "year": 2026, "vision": "Outstanding care", "mission": "Safe and kind",
        "reason": "Refreshed strategy", "priorities": [{"code": "SAFE-CARE", "title": "Safe care"}]}})
    years = revised["setStrategy"]["organisation"]["strategies"]
    assert [(s["year"], [p["code"] for p in s["priorities"]]) for s in years] == [
        (2026, ["SAFE-CARE"]), (2025, ["SAFE-CARE", "ACCESS"])]
    assert years[0]["setBy"] == "tester"
    p = Planner(api, world["a"])
    measure = await api.define_measure(world["a"], name="Time to assessment")
    plan = (await p.draft(measureIds=[measure]))["plan"]["id"]
    bad = await api.gql(REVISE, {"i": {"planId": plan, "reason": "Link to the strategy", "measures": [
        {"measureId": measure, "priorityCodes": ["SAFE-CARE", "NOT-A-PRIORITY"]}]}}, **p.leader)
    assert [(e["code"], e["field"], e["index"]) for e in bad["revisePlan"]["errors"]] == [("INVALID", "priorities", 0)]
    assert len(await p.history(plan)) == 1


async def test_the_rest_of_the_plan_is_revised_raised_commented_and_reviewed(api: Api) -> None:
    world = await organisation(api, "Content trust")
    p = Planner(api, world["a"])
    falls = await api.define_measure(world["a"], name="Falls", kind="OUTCOME")
    plan = (await p.draft(needs=["Fewer falls at night"]))["plan"]["id"]
    patient = {"token": api.tokens.issue("patient-9", "SERVICE_USER", [world["a"]])}
    raised = await api.gql("""mutation($i: PlanTextInput!) { raisePlanNeed(input: $i) { plan { raisedNeeds {
        id text raisedBy raisedByRole } } errors { code } } }""",
                           {"i": {"planId": plan, "text": "Somewhere quiet to talk to the doctor"}}, **patient)
    needs = raised["raisePlanNeed"]["plan"]["raisedNeeds"]
    assert needs[1] == {"id": "n2", "text": "Somewhere quiet to talk to the doctor", "raisedBy": "patient-9",
                        "raisedByRole": "SERVICE_USER"}
    revised = await api.gql(REVISE, {"i": {
        "planId": plan, "reason": "Co-design workshop with patients", "pathway": ["Admission", "Falls risk "
        "assessment", "Discharge"], "structures": ["Daily safety huddle"], "reviewers": ["matron"],
        "commissioning": {"commissioner": "North ICB", "reference": "SPEC-2025-07", "requirements": ["Falls < 5"]},
        "measures": [{"measureId": falls, "needIds": ["n1", "n2"], "priorityCodes": ["SAFE-CARE"]}]}}, **p.leader)
    shown = revised["revisePlan"]["plan"]
    assert shown["pathway"] == ["Admission", "Falls risk assessment", "Discharge"]
    assert shown["commissioning"]["reference"] == "SPEC-2025-07"
    assert shown["measureLinks"] == [{"measure": {"id": falls}, "category": "OUTCOME", "needIds": ["n1", "n2"],
                                      "priorityCodes": ["SAFE-CARE"]}]
    assert shown["revisions"][0]["parts"] == ["commissioning", "measures", "pathway", "reviewers", "structures"]
    comment = """mutation($i: PlanTextInput!) { commentOnPlan(input: $i) { plan { comments { author text } } }}"""
    commented = await api.gql(comment, {"i": {"planId": plan, "text": "Please think about night staff"}}, **patient)
    assert commented["commentOnPlan"]["plan"]["comments"] == [{"author": "patient-9",
                                                               "text": "Please think about night staff"}]
    review = """mutation($i: ReviewPlanInput!) { reviewPlan(input: $i) { plan { reviews { reviewer verdict } }
        errors { code } } }"""
    refused = await api.gql(review, {"i": {"planId": plan, "verdict": "SUPPORTED", "text": "ok"}}, **p.leader)
    assert refused["reviewPlan"]["errors"] == [{"code": "FORBIDDEN"}]
    matron = {"token": api.tokens.issue("matron", "SENIOR_CLINICIAN", [world["a"]])}
    done = await api.gql(review, {"i": {"planId": plan, "verdict": "SUPPORTED", "text": "Good"}}, **matron)
    assert done["reviewPlan"]["plan"]["reviews"] == [{"reviewer": "matron", "verdict": "SUPPORTED"}]


async def test_the_alignment_view_shows_what_serves_each_priority_and_who_has_no_approved_plan(api: Api) -> None:
    world = await organisation(api, "Aligned trust")
    p = Planner(api, world["a"])
    measure = await api.define_measure(world["a"], name="Waiting time")
    plan = (await p.draft(measureIds=[measure]))["plan"]["id"]
    await api.gql(REVISE, {"i": {"planId": plan, "reason": "Link to the strategy", "measures": [
        {"measureId": measure, "priorityCodes": ["ACCESS"]}]}}, **p.leader)
    await p.submit(plan)
    await p.approve(plan)
    view = (await api.gql(ALIGNMENT, {"o": world["org"], "y": 2025}))["alignment"]
    assert view["strategy"]["mission"] == "Safe, kind and timely care"
    assert view["priorities"] == [{"priority": {"code": "SAFE-CARE"}, "teams": [], "measures": []},
                                  {"priority": {"code": "ACCESS"}, "teams": [{"id": world["a"]}],
                                   "measures": [{"id": measure}]}]
    assert view["teamsWithoutApprovedPlan"] == [{"id": world["b"]}]
    refused = await api.http.post(f"{api.base}/graphql", json={"query": ALIGNMENT, "variables": {"o": world["org"]}},
                                  headers={"Authorization": f"Bearer {api.token('TEAM_LEADER', [world['a']])}"})
    assert refused.json()["errors"][0]["extensions"]["code"] == "FORBIDDEN"


async def test_the_caller_sees_where_the_token_s_claims_and_membership_disagree(api: Api) -> None:
    p = await planner(api, "Claims ward")
    left = await planner(api, "Left ward")
    joined = await api.gql(MEMBER, {"i": {"teamId": p.team, "subject": "sam", "jobRole": "TEAM_MEMBER",
                                          "from": "2024-01-01"}}, **p.leader)
    assert joined["addTeamMember"]["membership"]["current"] is True
    old = await api.gql(MEMBER, {"i": {"teamId": left.team, "subject": "sam", "jobRole": "SENIOR_CLINICIAN",
                                       "from": "2020-01-01"}}, **left.leader)
    ended = await api.gql("""mutation($i: EndTeamMembershipInput!) { endTeamMembership(input: $i) {
        membership { to current } errors { code } } }""", {"i": {
        "membershipId": old["addTeamMember"]["membership"]["id"], "to": "2024-12-31", "reason": "Moved wards"}},
        **left.leader)
    assert ended["endTeamMembership"]["membership"] == {"to": "2024-12-31", "current": False}
    me = await api.gql("{ me { subject claimedTeamIds claimedWithoutMembership membershipWithoutClaim } }",
                       token=api.tokens.issue("sam", "TEAM_MEMBER", [left.team]))
    assert me["me"] == {"subject": "sam", "claimedTeamIds": [left.team], "claimedWithoutMembership": [left.team],
                        "membershipWithoutClaim": [p.team]}


# -- measures fully defined ------------------------------------------------------------------------------
SPECIFY = """mutation($i: SpecifyMeasureInput!) { specifyMeasure(input: $i) { measure { id codes { system code }
  specification { owner numerator denominator inclusions exclusions dataSource reason specifiedBy } }
  errors { code field index } } }"""


async def test_a_measure_is_fully_defined_and_each_change_of_definition_keeps_its_reason(api: Api) -> None:
    p = await planner(api, "Specified ward")
    falls = await api.define_measure(p.team, name="Falls per 1,000 bed days")
    snomed = {"system": "http://snomed.info/sct", "code": f"217082002-{falls[:8]}"}
    first = await api.gql(SPECIFY, {"i": {
        "measureId": falls, "owner": "leader", "numerator": "Inpatient falls", "denominator": "Occupied bed days",
        "inclusions": ["Adult inpatients"], "exclusions": ["Falls before admission"], "dataSource": "Datix",
        "codes": [snomed], "reason": "Agreed for the 2025/26 plan"}}, **p.leader)
    measure = first["specifyMeasure"]["measure"]
    assert measure["codes"] == [snomed]
    assert measure["specification"] == {
        "owner": "leader", "numerator": "Inpatient falls", "denominator": "Occupied bed days",
        "inclusions": ["Adult inpatients"], "exclusions": ["Falls before admission"], "dataSource": "Datix",
        "reason": "Agreed for the 2025/26 plan", "specifiedBy": "leader"}
    changed = await api.gql(SPECIFY, {"i": {"measureId": falls, "owner": "matron", "numerator": "Inpatient falls",
                                            "dataSource": "Ward safety dashboard", "codes": [snomed],
                                            "reason": "Datix replaced by the safety dashboard"}}, **p.leader)
    assert changed["specifyMeasure"]["measure"]["specification"]["owner"] == "matron"
    history = [e for e in await p.history(falls) if e["type"] == "MeasureSpecified"]
    assert [e["reason"] for e in history] == ["Agreed for the 2025/26 plan", "Datix replaced by the safety dashboard"]
    as_of = await api.gql("query($id: ID!, $at: DateTime) { measure(id: $id, asOf: $at) { name } }",
                          {"id": falls, "at": datetime.now(UTC).isoformat()}, **p.leader)
    assert as_of["measure"]["name"] == "Falls per 1,000 bed days"  # the chart's fold passes the definition by
    other = await api.define_measure(p.team, name="Falls with harm")
    taken = await api.gql(SPECIFY, {"i": {"measureId": other, "owner": "leader", "numerator": "Falls with harm",
                                          "dataSource": "Datix", "codes": [snomed], "reason": "Same code"}},
                          **p.leader)
    assert taken["specifyMeasure"]["errors"] == [{"code": "INVALID", "field": "codes", "index": 0}]
    assert [e["type"] for e in await p.history(other)] == ["MeasureDefined"]


# -- the demo ---------------------------------------------------------------------------------------------
async def test_the_demo_organisation_has_directorates_a_strategy_and_plans_in_several_states(
        make_database: Any) -> None:
    """On a database of its own: the demo loads once per database, and another test loads it in the shared one."""
    from service.auth.identity import Principal, Role
    from service.bootstrap import start_services
    from service.edge.demo import load_demo
    from service.reads import planning as reads
    from tests.conftest import settings_for

    services = await start_services(settings_for(await make_database()))
    try:
        await load_demo(services)
        await services.wait_for_projections(await services.store.head(), ("catalog", "planning"))
        demo = (await reads.organisations(services.pool))[0]
        this_year = reads.planning_year(datetime.now(UTC).date())
        assert len(demo.directorates) == 3
        assert [s.year for s in await reads.strategies(services.pool, demo.id)] == [this_year, this_year - 1]
        view = await reads.alignment(services, Principal("board", Role.SENIOR_LEADER), demo.id, this_year)
        assert view is not None
        served = {p.priority["code"]: len(p.measure_ids) for p in view.priorities}
        assert (served["TIMELY-ACCESS"], served["SAFE-CARE"], served["HEALTHY-WORKFORCE"]) == (2, 1, 0)
        statuses = set()
        for team_id in [*view.teams_without_approved_plan, *{t for p in view.priorities for t in p.team_ids}]:
            statuses |= {(p.doc["year"], p.status) for p in await reads.plans_of_team(services.pool, team_id)}
        assert len(view.teams_without_approved_plan) == 2
        assert statuses == {(this_year - 1, "APPROVED"), (this_year - 1, "SUPERSEDED"), (this_year, "APPROVED"),
                            (this_year, "SUBMITTED"), (this_year, "DRAFT")}
        async with services.pool.acquire() as conn:
            assert await conn.fetchval("SELECT count(*) FROM measure_specifications") == 3
    finally:
        await services.close()
