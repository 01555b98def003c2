"""The demo's improvement work: a project chosen from the register, with a driver diagram, three cycles (adapt,
adapt, adopt) on a measure whose chart shows special-cause improvement after them, a Pareto chart, and a current
and future-state flow chart."""

from __future__ import annotations

from typing import Any

import httpx

from service.auth.identity import TokenService
from service.bootstrap import start_services
from service.edge.demo import TRUST, load_demo
from tests.conftest import Api, serving, settings_for

PROJECT = """query($t: ID!) { projects(teamId: $t) { title opportunityId sponsor stage members { role }
  cycles { decision stage } driverDiagrams { changeIdeas { cycles { id } } }
  outcome { measure { id } improved cyclesBegan firstImprovement }
  paretoCharts { categories { name vitalFew } } flowcharts { state steps { id } } ideaSessions { changeIdeas } } }"""


async def test_the_demo_has_an_improvement_project_whose_chart_shows_the_improvement(make_database: Any,
                                                                                    tokens: TokenService) -> None:
    """On a database of its own: the demo loads once per database, and another test loads it in the shared one."""
    url = await make_database()
    loader = await start_services(settings_for(url))
    try:
        await load_demo(loader)
        head = await loader.store.head()
    finally:
        await loader.close()
    async with serving(settings_for(url)) as base, httpx.AsyncClient(timeout=60) as http:
        api = Api(base, tokens, http)
        api.position = head  # read the demo's writes
        await check_demo(api)


async def check_demo(api: Api) -> None:
    trust = next(e["node"]["id"] for e in (await api.gql("{ teams(first: 500) { edges { node { id name } } } }"))
                 ["teams"]["edges"] if e["node"]["name"] == TRUST)
    tree = await api.gql("query($id: ID!) { team(id: $id) { children { children { id name } } } }", {"id": trust})
    ward = next(t["id"] for d in tree["team"]["children"] for t in d["children"] if t["name"] == "Ward 7 (Respiratory)")
    [project] = (await api.gql(PROJECT, {"t": ward}))["projects"]
    assert (project["title"], project["sponsor"], project["stage"]) == (
        "Fewer falls at night", "director.ahmed", "IMPLEMENTATION")
    assert project["opportunityId"] is not None and "SERVICE_USER" in {m["role"] for m in project["members"]}
    assert [c["decision"] for c in project["cycles"]] == ["ADAPT", "ADAPT", "ADOPT"]
    assert len(project["driverDiagrams"][0]["changeIdeas"][0]["cycles"]) == 3
    [outcome] = project["outcome"]
    notes = await api.gql("query($id: ID!) { measure(id: $id) { spc { annotations { kind } } } }",
                          {"id": outcome["measure"]["id"]})
    assert [a["kind"] for a in notes["measure"]["spc"]["annotations"]].count("PDSA") == 3
    assert outcome["improved"] and outcome["firstImprovement"] >= outcome["cyclesBegan"]
    bars = project["paretoCharts"][0]["categories"]
    assert bars[0] == {"name": "Going to the toilet", "vitalFew": True} and not bars[-1]["vitalFew"]
    assert sorted((f["state"], len(f["steps"])) for f in project["flowcharts"]) == [("CURRENT", 5), ("FUTURE", 4)]
    assert project["ideaSessions"][0]["changeIdeas"] == ["Offer the toilet before lights out", "Hourly rounding"]
