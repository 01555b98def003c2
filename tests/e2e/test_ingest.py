"""POST /ingest/observations: bulk intake from other systems, its answers and its refusals."""

from __future__ import annotations

from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.conftest import Api


async def post(api: Api, body: Any, *, role: str = "INTEGRATION", teams: list[str] | None = None,
               raw: bytes | None = None, token: str | None = "default") -> Any:
    headers = {"Content-Type": "application/json"}
    if token is not None:
        headers["Authorization"] = f"Bearer {api.token(role, teams or []) if token == 'default' else token}"
    if raw is not None:
        response = await api.http.post(f"{api.base}/ingest/observations", content=raw, headers=headers)
    else:
        response = await api.http.post(f"{api.base}/ingest/observations", json=body, headers=headers)
    # Read-your-writes: later GraphQL calls send this back as X-QMS-After.
    api.position = max(api.position, int(response.headers.get("X-QMS-Position", 0)))
    return response


async def stored_values(api: Api, measure: str) -> list[float]:
    data = await api.gql("query($id: ID!) { measure(id: $id) { spc { points { value } } } }", {"id": measure})
    return [p["value"] for p in data["measure"]["spc"]["points"]]


async def team_with_measures(api: Api, n: int = 2) -> tuple[str, list[str]]:
    team = await api.create_team("Integration target")
    return team, [await api.define_measure(team, name=f"M{i}", frequency="DAY") for i in range(n)]


async def test_a_batch_across_measures_is_stored_and_counted(api: Api) -> None:
    team, (m1, m2) = await team_with_measures(api)
    body = {"idempotencyKey": "feed-1", "observations": [
        {"measureId": m1, "period": "2024-03-01", "value": 41, "sourceId": "a1"},
        {"measureId": m2, "period": "2024-03-01", "value": 7},
        {"measureId": m1, "period": "2024-03-02", "value": 43, "sourceId": "a2"},
        {"measureId": m1, "period": "2024-03-02", "value": 44, "sourceId": "a3"}]}
    response = await post(api, body, teams=[team])
    assert response.status_code == 200, response.text
    assert response.json() == {"accepted": 3, "duplicates": 0, "corrected": 1, "errors": []}
    retry = await post(api, body, teams=[team])
    assert retry.json() == response.json()
    again = await post(api, {"observations": body["observations"][:1]}, teams=[team])
    assert again.json()["duplicates"] == 1
    assert await stored_values(api, m1) == [41, 44]


async def test_each_bad_item_gets_an_error_with_its_index_and_the_rest_are_stored(api: Api) -> None:
    team, (m1,) = await team_with_measures(api, 1)
    items = [
        {"measureId": m1, "period": "2024-01-01", "value": 1},
        {"measureId": "00000000-0000-0000-0000-000000000000", "period": "2024-01-01", "value": 1},
        {"measureId": m1, "period": "2024-01-02", "value": "12"},
        {"measureId": m1, "period": "2024-02-30", "value": 1},
        {"measureId": m1, "period": "2300-01-01", "value": 1},
        {"measureId": m1, "period": "2024-01-04", "colour": "red"},
        {"measureId": m1, "period": "2024-01-05", "value": True},
        {"measureId": m1, "period": "2024-01-06", "value": 6}]
    response = await post(api, {"observations": items}, teams=[team])
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["accepted"] == 2
    codes = [(e["index"], e["code"]) for e in body["errors"]]
    assert codes == [(1, "NOT_FOUND"), (2, "NOT_A_NUMBER"), (3, "INVALID_DATE"), (4, "OUT_OF_RANGE"),
                     (5, "UNKNOWN_FIELD"), (6, "NOT_A_NUMBER")]
    assert all(e["message"] for e in body["errors"])
    assert await stored_values(api, m1) == [1, 6]


async def test_malformed_json_is_a_400_that_says_so(api: Api) -> None:
    response = await post(api, None, raw=b'{"observations": [1, 2')
    assert response.status_code == 400
    assert "not valid JSON" in response.json()["error"]["message"]


async def test_a_body_of_the_wrong_shape_is_a_400_naming_the_expected_shape(api: Api) -> None:
    response = await post(api, {"items": []})
    assert response.status_code == 400
    assert '"observations"' in response.json()["error"]["message"]


async def test_nan_is_not_json_and_is_refused(api: Api) -> None:
    team, (m1,) = await team_with_measures(api, 1)
    raw = ('{"observations": [{"measureId": "' + m1 + '", "period": "2024-01-01", "value": NaN}]}').encode()
    response = await post(api, None, raw=raw, teams=[team])
    assert response.status_code == 400
    assert await stored_values(api, m1) == []


async def test_a_number_too_large_for_a_double_is_refused_as_infinite(api: Api) -> None:
    team, (m1,) = await team_with_measures(api, 1)
    raw = ('{"observations": [{"measureId": "' + m1 + '", "period": "2024-01-01", "value": 1e999}]}').encode()
    response = await post(api, None, raw=raw, teams=[team])
    assert response.status_code == 400
    assert "infinity" in response.json()["error"]["message"]
    assert await stored_values(api, m1) == []


