"""POST /ingest/observations with CSV and NDJSON bodies: streamed, answered per row as the JSON body is."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator

import asyncpg
import httpx
import orjson
import pytest

from service.edge import tabular
from tests.conftest import Api, serving, settings_for
from tests.e2e.test_ingest import stored_values, team_with_measures


async def send(api: Api, body: bytes | Iterator[bytes], kind: str, *, teams: list[str], key: str | None = None,
               role: str = "INTEGRATION") -> httpx.Response:
    headers = {"Content-Type": kind, "Authorization": f"Bearer {api.token(role, teams)}"}
    if key is not None:
        headers["Idempotency-Key"] = key
    response = await api.http.post(f"{api.base}/ingest/observations", headers=headers,
                                   content=body if isinstance(body, bytes) else streamed(body))
    api.position = max(api.position, int(response.headers.get("X-QMS-Position", 0)))
    return response


async def stored_field(database_url: str, stream_id: str, version: int, field: str) -> str:
    """One field of an event's data as PostgreSQL reads it (valid JSON, or the query fails), as JSON text."""
    conn = await asyncpg.connect(database_url)
    try:
        return await conn.fetchval("SELECT convert_from(data, 'UTF8')::jsonb -> $3 FROM events "
                                   "WHERE stream_id = $1 AND version = $2", stream_id, version, field)
    finally:
        await conn.close()


async def streamed(parts: Iterator[bytes]) -> AsyncIterator[bytes]:
    """A body sent in parts without a Content-Length (chunked), as a client streaming a file sends it."""
    for part in parts:
        yield part


async def test_a_csv_body_stores_its_good_rows_and_names_each_bad_row_by_its_index(api: Api) -> None:
    team, (m1, m2) = await team_with_measures(api)
    csv = (f"period,measureId,value,sourceId\n"
           f"2024-01-01,{m1},1.5,a\n"
           f"2024-01-01,{m2},7,\n"
           f"2024-02-30,{m1},2,b\n"
           f"2024-01-02,{m1},twelve,c\n"
           f",{m1},3,d\n"
           f"2024-01-03,,3,e\n"
           f"2024-01-04,{m1},4,\n"
           f"2024-01-05,{m1},4,f,extra\n"
           f"2024-01-06,00000000-0000-0000-0000-000000000000,6,g\n"
           f"2024-01-07,{m1}, 8 ,h\n").encode()
    response = await send(api, csv, "text/csv", teams=[team])
    assert response.status_code == 200, response.text
    body = response.json()
    assert [(e["index"], e["code"]) for e in body["errors"]] == [
        (2, "INVALID_DATE"), (3, "NOT_A_NUMBER"), (4, "INVALID_DATE"), (5, "MISSING_MEASURE"), (7, "INVALID_ROW"),
        (8, "NOT_FOUND")]
    assert all(e["message"] for e in body["errors"])
    assert (body["accepted"], body["duplicates"], body["corrected"]) == (4, 0, 0)
    assert await stored_values(api, m1) == [1.5, 4, 8]
    assert await stored_values(api, m2) == [7]


async def test_an_unknown_csv_column_is_a_400_naming_it(api: Api) -> None:
    team, (m1,) = await team_with_measures(api, 1)
    response = await send(api, f"measureId,period,value,colour\n{m1},2024-01-01,1,red\n".encode(), "text/csv",
                          teams=[team])
    assert response.status_code == 400
    assert "'colour'" in response.json()["error"]["message"]
    assert await stored_values(api, m1) == []


async def test_a_csv_with_a_bom_crlf_quotes_and_ratios_is_read_as_written(api: Api) -> None:
    team = await api.create_team("Ratios")
    ratio = await api.define_measure(team, name="Harm free", chartType="P", frequency="DAY")
    plain = await api.define_measure(team, name="Waits", frequency="DAY")
    csv = ("\ufeff\"measureId\",period,numerator,denominator,value,note\r\n"
           f"{ratio},2024-01-01,3,10,,\"first, with a comma\"\r\n"
           f"{ratio},2024-01-02,12,10,,\r\n"
           f"{plain},2024-01-01,,,5,\"a note over\r\ntwo lines\"\r\n"
           f"{plain},2024-01-02,,,6,\r\n").encode()
    response = await send(api, csv, "text/csv; charset=utf-8", teams=[team])
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["accepted"] == 3
    assert [(e["index"], e["code"]) for e in body["errors"]] == [(1, "PROPORTION_ABOVE_ONE")]
    assert await stored_values(api, ratio) == [0.3]
    assert await stored_values(api, plain) == [5, 6]


