"""The demo's signals: raised by the service from the demo charts, each once; acknowledged and open ones."""

from __future__ import annotations

from service.bootstrap import Services
from service.edge.demo import TRUST, load_demo
from tests.conftest import Api

SIGNALS = """query($t: ID!) { signals(teamId: $t, open: null) { id kind basis period status note actionId
  measure { id spc { points { period } } } } }"""


async def test_the_demo_teams_have_acknowledged_and_open_signals_on_their_charts(services: Services,
                                                                                  api: Api) -> None:
    await load_demo(services)
    for _ in range(2):
        await services.wait_for_projections(await services.store.head())
    api.position = await services.store.head()
    teams = (await api.gql("{ teams(first: 500) { edges { node { id name parentTeamId } } } }"))["teams"]["edges"]
    trust = next(e["node"]["id"] for e in teams if e["node"]["name"] == TRUST)
    directorates = {e["node"]["id"] for e in teams if e["node"]["parentTeamId"] == trust}
    wards = [e["node"]["id"] for e in teams if e["node"]["parentTeamId"] in directorates]
    found = [s for ward in wards for s in (await api.gql(SIGNALS, {"t": ward}, role="AUDITOR"))["signals"]]
    assert {s["status"] for s in found} == {"OPEN", "ACKNOWLEDGED"}
    assert any(s["note"] for s in found) and any(s["actionId"] for s in found)
    for s in found:  # each at a point of its chart
        assert s["period"] in {p["period"] for p in s["measure"]["spc"]["points"]}
    keys = [(s["measure"]["id"], s["period"], s["kind"], s["basis"]) for s in found]
    assert len(keys) == len(set(keys))  # none raised twice
