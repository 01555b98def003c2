"""/metrics: the series operators watch, served only to a scraper with the configured token, moving as requests
are made."""

from __future__ import annotations

import re

import httpx
import pytest

from tests.conftest import Api, serving, settings_for

SCRAPE = {"Authorization": "Bearer scrape-me"}


def value(text: str, series: str) -> float:
    """The sum of every sample of a series whose line starts with `series` (labels included as written)."""
    found = [float(m.group(1)) for m in re.finditer(rf"^{re.escape(series)}\S* (\S+)$", text, re.MULTILINE)]
    return sum(found)


@pytest.fixture
async def metered(database_url: str) -> object:
    async with serving(settings_for(database_url, metrics_token="scrape-me")) as url:
        yield url


async def test_metrics_are_refused_without_the_token_and_absent_when_not_configured(metered: str,
                                                                                    server: str) -> None:
    async with httpx.AsyncClient() as http:
        assert (await http.get(f"{metered}/metrics")).status_code == 401
        assert (await http.get(f"{metered}/metrics", headers={"Authorization": "Bearer guess"})).status_code == 401
        assert (await http.get(f"{server}/metrics", headers=SCRAPE)).status_code == 404


async def test_the_listed_series_exist_and_move_when_requests_are_made(metered: str, api: Api) -> None:
    api.base = metered
    async with httpx.AsyncClient(base_url=metered) as http:
        before = (await http.get("/metrics", headers=SCRAPE)).text
        team = await api.create_team("Metered ward")
        measure = await api.define_measure(team)
        await api.gql("query Browse { teams(first: 5) { edges { cursor } } }")
        await api.gql("query Browse { teams(first: 5) { edges { cursor } } }")  # an answer-cache hit
        member = {"Authorization": f"Bearer {api.token('TEAM_MEMBER', [team])}"}
        r = await http.post("/ingest/observations", headers=member, json={
            "observations": [{"measureId": measure, "period": "2024-01-01", "value": 1},
                             {"measureId": measure, "period": "not a date", "value": 2}]})
        assert r.json()["accepted"] == 1
        await http.post("/graphql", json={"query": "{ teams { edges { cursor } } }"})  # no token: 401
        after = (await http.get("/metrics", headers=SCRAPE)).text
    moved = {
        'qms_http_responses_total{route="/graphql",status="200"}': 4,
        'qms_http_responses_total{route="/graphql",status="401"}': 1,
        'qms_http_request_duration_seconds_count{route="/ingest/observations"}': 1,
        'qms_graphql_operation_duration_seconds_count{operation="Browse",type="query"}': 1,
        'qms_errors_total{code="UNAUTHENTICATED"}': 1,
        'qms_intake_observations_total{outcome="accepted"}': 1,
        'qms_intake_observations_total{outcome="rejected"}': 1,
        'qms_answer_cache_lookups_total{result="hit"}': 1,
    }
    for series, at_least in moved.items():
        assert value(after, series) - value(before, series) >= at_least, series
    assert value(after, "qms_group_commit_size_count") > value(before, "qms_group_commit_size_count")
    assert value(after, "qms_group_commit_duration_seconds_bucket") > 0
    for name in ("catalog", "spc"):
        assert f'qms_projection_lag_events{{projection="{name}"}}' in after
        assert f'qms_projection_lag_seconds{{projection="{name}"}}' in after
    assert "qms_answer_cache_bytes" in after and "qms_answer_cache_entries" in after