async def test_a_batch_over_the_size_limit_is_a_413_and_nothing_is_stored(api: Api) -> None:
    team, (m1,) = await team_with_measures(api, 1)
    items = [{"measureId": m1, "period": "2024-01-01", "value": i} for i in range(50_001)]
    response = await post(api, {"observations": items}, teams=[team])
    assert response.status_code == 413
    assert "at most 50000" in response.json()["error"]["message"]
    assert await stored_values(api, m1) == []


async def test_without_a_valid_token_the_answer_is_401(api: Api) -> None:
    assert (await post(api, {"observations": []}, token=None)).status_code == 401
    response = await post(api, {"observations": []}, token="not-a-jwt")
    assert response.status_code == 401
    assert "not valid" in response.json()["error"]["message"]


async def test_a_role_that_may_not_write_the_measure_gets_403_and_nothing_is_stored(api: Api) -> None:
    _, (m1,) = await team_with_measures(api, 1)
    other = await api.create_team("Elsewhere")
    item = {"measureId": m1, "period": "2024-01-01", "value": 1}
    assert (await post(api, {"observations": [item]}, role="INTEGRATION", teams=[other])).status_code == 403
    assert (await post(api, {"observations": [item]}, role="AUDITOR")).status_code == 403
    assert await stored_values(api, m1) == []


async def test_a_plain_batch_with_one_impossible_date_stores_the_rest(api: Api) -> None:
    team, (m1,) = await team_with_measures(api, 1)
    items = [{"measureId": m1, "period": "2024-02-28", "value": 1, "sourceId": "p1"},
             {"measureId": m1, "period": "2024-02-30", "value": 2, "sourceId": "p2"},
             {"measureId": m1, "period": "2024-03-01", "value": 3, "sourceId": "p3"}]
    response = await post(api, {"observations": items}, teams=[team])
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["accepted"] == 2
    assert [(e["index"], e["code"]) for e in body["errors"]] == [(1, "INVALID_DATE")]
    assert await stored_values(api, m1) == [1, 3]


async def test_a_plain_batch_that_repeats_and_corrects_takes_the_item_by_item_path(api: Api) -> None:
    team, (m1,) = await team_with_measures(api, 1)
    first = [{"measureId": m1, "period": "2024-01-01", "value": 1}, {"measureId": m1, "period": "2024-01-02",
                                                                        "value": 2}]
    assert (await post(api, {"observations": first}, teams=[team])).json()["accepted"] == 2
    again = [{"measureId": m1, "period": "2024-01-01", "value": 1}, {"measureId": m1, "period": "2024-01-02",
                                                                        "value": 5}]
    body = (await post(api, {"observations": again}, teams=[team])).json()
    assert (body["accepted"], body["duplicates"], body["corrected"]) == (0, 1, 1)
    assert await stored_values(api, m1) == [1, 5]


json_values = st.one_of(st.none(), st.booleans(), st.integers(-(2**53), 2**53), st.floats(allow_nan=False,
                        allow_infinity=False), st.text(max_size=12), st.lists(st.integers(), max_size=2))
item_strategy = st.fixed_dictionaries(
    {"period": st.one_of(st.sampled_from(["2024-01-01", "2024-02-30", "1899-12-31", "2024-1-1", ""]),
                         st.dates().map(lambda d: d.isoformat()))},
    optional={"value": json_values, "numerator": json_values, "denominator": json_values,
              "sourceId": st.one_of(st.text(max_size=8), st.integers()), "note": json_values,
              "extra": json_values})


@settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck))
@given(batch=st.lists(item_strategy, max_size=6), which=st.lists(st.integers(0, 2), min_size=6, max_size=6))
async def test_no_batch_of_any_shape_causes_a_server_error(api: Api, batch: list[dict[str, Any]],
                                                          which: list[int]) -> None:
    team, measures = await fuzz_world(api)
    targets = [*measures, "not-a-measure"]
    items = [{"measureId": targets[which[i]], **item} for i, item in enumerate(batch)]
    response = await post(api, {"observations": items}, teams=[team])
    assert response.status_code in (200, 400, 403), response.text
    if response.status_code == 200:
        body = response.json()
        assert body["accepted"] + body["duplicates"] + body["corrected"] + len(body["errors"]) == len(items)


_fuzz: dict[str, Any] = {}


async def fuzz_world(api: Api) -> tuple[str, list[str]]:
    if not _fuzz:
        team = await api.create_team("Fuzzed feed")
        _fuzz["world"] = (team, [await api.define_measure(team, name="Daily", frequency="DAY"),
                                 await api.define_measure(team, name="Ratio", chartType="P")])
    return _fuzz["world"]