async def test_ndjson_skips_blank_lines_but_counts_them_in_the_indexes(api: Api) -> None:
    team, (m1,) = await team_with_measures(api, 1)
    ndjson = (f'{{"measureId": "{m1}", "period": "2024-01-01", "value": 1}}\n'
              "\n"
              f'{{"measureId": "{m1}", "period": "2024-01-02", "value": "x"}}\r\n'
              "   \n"
              '{"measureId": \n'
              f'{{"measureId": "{m1}", "period": "2024-01-03", "value": 3, "note": "ok"}}').encode()
    response = await send(api, ndjson, "application/x-ndjson", teams=[team])
    assert response.status_code == 200, response.text
    body = response.json()
    assert [(e["index"], e["code"]) for e in body["errors"]] == [(2, "NOT_A_NUMBER"), (4, "INVALID_JSON")]
    assert body["accepted"] == 2
    assert await stored_values(api, m1) == [1, 3]


async def test_a_resend_with_the_same_key_replays_the_answer_and_a_changed_body_is_a_422(api: Api) -> None:
    team, (m1, m2) = await team_with_measures(api)
    rows = [f"{m},2024-0{month}-01,{month}" for month in range(1, 7) for m in (m1, m2)]
    csv = ("measureId,period,value\n" + "\n".join(rows) + "\n").encode()
    first = await send(api, csv, "text/csv", teams=[team], key="feed-2024-06")
    assert first.status_code == 200, first.text
    assert first.json() == {"accepted": 12, "duplicates": 0, "corrected": 0, "errors": []}
    replay = await send(api, iter([csv[:30], csv[30:]]), "text/csv", teams=[team], key="feed-2024-06")
    assert replay.status_code == 200
    assert replay.json() == first.json()
    with_bom = await send(api, b"\xef\xbb\xbf" + csv, "text/csv", teams=[team], key="feed-2024-06")
    assert with_bom.json() == first.json()  # the same rows (a byte order mark is not part of the body's digest)
    changed = await send(api, csv.replace(b",6\n", b",60\n"), "text/csv", teams=[team], key="feed-2024-06")
    assert changed.status_code == 422
    assert "different body" in changed.json()["error"]["message"]
    assert await stored_values(api, m1) == [1, 2, 3, 4, 5, 6]
    unkeyed = await send(api, csv, "text/csv", teams=[team])
    assert unkeyed.json()["duplicates"] == 12


async def test_a_token_without_the_measures_team_gets_per_row_forbidden_errors(api: Api) -> None:
    team, (m1,) = await team_with_measures(api, 1)
    _, (m2,) = await team_with_measures(api, 1)
    ndjson = (f'{{"measureId": "{m1}", "period": "2024-01-01", "value": 1}}\n'
              f'{{"measureId": "{m2}", "period": "2024-01-01", "value": 2}}\n').encode()
    response = await send(api, ndjson, "application/x-ndjson", teams=[team])
    assert response.status_code == 200, response.text
    assert [(e["index"], e["code"]) for e in response.json()["errors"]] == [(1, "FORBIDDEN")]
    csv = f"measureId,period,value\n{m2},2024-01-02,2\n".encode()
    assert (await send(api, csv, "text/csv", teams=[team])).status_code == 403
    assert await stored_values(api, m2) == []


