"""The HTTP edge every API route passes: tokens, body limits, request ids and log positions, the same for each."""

from __future__ import annotations

import httpx
import pytest

from tests.conftest import Api, serving, settings_for

ROUTES = {"/graphql": lambda body: body["errors"][0]["extensions"]["code"],
          "/ingest/observations": lambda body: body["error"]["code"]}
QUERY = {"query": "{ teams(first: 1) { edges { cursor } } }"}


@pytest.mark.parametrize("route", ROUTES)
async def test_a_request_without_a_valid_token_is_refused_with_401_in_the_routes_own_error_shape(
        server: str, route: str) -> None:
    async with httpx.AsyncClient() as http:
        for headers in ({}, {"Authorization": "Bearer not-a-token"}, {"Authorization": "Basic abc"}):
            r = await http.post(f"{server}{route}", json=QUERY, headers=headers)
            assert r.status_code == 401
            assert ROUTES[route](r.json()) == "UNAUTHENTICATED"
            assert r.headers["X-Request-Id"]


@pytest.mark.parametrize("route", ROUTES)
async def test_a_body_over_the_limit_is_refused_with_413_declared_or_streamed(
        server: str, api: Api, route: str) -> None:
    big = b'{"query": "' + b" " * (8 * 1024 * 1024) + b'"}'
    headers = {"Authorization": f"Bearer {api.token()}", "Content-Type": "application/json"}

    async def chunks():  # no Content-Length: the edge counts as the body streams in
        for i in range(0, len(big), 1 << 20):
            yield big[i:i + (1 << 20)]

    async with httpx.AsyncClient() as http:
        for content in (big, chunks()):
            r = await http.post(f"{server}{route}", content=content, headers=headers)
            assert r.status_code == 413, r.text
            assert ROUTES[route](r.json()) == "TOO_LARGE"


@pytest.mark.parametrize("route", ROUTES)
async def test_the_request_id_is_echoed_or_made_and_a_bad_position_is_refused(
        server: str, api: Api, route: str) -> None:
    auth = {"Authorization": f"Bearer {api.token()}"}
    body = QUERY if route == "/graphql" else {"observations": []}
    async with httpx.AsyncClient() as http:
        r = await http.post(f"{server}{route}", json=body, headers={**auth, "X-Request-Id": "trace-42"})
        assert r.status_code == 200 and r.headers["X-Request-Id"] == "trace-42"
        r = await http.post(f"{server}{route}", json=body, headers={**auth, "X-Request-Id": "x" * 500})
        assert r.headers["X-Request-Id"] != "x" * 500 and len(r.headers["X-Request-Id"]) == 32
        r = await http.post(f"{server}{route}", json=body, headers={**auth, "X-QMS-After": "soon"})
        assert r.status_code == 400 and ROUTES[route](r.json()) == "BAD_REQUEST"


async def test_a_write_answers_its_position_and_a_read_sent_it_back_sees_the_write(server: str, api: Api) -> None:
    team = await api.create_team("Edge positions")
    measure = await api.define_measure(team)
    auth = {"Authorization": f"Bearer {api.token('TEAM_MEMBER', [team])}"}
    async with httpx.AsyncClient() as http:
        r = await http.post(f"{server}/ingest/observations", headers=auth, json={"observations": [
            {"measureId": measure, "period": "2024-01-01", "value": 3}]})
        position = r.headers["X-QMS-Position"]
        r = await http.post(f"{server}/graphql", headers={**auth, "X-QMS-After": position}, json={
            "query": "query($id: ID!) { measure(id: $id) { spc { points { value } } } }", "variables": {"id": measure}})
        assert r.json()["data"]["measure"]["spc"]["points"] == [{"value": 3.0}]


@pytest.mark.parametrize("route", ROUTES)
async def test_a_read_sent_after_a_position_the_read_models_do_not_reach_in_time_is_refused_not_answered_stale(
        api: Api, database_url: str, route: str) -> None:
    auth = {"Authorization": f"Bearer {api.token()}", "X-QMS-After": str(10**12)}
    async with serving(settings_for(database_url, read_your_writes_timeout=0.2)) as base, httpx.AsyncClient() as http:
        r = await http.post(f"{base}{route}", json=QUERY, headers=auth)
    assert r.status_code == 503 and ROUTES[route](r.json()) == "NOT_CAUGHT_UP" and r.headers["Retry-After"] == "1"
