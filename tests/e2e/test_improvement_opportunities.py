"""The register of improvement opportunities through GraphQL: anyone of the team proposes, each person votes
once, a vote from outside the team is FORBIDDEN, the team's choice and why, and a project from the chosen one."""

from __future__ import annotations

from typing import Any

from tests.conftest import Api
from tests.e2e.improvement_helpers import Improver, improver, log_head

OPPORTUNITY = "id title status votes voted voterRoles proposedByRole decision { reason by } projects { id title }"


async def propose(t: Improver, title: str, who: dict[str, Any] | None = None) -> dict[str, Any]:
    return await t.do("proposeOpportunity", "ProposeOpportunityInput",
                      {"teamId": t.team, "title": title, "description": "Raised at the patient forum"},
                      f"opportunity {{ {OPPORTUNITY} }}", who)


async def vote(t: Improver, opportunity: str, who: dict[str, Any]) -> dict[str, Any]:
    return await t.do("voteForOpportunity", "OpportunityIdInput", {"opportunityId": opportunity},
                      f"opportunity {{ {OPPORTUNITY} }}", who)


async def test_a_service_user_proposes_people_vote_and_the_team_chooses_with_its_reason(api: Api) -> None:
    t = await improver(api, "Opportunity ward")
    proposed = await propose(t, "Falls at night", t.patient)
    assert proposed["errors"] == []
    opportunity = proposed["opportunity"]
    assert (opportunity["status"], opportunity["proposedByRole"], opportunity["votes"]) == (
        "PROPOSED", "SERVICE_USER", 0)
    other = (await propose(t, "Discharge letters", t.member))["opportunity"]["id"]
    for who in (t.patient, t.member, t.leader):
        assert (await vote(t, opportunity["id"], who))["errors"] == []
    await vote(t, other, t.member)
    register = await api.gql(f"query($t: ID!) {{ opportunities(teamId: $t) {{ {OPPORTUNITY} }} }}", {"t": t.team},
                             **t.member)
    assert [(o["title"], o["votes"], o["voted"]) for o in register["opportunities"]] == [
        ("Falls at night", 3, True), ("Discharge letters", 1, True)]
    assert sorted(register["opportunities"][0]["voterRoles"]) == ["SERVICE_USER", "TEAM_LEADER", "TEAM_MEMBER"]
    chosen = await t.do("chooseOpportunity", "OpportunityDecisionInput",
                        {"opportunityId": opportunity["id"], "reason": "Most votes, and harm to patients"},
                        f"opportunity {{ {OPPORTUNITY} }}")
    assert chosen["opportunity"]["status"] == "CHOSEN"
    assert chosen["opportunity"]["decision"] == {"reason": "Most votes, and harm to patients", "by": "leader"}
    started = await t.do("startProjectFromOpportunity", "StartProjectInput",
                         {"opportunityId": opportunity["id"], "title": "Fewer falls at night", "aim": "30% fewer",
                          "measureIds": [], "plannedEnd": "2026-03-31"}, "project { id opportunityId team { id } }")
    assert started["errors"] == []
    assert (started["project"]["opportunityId"], started["project"]["team"]) == (opportunity["id"], {"id": t.team})
    data = await api.gql(f"query($id: ID!) {{ opportunity(id: $id) {{ {OPPORTUNITY} }} }}",
                         {"id": opportunity["id"]}, **t.leader)
    assert data["opportunity"]["projects"] == [{"id": started["project"]["id"], "title": "Fewer falls at night"}]


async def test_a_second_vote_by_the_same_person_is_invalid_and_stores_nothing(api: Api, database_url: str) -> None:
    t = await improver(api, "Second vote ward")
    opportunity = (await propose(t, "Call bells"))["opportunity"]["id"]
    assert (await vote(t, opportunity, t.member))["errors"] == []
    before = await log_head(database_url)
    again = await vote(t, opportunity, t.member)
    assert (again["opportunity"], [(e["code"], e["field"]) for e in again["errors"]]) == (
        None, [("INVALID", "opportunityId")])
    assert await log_head(database_url) == before


async def test_a_vote_from_outside_the_team_is_forbidden_and_stores_nothing(api: Api, database_url: str) -> None:
    t = await improver(api, "Outsider vote ward")
    opportunity = (await propose(t, "Hand hygiene"))["opportunity"]["id"]
    stranger = {"token": api.tokens.issue("stranger", "TEAM_MEMBER", [])}
    other_team = {"token": api.tokens.issue("neighbour", "SERVICE_USER", [await api.create_team("Next door")])}
    before = await log_head(database_url)
    for who in (stranger, other_team):
        outside = await vote(t, opportunity, who)
        assert [e["code"] for e in outside["errors"]] == ["FORBIDDEN"]
    assert await log_head(database_url) == before


async def test_a_project_starts_only_from_a_chosen_opportunity(api: Api, database_url: str) -> None:
    t = await improver(api, "Unchosen ward")
    opportunity = (await propose(t, "Noise at night"))["opportunity"]["id"]
    before = await log_head(database_url)
    started = await t.do("startProjectFromOpportunity", "StartProjectInput",
                         {"opportunityId": opportunity, "title": "Quiet nights", "aim": "Less noise",
                          "measureIds": [], "plannedEnd": "2026-03-31"}, "project { id }")
    assert [e["code"] for e in started["errors"]] == ["INVALID_STATE"]
    assert await log_head(database_url) == before
    declined = await t.do("declineOpportunity", "OpportunityDecisionInput",
                          {"opportunityId": opportunity, "reason": "Estates are fixing the doors"},
                          "opportunity { status }")
    assert declined["opportunity"]["status"] == "DECLINED"
    late_vote = await vote(t, opportunity, t.member)
    assert [e["code"] for e in late_vote["errors"]] == ["INVALID_STATE"]


async def test_whether_i_voted_is_my_own_answer_even_beside_someone_of_the_same_role_and_team(api: Api) -> None:
    t = await improver(api, "Cached vote ward")
    opportunity = (await propose(t, "Night noise"))["opportunity"]["id"]
    q = "query($id: ID!) { opportunity(id: $id) { voted votes } }"
    voter = {"token": api.tokens.issue("voter", "TEAM_MEMBER", [t.team])}
    other = {"token": api.tokens.issue("bystander", "TEAM_MEMBER", [t.team])}
    await vote(t, opportunity, voter)
    assert (await api.gql(q, {"id": opportunity}, **voter))["opportunity"] == {"voted": True, "votes": 1}
    assert (await api.gql(q, {"id": opportunity}, **other))["opportunity"] == {"voted": False, "votes": 1}
