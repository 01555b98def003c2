"""Browsing: the teams and measures a front end starts from, the hierarchy, and who sees which measures."""

from __future__ import annotations

import uuid

import httpx

from tests.conftest import Api

TEAMS = """query($first: Int, $after: String) { teams(first: $first, after: $after) {
  edges { cursor node { id name } } pageInfo { hasNextPage endCursor } } }"""
MEASURES = """query($teamId: ID, $first: Int, $after: String) {
  measures(teamId: $teamId, first: $first, after: $after) {
  edges { cursor node { id name team { id } } } pageInfo { hasNextPage endCursor } } }"""


async def create_team(api: Api, name: str, parent: str | None = None) -> str:
    data = await api.gql("mutation($i: CreateTeamInput!) { createTeam(input: $i) { team { id } } }",
                         {"i": {"name": name, "parentTeamId": parent}})
    return data["createTeam"]["team"]["id"]


async def all_teams(api: Api, first: int) -> tuple[list[dict], int]:
    seen, after, pages = [], None, 0
    while True:
        page = (await api.gql(TEAMS, {"first": first, "after": after}))["teams"]
        pages += 1
        seen += [e["node"] for e in page["edges"]]
        assert len(page["edges"]) <= first
        if not page["pageInfo"]["hasNextPage"]:
            return seen, pages
        after = page["pageInfo"]["endCursor"]
        assert after == page["edges"][-1]["cursor"]


async def test_teams_are_listed_by_name_page_by_page_without_gaps_or_repeats(api: Api) -> None:
    prefix = f"Browse {uuid.uuid4().hex[:8]}"
    made = {await create_team(api, f"{prefix} {name}"): name for name in ("Charlie", "Alpha", "Bravo")}
    seen, pages = await all_teams(api, first=2)
    ids = [t["id"] for t in seen]
    assert len(ids) == len(set(ids))
    assert pages >= 2
    mine = [t["name"].removeprefix(f"{prefix} ") for t in seen if t["id"] in made]
    assert mine == ["Alpha", "Bravo", "Charlie"]
    names = [t["name"] for t in seen]
    assert names == sorted(names)


async def test_a_cached_team_list_shows_a_team_created_after_it(api: Api) -> None:
    before, _ = await all_teams(api, first=500)
    again, _ = await all_teams(api, first=500)          # served from the answer cache
    assert again == before
    new = await create_team(api, f"Browse late {uuid.uuid4().hex[:8]}")
    after, _ = await all_teams(api, first=500)
    assert new in {t["id"] for t in after}
    assert len(after) == len(before) + 1


async def test_a_team_shows_its_parent_and_its_children_by_name(api: Api) -> None:
    directorate = await create_team(api, f"Medicine {uuid.uuid4().hex[:6]}")
    ward_b = await create_team(api, "Ward B", parent=directorate)
    ward_a = await create_team(api, "Ward A", parent=directorate)
    query = "query($id: ID!) { team(id: $id) { name parent { id } children { id name parent { id } } } }"
    top = (await api.gql(query, {"id": directorate}))["team"]
    assert top["parent"] is None
    assert [(c["id"], c["name"]) for c in top["children"]] == [(ward_a, "Ward A"), (ward_b, "Ward B")]
    assert all(c["parent"]["id"] == directorate for c in top["children"])
    # a new child shows in a list that was cached before it
    ward_c = await create_team(api, "Ward C", parent=directorate)
    top = (await api.gql(query, {"id": directorate}))["team"]
    assert [c["id"] for c in top["children"]] == [ward_a, ward_b, ward_c]


async def test_team_members_browse_only_their_own_teams_measures(api: Api) -> None:
    ours, theirs = await create_team(api, "Browse ours"), await create_team(api, "Browse theirs")
    falls = await api.define_measure(ours, name="Falls per 1,000 bed days")
    sepsis = await api.define_measure(ours, name="Antibiotics within an hour")
    other = await api.define_measure(theirs, name="Pressure ulcers")
    query = "query($id: ID!) { team(id: $id) { measures { id name } } }"
    member = {"role": "TEAM_MEMBER", "teams": [ours]}
    assert [m["id"] for m in (await api.gql(query, {"id": ours}, **member))["team"]["measures"]] == [sepsis, falls]
    assert (await api.gql(query, {"id": theirs}, **member))["team"]["measures"] == []
    own = (await api.gql(MEASURES, {"teamId": ours}, **member))["measures"]["edges"]
    assert [e["node"]["id"] for e in own] == [sepsis, falls]
    assert (await api.gql(MEASURES, {"teamId": theirs}, **member))["measures"]["edges"] == []
    everything = (await api.gql(MEASURES, {"first": 500}, **member))["measures"]["edges"]
    assert {e["node"]["team"]["id"] for e in everything} == {ours}
    leader = (await api.gql(MEASURES, {"first": 500}, role="SENIOR_LEADER"))["measures"]["edges"]
    assert {falls, sepsis, other} <= {e["node"]["id"] for e in leader}


async def test_a_cached_measure_list_shows_a_measure_defined_after_it(api: Api) -> None:
    team = await create_team(api, "Browse cache")
    first = await api.define_measure(team, name="A measure")
    assert [e["node"]["id"] for e in (await api.gql(MEASURES, {"teamId": team}))["measures"]["edges"]] == [first]
    second = await api.define_measure(team, name="B measure")
    edges = (await api.gql(MEASURES, {"teamId": team}))["measures"]["edges"]
    assert [e["node"]["id"] for e in edges] == [first, second]


async def test_a_cursor_this_api_did_not_give_and_a_page_too_large_are_refused(server: str, api: Api) -> None:
    async with httpx.AsyncClient() as http:
        for variables, code in (({"after": "bm90LWEtY3Vyc29y"}, "INVALID_CURSOR"), ({"first": 501}, "OUT_OF_RANGE"),
                                ({"first": -1}, "OUT_OF_RANGE")):
            for query in (TEAMS, MEASURES):
                r = await http.post(f"{server}/graphql", json={"query": query, "variables": variables},
                                    headers={"Authorization": f"Bearer {api.token()}"})
                assert r.json()["errors"][0]["extensions"]["code"] == code, (query, variables, r.text)
