"""Back-pressure: writes past the bound on writes in flight are refused with 503 and Retry-After before anything of
them is stored, on every write route and content type; what was acknowledged is stored; reads still answer."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

import asyncpg
import httpx

from service.auth.identity import TokenService
from service.edge.admission import FLOOR_BYTES, Admission, Overloaded, TooFast
from service.edge.app import create_app
from service.settings import Settings
from tests.conftest import TEST_SECRET, serving, settings_for

RECORD = ("mutation($i: RecordObservationsInput!) { recordObservations(input: $i) { accepted errors { code } } }")


def test_one_write_is_always_admitted_and_the_next_only_within_the_limit() -> None:
    admission = Admission(10_000)
    admission.admit(50_000)  # larger than the limit, but nothing else is in flight
    try:
        admission.admit(FLOOR_BYTES)
    except Overloaded as e:
        assert e.retry_after >= 1
    else:
        raise AssertionError("a second write past the limit was admitted")
    admission.release(50_000)
    admission.admit(FLOOR_BYTES)
    admission.admit(FLOOR_BYTES)
    assert (admission.writes, admission.in_flight, admission.refused) == (2, 2 * FLOOR_BYTES, 1)


def test_a_write_weighs_its_body_with_a_floor_and_a_stream_what_it_holds_at_once() -> None:
    assert Admission.weigh("300") == FLOOR_BYTES
    assert Admission.weigh(None, 1_000_000) == 1_000_000
    assert Admission.weigh("2000000") == 2_000_000
    assert Admission.weigh(None) == Admission.weigh("99999999999") == 16 << 20


async def _stored_sources(url: str) -> str:
    conn = await asyncpg.connect(url)
    try:
        return "".join(await conn.fetchval("SELECT coalesce(string_agg(convert_from(data, 'UTF8'), ''), '') "
                                           "FROM events"))
    finally:
        await conn.close()


async def _until(condition: Callable[[], bool], what: str) -> None:
    for _ in range(500):
        if condition():
            return
        await asyncio.sleep(0.01)
    raise AssertionError(f"timed out waiting for {what}")


async def team_and_measure(http: httpx.AsyncClient, admin: dict[str, str], name: str) -> tuple[str, str]:
    """A team, and a daily measure of it, made through GraphQL: (team id, measure id)."""
    r = await http.post("/graphql", headers=admin, json={"query": "mutation($n: String!) { createTeam(input: "
                                                         "{name: $n}) { team { id } } }", "variables": {"n": name}})
    team = r.json()["data"]["createTeam"]["team"]["id"]
    r = await http.post("/graphql", headers=admin, json={
        "query": "mutation($i: DefineMeasureInput!) { defineMeasure(input: $i) { measure { id } } }",
        "variables": {"i": {"teamId": team, "name": "Falls", "kind": "OUTCOME",
                            "improvementDirection": "DECREASE", "frequency": "DAY"}}})
    return team, r.json()["data"]["defineMeasure"]["measure"]["id"]


async def test_writes_past_the_limit_while_commits_stall_get_503_with_retry_after_and_nothing_of_them_is_stored(
        make_database: Callable[[], Awaitable[str]]) -> None:
    url = await make_database()
    app = create_app(settings_for(url, max_inflight_write_bytes=1))  # one write at a time
    tokens = TokenService(TEST_SECRET)
    admin = {"Authorization": f"Bearer {tokens.issue('lead', 'SENIOR_LEADER', [])}"}
    async with serving(app) as base, httpx.AsyncClient(base_url=base, timeout=30) as http:
        team, measure = await team_and_measure(http, admin, "BP")
        feed = {"Authorization": f"Bearer {tokens.issue('feed', 'INTEGRATION', [team])}"}

        def item(source: str, day: int) -> dict[str, object]:
            return {"measureId": measure, "period": f"2024-01-{day:02d}", "value": day, "sourceId": source}

        # Another connection holds the log head's row lock: every commit waits behind it, as on a stalled disk.
        blocker = await asyncpg.connect(url)
        lock = blocker.transaction()
        await lock.start()
        await blocker.execute("SELECT FROM event_log_head FOR UPDATE")
        try:
            first = asyncio.create_task(http.post("/ingest/observations", headers=feed,
                                                  json={"observations": [item("held-1", 1)]}))
            await _until(lambda: app.state.admission.writes == 1, "the first write to be in flight")

            refused = [
                await http.post("/ingest/observations", headers=feed, json={"observations": [item("json-2", 2)]}),
                await http.post("/ingest/observations", headers={**feed, "Content-Type": "text/csv"},
                                content=f"measureId,period,value,sourceId\n{measure},2024-01-03,3,csv-3\n".encode()),
                await http.post("/ingest/observations", headers={**feed, "Content-Type": "application/x-ndjson"},
                                content=(f'{{"measureId":"{measure}","period":"2024-01-04","value":4,'
                                         '"sourceId":"ndjson-4"}\n').encode()),
                await http.post("/graphql", headers=feed, json={"query": RECORD, "variables": {
                    "i": {"measureId": measure, "observations": [{"period": "2024-01-05", "value": 5,
                                                                  "sourceId": "gql-5"}]}}}),
            ]
            for r in refused:
                assert r.status_code == 503, r.text
                assert int(r.headers["Retry-After"]) >= 1
                assert "OVERLOADED" in r.text and "nothing of this request was stored" in r.text
            assert refused[-1].json()["errors"][0]["extensions"]["code"] == "OVERLOADED"
            assert refused[0].json()["error"]["code"] == "OVERLOADED"

            # Reads are not writes: they still answer while writes are refused.
            r = await http.post("/graphql", headers=admin, json={"query": "{ teams(first: 5) { edges { cursor } } }"})
            assert r.status_code == 200 and "errors" not in r.json()
            assert not first.done()
        finally:
            await lock.rollback()
            await blocker.close()

        acknowledged = await first
        assert acknowledged.status_code == 200 and acknowledged.json()["accepted"] == 1
        stored = await _stored_sources(url)
        assert "held-1" in stored
        assert not any(s in stored for s in ("json-2", "csv-3", "ndjson-4", "gql-5"))
        assert app.state.admission.writes == 0 and app.state.admission.in_flight == 0

        # Retried after the pause, the refused write is stored.
        r = await http.post("/ingest/observations", headers=feed, json={"observations": [item("json-2", 2)]})
        assert r.status_code == 200 and r.json()["accepted"] == 1
        assert "json-2" in await _stored_sources(url)


async def test_the_body_limit_is_a_setting_answered_with_413_and_nothing_is_stored(
        make_database: Callable[[], Awaitable[str]]) -> None:
    url = await make_database()
    tokens = TokenService(TEST_SECRET)
    headers = {"Authorization": f"Bearer {tokens.issue('feed', 'INTEGRATION', [])}"}
    async with serving(settings_for(url, max_body_bytes=200)) as base, httpx.AsyncClient(base_url=base) as http:
        body = {"observations": [{"measureId": "m", "period": "2024-01-01", "value": 1, "sourceId": "x" * 300}]}
        r = await http.post("/ingest/observations", headers=headers, json=body)
        assert r.status_code == 413 and r.json()["error"]["code"] == "TOO_LARGE"
        assert "x" * 300 not in await _stored_sources(url)


def test_a_client_holding_its_share_of_the_bound_is_told_to_slow_down_while_others_are_admitted() -> None:
    admission = Admission(4 * FLOOR_BYTES)  # each client's share: 2 * FLOOR_BYTES
    admission.admit(FLOOR_BYTES, "feed")
    admission.admit(FLOOR_BYTES, "feed")
    try:
        admission.admit(FLOOR_BYTES, "feed")
    except TooFast as e:
        assert e.retry_after >= 1
    else:
        raise AssertionError("a client past its share was admitted")
    admission.admit(FLOOR_BYTES, "nurse")
    admission.release(FLOOR_BYTES, "feed")
    admission.admit(FLOOR_BYTES, "feed")
    assert admission.by_client == {"feed": 2 * FLOOR_BYTES, "nurse": FLOOR_BYTES}
    for client in ("feed", "feed", "nurse"):
        admission.release(FLOOR_BYTES, client)
    assert (admission.by_client, admission.in_flight, admission.writes, admission.refused) == ({}, 0, 0, 1)


async def test_a_client_sending_faster_than_writes_are_stored_gets_429_with_retry_after_and_others_still_write(
        make_database: Callable[[], Awaitable[str]]) -> None:
    url = await make_database()
    app = create_app(settings_for(url, max_inflight_write_bytes=4 * FLOOR_BYTES))  # a client's share: two writes
    tokens = TokenService(TEST_SECRET)
    admin = {"Authorization": f"Bearer {tokens.issue('lead', 'SENIOR_LEADER', [])}"}
    async with serving(app) as base, httpx.AsyncClient(base_url=base, timeout=30) as http:
        team, measure = await team_and_measure(http, admin, "TF")
        fast = {"Authorization": f"Bearer {tokens.issue('fast-feed', 'INTEGRATION', [team])}"}
        other = {"Authorization": f"Bearer {tokens.issue('other-feed', 'INTEGRATION', [team])}"}

        def post(headers: dict[str, str], source: str, day: int) -> Awaitable[httpx.Response]:
            return http.post("/graphql", headers=headers, json={"query": RECORD, "variables": {"i": {
                "measureId": measure, "observations": [{"period": f"2024-02-{day:02d}", "value": day,
                                                        "sourceId": source}]}}})

        blocker = await asyncpg.connect(url)  # commits wait behind the log head's row lock, as on a stalled disk
        lock = blocker.transaction()
        await lock.start()
        await blocker.execute("SELECT FROM event_log_head FOR UPDATE")
        try:
            held = [asyncio.create_task(post(fast, f"fast-{d}", d)) for d in (1, 2)]
            await _until(lambda: app.state.admission.writes == 2, "two writes of the fast client in flight")
            refused = await post(fast, "fast-3", 3)
            assert refused.status_code == 429, refused.text
            assert int(refused.headers["Retry-After"]) >= 1
            assert refused.json()["errors"][0]["extensions"]["code"] == "TOO_MANY_REQUESTS"
            assert "nothing of this request was stored" in refused.text
            admitted = asyncio.create_task(post(other, "other-4", 4))
            await _until(lambda: app.state.admission.writes == 3, "the other client's write in flight")
        finally:
            await lock.rollback()
            await blocker.close()

        for r in [*(await asyncio.gather(*held)), await admitted]:
            assert r.status_code == 200 and r.json()["data"]["recordObservations"]["accepted"] == 1, r.text
        stored = await _stored_sources(url)
        assert all(s in stored for s in ("fast-1", "fast-2", "other-4")) and "fast-3" not in stored
        assert app.state.admission.by_client == {} and app.state.admission.in_flight == 0


def test_one_integration_may_stream_four_bodies_at_once_within_the_default_bound() -> None:
    admission = Admission(Settings().max_inflight_write_bytes)
    stream = Admission.weigh(None)  # chunked CSV or NDJSON: no length declared
    for _ in range(4):
        admission.admit(stream, "feed")
    try:
        admission.admit(stream, "feed")
    except TooFast:
        pass
    else:
        raise AssertionError("a fifth stream of one client was admitted")
    admission.admit(stream, "other-feed")
    assert admission.by_client == {"feed": 4 * stream, "other-feed": stream}