async def test_a_long_csv_is_stored_in_chunks_with_indexes_across_them(api: Api,
                                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(tabular, "CSV_CHUNK_BYTES", 1 << 18)  # the server runs in this process
    team, measures = await team_with_measures(api, 3)
    rows = [f"{measures[i % 3]},{_day(i // 3)},{i}" for i in range(60_000)]
    rows[45_001] = f"{measures[0]},not-a-date,1"
    csv = ("measureId,period,value\n" + "\n".join(rows) + "\n").encode()
    assert len(csv) > 8 * (1 << 18)  # more than eight chunks
    response = await send(api, (csv[i:i + 65536] for i in range(0, len(csv), 65536)), "text/csv", teams=[team])
    assert response.status_code == 200, response.text
    body = response.json()
    assert [(e["index"], e["code"]) for e in body["errors"]] == [(45_001, "INVALID_DATE")]
    assert (body["accepted"], body["duplicates"], body["corrected"]) == (59_999, 0, 0)


def _day(n: int) -> str:
    from datetime import date, timedelta

    return (date(1950, 1, 1) + timedelta(days=n)).isoformat()


async def test_a_body_over_the_stream_limit_is_a_413(api: Api, database_url: str) -> None:
    team, (m1,) = await team_with_measures(api, 1)
    csv = ("measureId,period,value\n" + "".join(f"{m1},{_day(d)},{d}\n" for d in range(100))).encode()
    async with serving(settings_for(database_url, max_stream_bytes=1000)) as base:
        small = Api(base, api.tokens, api.http)
        declared = await send(small, csv, "text/csv", teams=[team])
        assert declared.status_code == 413
        assert "1000 bytes" in declared.json()["error"]["message"]
        chunked = await send(small, iter([csv[:600], csv[600:]]), "text/csv", teams=[team])
        assert chunked.status_code == 413
        assert (await send(small, csv[:900], "text/csv", teams=[team])).status_code == 200


async def test_a_csv_of_only_a_header_stores_nothing_and_an_empty_one_is_a_400(api: Api) -> None:
    team, _ = await team_with_measures(api, 1)
    header_only = await send(api, b"measureId,period,value", "text/csv", teams=[team])
    assert header_only.status_code == 200, header_only.text
    assert header_only.json() == {"accepted": 0, "duplicates": 0, "corrected": 0, "errors": []}
    empty = await send(api, b"", "text/csv", teams=[team])
    assert empty.status_code == 400
    assert "header row" in empty.json()["error"]["message"]


async def test_a_daily_feeds_run_of_days_is_stored_compactly_and_every_reader_sees_its_periods(
        api: Api, database_url: str) -> None:
    team, (m1,) = await team_with_measures(api, 1)
    days = [f"2024-03-{d:02d}" for d in range(1, 11)]
    csv = "measureId,period,value,sourceId\n" + "".join(f"{m1},{d},{i},s{i}\n" for i, d in enumerate(days))
    response = await send(api, csv.encode(), "text/csv", teams=[team])
    assert response.status_code == 200 and response.json()["accepted"] == 10, response.text
    stored = await stored_field(database_url, m1, 2, "periods")
    assert orjson.loads(stored) == {"_type_": "day_run", "_data_": {"first": "2024-03-01", "days": 10}}
    chart = await api.gql("query($id: ID!) { measure(id: $id) { spc { points { period value } } } }", {"id": m1})
    assert [(p["period"], p["value"]) for p in chart["measure"]["spc"]["points"]] == list(
        zip(days, range(10), strict=True))
    history = await api.gql("query($s: ID!) { history(streamId: $s) { edges { node { type data } } } }",
                            {"s": m1}, role="AUDITOR")
    assert orjson.loads(history["history"]["edges"][1]["node"]["data"])["periods"] == days  # as the list
    # another process loads the measure from its events and decides as this one would: a resent day and source id
    # are a duplicate, a changed value a correction, the next day new
    async with serving(settings_for(database_url)) as base:
        again = await send(Api(base, api.tokens, api.http), f"measureId,period,value,sourceId\n{m1},2024-03-05,4,s4\n"
                           f"{m1},2024-03-06,50,\n{m1},2024-03-11,10,s10\n".encode(), "text/csv", teams=[team])
    assert again.status_code == 200, again.text
    assert (again.json()["accepted"], again.json()["duplicates"], again.json()["corrected"]) == (1, 1, 1)


async def test_source_ids_of_any_text_are_stored_as_sent_and_known_as_duplicates_here_and_after_a_replay(
        api: Api, database_url: str) -> None:
    team, (m1,) = await team_with_measures(api, 1)
    ids = ['lab "7"', "back\\slash", "é漢-1", "tab\there", "plain-9"]
    quoted = ['"lab ""7"""', "back\\slash", "é漢-1", "tab\there", "plain-9"]  # as CSV writes them
    csv = "measureId,period,value,sourceId\n" + "".join(f"{m1},2024-04-{d + 1:02d},{d},{q}\n"
                                                        for d, q in enumerate(quoted))
    response = await send(api, csv.encode(), "text/csv", teams=[team])
    assert response.status_code == 200 and response.json()["accepted"] == 5, response.text
    stored = await stored_field(database_url, m1, 2, "source_ids")
    assert orjson.loads(stored) == ids  # valid JSON of exactly the ids sent
    history = await api.gql("query($s: ID!) { history(streamId: $s) { edges { node { type data } } } }",
                            {"s": m1}, role="AUDITOR")
    assert orjson.loads(history["history"]["edges"][1]["node"]["data"])["source_ids"] == ids
    # the same ids on later days are duplicates, on this server (its digests) and on one that replays the measure
    resent = "measureId,period,value,sourceId\n" + "".join(f"{m1},2024-05-{d + 1:02d},{d},{q}\n"
                                                           for d, q in enumerate(quoted))
    here = await send(api, resent.encode(), "text/csv", teams=[team])
    assert (here.json()["accepted"], here.json()["duplicates"]) == (0, 5), here.text
    async with serving(settings_for(database_url)) as base:
        there = await send(Api(base, api.tokens, api.http), (resent + f"{m1},2024-06-01,1,new-1\n").encode(),
                           "text/csv", teams=[team])
    assert (there.json()["accepted"], there.json()["duplicates"]) == (1, 5), there.text
