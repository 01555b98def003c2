"""`qms demo`'s teams show different, believable balance profiles."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import httpx

from service.auth.identity import TokenService
from service.bootstrap import start_services
from service.edge.demo import load_demo
from tests.conftest import Api, serving, settings_for

RANKING = """query($f: Date!, $to: Date!) { balanceRanking(from: $f, to: $to) { rank teamName
  balance { score profile aspects { aspect events share people serviceUsers } } drivers { name state } } }"""


async def test_the_demo_teams_have_different_profiles(make_database: Any, tokens: TokenService) -> None:
    url = await make_database()
    loader = await start_services(settings_for(url))
    try:
        await load_demo(loader)
        head = await loader.store.head()
    finally:
        await loader.close()
    today = datetime.now(UTC).date()
    window = {"f": (today - timedelta(days=90)).isoformat(), "to": (today + timedelta(days=1)).isoformat()}
    async with serving(settings_for(url)) as base, httpx.AsyncClient(timeout=60) as http:
        api = Api(base, tokens, http)
        api.position = head
        ranking = (await api.gql(RANKING, window))["balanceRanking"]
    teams = {r["teamName"]: r for r in ranking}
    worked = ["Emergency Department", "Ward 7 (Respiratory)", "Community Diabetes Service"]
    profiles = {tuple(teams[t]["balance"]["profile"]) for t in worked}
    assert len(profiles) == len(worked)
    shares = {t: {a["aspect"]: a["share"] for a in teams[t]["balance"]["aspects"]} for t in worked}
    assert len({tuple(s.values()) for s in shares.values()}) == len(worked)
