"""The core contract's operations, end to end through the real GraphQL endpoint and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime

from tests.conftest import Api

RECORD = """mutation($i: RecordObservationsInput!) { recordObservations(input: $i) {
  accepted duplicates corrected errors { code message field index }
  measure { id spc { chartType variation assurance points { period value centreLine upperProcessLimit
  lowerProcessLimit upperTwoSigma lowerTwoSigma variation rules } } } } }"""

CHART = """query($id: ID!, $asOf: DateTime) { measure(id: $id, asOf: $asOf) { id name kind improvementDirection
  chartType
  target team { id name } spc { chartType variation assurance points { period value centreLine upperProcessLimit
  lowerProcessLimit variation rules } runs { usefulObservations longestRun longestRunMax crossings crossingsMin
  signal } } } }"""

MONTHS = [f"{2023 + (i // 12)}-{i % 12 + 1:02d}-01" for i in range(36)]


def observations(values: list[float], start: int = 0) -> list[dict[str, object]]:
    return [{"period": MONTHS[start + i], "value": v} for i, v in enumerate(values)]


async def record(api: Api, measure_id: str, obs: list[dict[str, object]], team: str, **extra: object) -> dict:
    data = await api.gql(RECORD, {"i": {"measureId": measure_id, "observations": obs, **extra}},
                         role="TEAM_MEMBER", teams=[team])
    return data["recordObservations"]


async def test_a_team_and_a_measure_are_created_and_read_back(api: Api) -> None:
    team = await api.create_team("Emergency Department")
    measure = await api.define_measure(team, name="4-hour performance", kind="OUTCOME",
                                       improvementDirection="INCREASE", target=95)
    data = await api.gql(CHART, {"id": measure})
    m = data["measure"]
    assert (m["name"], m["kind"], m["improvementDirection"], m["chartType"], m["target"]) == (
        "4-hour performance", "OUTCOME", "INCREASE", "XMR", 95.0)
    assert m["team"] == {"id": team, "name": "Emergency Department"}
    assert m["spc"]["points"] == [] and m["spc"]["variation"] is None


async def test_recorded_observations_are_charted_in_the_mutation_answer(api: Api) -> None:
    team = await api.create_team()
    measure = await api.define_measure(team)
    values = [10, 12, 11, 13, 10, 12, 11, 10, 12, 11, 13, 12, 11, 30]
    result = await record(api, measure, observations(values), team)
    assert (result["accepted"], result["duplicates"], result["corrected"], result["errors"]) == (14, 0, 0, [])
    points = result["measure"]["spc"]["points"]
    assert [p["value"] for p in points] == values
    mean = sum(values) / len(values)
    mr = sum(abs(a - b) for a, b in zip(values[1:], values[:-1], strict=True)) / (len(values) - 1)
    assert abs(points[0]["centreLine"] - mean) < 1e-9
    assert abs(points[0]["upperProcessLimit"] - (mean + 2.66 * mr)) < 1e-9
    assert points[-1]["rules"] == ["SINGLE_POINT"] and points[-1]["variation"] == "CONCERN"
    assert result["measure"]["spc"]["variation"] == "CONCERN_HIGH"


async def test_a_repeat_is_a_duplicate_and_a_changed_value_is_a_correction(api: Api) -> None:
    team = await api.create_team()
    measure = await api.define_measure(team)
    first = await record(api, measure, [{"period": MONTHS[0], "value": 5, "sourceId": "a"},
                                        {"period": MONTHS[1], "value": 6}], team)
    assert (first["accepted"], first["duplicates"], first["corrected"]) == (2, 0, 0)
    again = await record(api, measure, [{"period": MONTHS[0], "value": 99, "sourceId": "a"},
                                        {"period": MONTHS[1], "value": 6},
                                        {"period": MONTHS[1], "value": 7}], team)
    assert (again["accepted"], again["duplicates"], again["corrected"]) == (0, 2, 1)
    assert [p["value"] for p in again["measure"]["spc"]["points"]] == [5, 7]
    history = await api.gql("query($s: ID!) { history(streamId: $s) { edges { node { type data } } } }",
                            {"s": measure}, role="AUDITOR")
    types = [e["node"]["type"] for e in history["history"]["edges"]]
    assert types == ["MeasureDefined", "ObservationsRecorded", "ObservationsRecorded"]
    assert '"values":[7.0]' in history["history"]["edges"][2]["node"]["data"]


async def test_bad_observations_are_rejected_one_by_one_and_the_rest_stored(api: Api) -> None:
    team = await api.create_team()
    measure = await api.define_measure(team, chartType="P")
    result = await record(api, measure, [
        {"period": MONTHS[0], "numerator": 5, "denominator": 10},
        {"period": MONTHS[1], "numerator": 5},
        {"period": MONTHS[2], "numerator": 5, "denominator": 0},
        {"period": "2023-04-15", "numerator": 1, "denominator": 2},
        {"period": "1850-01-01", "numerator": 1, "denominator": 2},
        {"period": MONTHS[5], "numerator": 3, "denominator": 4}], team)
    assert result["accepted"] == 2
    assert [(e["index"], e["code"], e["field"]) for e in result["errors"]] == [
        (1, "MISSING_DENOMINATOR", "denominator"), (2, "ZERO_DENOMINATOR", "denominator"),
        (3, "PERIOD_NOT_ALIGNED", "period"), (4, "OUT_OF_RANGE", "period")]
    assert [p["value"] for p in result["measure"]["spc"]["points"]] == [0.5, 0.75]


async def test_an_unknown_measure_is_a_typed_error_not_an_exception(api: Api) -> None:
    data = await api.gql(RECORD, {"i": {"measureId": "00000000-0000-0000-0000-000000000000",
                                         "observations": observations([1])}}, role="TEAM_MEMBER")
    assert data["recordObservations"]["errors"][0]["code"] == "NOT_FOUND"
    assert data["recordObservations"]["accepted"] == 0


async def test_an_idempotency_key_makes_a_retry_answer_with_the_first_result(api: Api) -> None:
    team = await api.create_team()
    measure = await api.define_measure(team)
    first = await record(api, measure, observations([1, 2, 3]), team, idempotencyKey="batch-1")
    retry = await record(api, measure, observations([1, 2, 3]), team, idempotencyKey="batch-1")
    assert (first["accepted"], retry["accepted"], retry["duplicates"]) == (3, 3, 0)
    history = await api.gql("query($s: ID!) { history(streamId: $s) { edges { node { type } } } }", {"s": measure},
                            role="AUDITOR")
    assert len(history["history"]["edges"]) == 2


async def test_recalculated_limits_start_a_new_phase_and_as_of_shows_the_old_chart(api: Api) -> None:
    team = await api.create_team()
    measure = await api.define_measure(team)
    values = [10, 12, 11, 13, 10, 12, 11, 10, 12, 11, 13, 12, 11, 11, 12,
              20, 22, 21, 23, 20, 22, 21, 20, 22, 21, 23, 22, 21, 22]
    await record(api, measure, observations(values), team)
    before = datetime.now(UTC).isoformat()
    old = (await api.gql(CHART, {"id": measure}))["measure"]["spc"]["points"]
    data = await api.gql("""mutation($i: RecalculateLimitsInput!) { recalculateLimits(input: $i) {
        errors { code } measure { spc { points { centreLine } } } } }""",
                         {"i": {"measureId": measure, "fromPeriod": MONTHS[15], "reason": "New triage model"}},
                         role="TEAM_LEADER", teams=[team])
    new = data["recalculateLimits"]["measure"]["spc"]["points"]
    assert abs(new[0]["centreLine"] - sum(values[:15]) / 15) < 1e-9
    assert abs(new[-1]["centreLine"] - sum(values[15:]) / 14) < 1e-9
    as_of = (await api.gql(CHART, {"id": measure, "asOf": before}))["measure"]["spc"]["points"]
    assert [p["centreLine"] for p in as_of] == [p["centreLine"] for p in old]
    history = await api.gql("query($s: ID!) { history(streamId: $s) { edges { node { type reason role } } } }",
                            {"s": measure}, role="AUDITOR")
    assert history["history"]["edges"][-1]["node"] == {"type": "LimitsRecalculated", "reason": "New triage model",
                                                       "role": "TEAM_LEADER"}


async def test_a_baseline_and_a_target_drive_the_limits_and_the_assurance_icon(api: Api) -> None:
    team = await api.create_team()
    measure = await api.define_measure(team, improvementDirection="INCREASE")
    values = [50, 52, 51, 53, 50, 52, 51, 50, 52, 51, 53, 52, 51, 52, 60, 61]
    await record(api, measure, observations(values), team)
    data = await api.gql("""mutation($i: SetBaselineInput!) { setBaseline(input: $i) { errors { code }
        measure { spc { points { centreLine } } } } }""",
                         {"i": {"measureId": measure, "points": 13, "reason": "Before the new pathway"}},
                         role="TEAM_LEADER", teams=[team])
    centre = data["setBaseline"]["measure"]["spc"]["points"][-1]["centreLine"]
    assert abs(centre - sum(values[:13]) / 13) < 1e-9
    data = await api.gql("""mutation($i: SetTargetInput!) { setTarget(input: $i) { errors { code }
        measure { target spc { assurance } } } }""",
                         {"i": {"measureId": measure, "target": 40, "reason": "National standard"}},
                         role="TEAM_LEADER", teams=[team])
    assert data["setTarget"]["measure"] == {"target": 40.0, "spc": {"assurance": "CONSISTENT_PASS"}}


async def test_a_chart_decision_without_a_reason_is_refused_and_nothing_is_stored(api: Api) -> None:
    team = await api.create_team()
    measure = await api.define_measure(team)
    data = await api.gql("""mutation($i: SetTargetInput!) { setTarget(input: $i) { errors { code field }
        measure { id } } }""", {"i": {"measureId": measure, "target": 4, "reason": "  "}},
                         role="TEAM_LEADER", teams=[team])
    assert data["setTarget"] == {"errors": [{"code": "REQUIRED", "field": "reason"}], "measure": None}
    history = await api.gql("query($s: ID!) { history(streamId: $s) { edges { node { type } } } }", {"s": measure},
                            role="AUDITOR")
    assert len(history["history"]["edges"]) == 1


async def test_history_pages_through_a_stream_with_cursors(api: Api) -> None:
    team = await api.create_team()
    measure = await api.define_measure(team)
    for i in range(4):
        await record(api, measure, observations([i], start=i), team)
    q = """query($s: ID!, $after: String) { history(streamId: $s, first: 2, after: $after) {
        edges { node { position type actor } cursor } pageInfo { hasNextPage endCursor } } }"""
    page1 = (await api.gql(q, {"s": measure}, role="AUDITOR"))["history"]
    page2 = (await api.gql(q, {"s": measure, "after": page1["pageInfo"]["endCursor"]}, role="AUDITOR"))["history"]
    page3 = (await api.gql(q, {"s": measure, "after": page2["pageInfo"]["endCursor"]}, role="AUDITOR"))["history"]
    positions = [int(e["node"]["position"]) for p in (page1, page2, page3) for e in p["edges"]]
    assert len(positions) == 5 and positions == sorted(positions)
    assert (page1["pageInfo"]["hasNextPage"], page3["pageInfo"]["hasNextPage"]) == (True, False)


async def test_a_request_without_a_token_is_refused_with_401(api: Api) -> None:
    response = await api.http.post(f"{api.base}/graphql", json={"query": "{ __typename }"})
    assert response.status_code == 401
    assert "Bearer" in response.json()["errors"][0]["message"]


async def test_a_role_outside_the_team_cannot_record_and_nothing_is_stored(api: Api) -> None:
    team = await api.create_team()
    other = await api.create_team("Other ward")
    measure = await api.define_measure(team)
    data = await api.gql(RECORD, {"i": {"measureId": measure, "observations": observations([1])}},
                         role="TEAM_MEMBER", teams=[other])
    assert data["recordObservations"]["errors"][0]["code"] == "FORBIDDEN"
    chart = await api.gql(CHART, {"id": measure})
    assert chart["measure"]["spc"]["points"] == []


async def test_a_query_deeper_or_wider_than_the_limits_is_refused(api: Api) -> None:
    aliases = " ".join(f"a{i}: __typename" for i in range(40))
    response = await api.http.post(f"{api.base}/graphql", json={"query": f"{{ {aliases} }}"},
                                   headers={"Authorization": f"Bearer {api.token()}"})
    assert "aliases" in response.json()["errors"][0]["message"]


async def test_a_query_nested_deeper_than_the_limit_is_refused_before_it_runs(api: Api) -> None:
    from schema.root import MAX_DEPTH

    deep = "{ measure(id: \"x\") " + "{ team " * MAX_DEPTH + "{ id }" + " }" * MAX_DEPTH + " }"
    response = await api.http.post(f"{api.base}/graphql", json={"query": deep},
                                   headers={"Authorization": f"Bearer {api.token()}"})
    body = response.json()
    assert body["data"] is None and "exceeds maximum operation depth" in body["errors"][0]["message"]


async def test_a_document_over_the_token_limit_is_refused_unparsed(api: Api) -> None:
    from schema.root import MAX_TOKENS

    huge = "{ " + " ".join(["__typename"] * MAX_TOKENS) + " }"
    response = await api.http.post(f"{api.base}/graphql", json={"query": huge},
                                   headers={"Authorization": f"Bearer {api.token()}"})
    body = response.json()
    assert body["data"] is None and f"more than {MAX_TOKENS} tokens" in body["errors"][0]["message"]


async def test_a_variable_of_the_wrong_type_is_refused_with_its_name(api: Api) -> None:
    response = await api.http.post(f"{api.base}/graphql", headers={"Authorization": f"Bearer {api.token()}"},
                                   json={"query": "query($id: ID!) { measure(id: $id) { id } }",
                                         "variables": {"id": {"not": "an id"}}})
    body = response.json()
    assert body["data"] is None and "$id" in body["errors"][0]["message"]


async def test_introspection_is_off_in_production(database_url: str) -> None:
    from schema.root import build_executor

    executor = build_executor(introspection=False)
    result = await executor.execute(executor.prepare("{ __schema { types { name } } }", None), None, None, None)
    assert result.errors and "introspection" in result.errors[0].message.lower()


async def test_the_audit_log_filters_the_whole_organisation_s_history(api: Api) -> None:
    team = await api.create_team("Audited ward")
    measure = await api.define_measure(team)
    await record(api, measure, observations([1, 2]), team)
    await api.gql("""mutation($i: SetTargetInput!) { setTarget(input: $i) { errors { code } } }""",
                  {"i": {"measureId": measure, "target": 3, "reason": "Standard"}}, role="TEAM_LEADER", teams=[team])
    q = """query($type: String, $team: ID, $actor: String) { auditLog(first: 500, type: $type, teamId: $team,
        actor: $actor) { edges { node { type streamId reason } } } }"""
    targets = (await api.gql(q, {"type": "TargetSet", "team": team}, role="AUDITOR"))["auditLog"]["edges"]
    assert [e["node"] for e in targets] == [{"type": "TargetSet", "streamId": measure, "reason": "Standard"}]
    mine = (await api.gql(q, {"team": team}, role="TEAM_LEADER", teams=[team]))["auditLog"]["edges"]
    assert [e["node"]["type"] for e in mine] == ["TeamCreated", "MeasureDefined", "ObservationsRecorded", "TargetSet"]
    response = await api.http.post(f"{api.base}/graphql", json={"query": q, "variables": {}},
                                   headers={"Authorization": f"Bearer {api.token('TEAM_LEADER', [team])}"})
    assert response.json()["errors"][0]["extensions"]["code"] == "FORBIDDEN"


async def test_a_cached_chart_is_never_served_after_its_measure_changes(api: Api) -> None:
    team = await api.create_team()
    measure = await api.define_measure(team)
    other = await api.define_measure(team, name="Other")
    q = "query($id: ID!) { measure(id: $id) { spc { points { value } } } }"
    await record(api, measure, observations([1, 2]), team)
    first = await api.gql(q, {"id": measure})
    assert first == await api.gql(q, {"id": measure})  # answered from the cache
    await record(api, other, observations([5]), team)
    assert await api.gql(q, {"id": measure}) == first
    await record(api, measure, observations([3], start=2), team)
    after = await api.gql(q, {"id": measure})
    assert [p["value"] for p in after["measure"]["spc"]["points"]] == [1, 2, 3]


async def test_chart_decisions_appear_on_the_chart_as_annotations_with_their_reasons(api: Api) -> None:
    team = await api.create_team()
    measure = await api.define_measure(team)
    await record(api, measure, observations([1, 2, 3, 4]), team)
    lead = {"role": "TEAM_LEADER", "teams": [team]}
    await api.gql("mutation($i: RecalculateLimitsInput!) { recalculateLimits(input: $i) { errors { code } } }",
                  {"i": {"measureId": measure, "fromPeriod": MONTHS[2], "reason": "New pathway"}}, **lead)
    await api.gql("mutation($i: SetTargetInput!) { setTarget(input: $i) { errors { code } } }",
                  {"i": {"measureId": measure, "target": 2, "reason": "Standard", "effectiveFrom": MONTHS[3]}}, **lead)
    data = await api.gql("query($id: ID!) { measure(id: $id) { spc { annotations { period kind text at } } } }",
                         {"id": measure})
    notes = data["measure"]["spc"]["annotations"]
    assert [(n["period"], n["kind"], n["text"]) for n in notes] == [
        (MONTHS[2], "RECALCULATION", "New pathway"), (MONTHS[3], "TARGET", "target 2.0: Standard")]


async def test_the_audit_log_refuses_a_malformed_filter_with_the_field_named(api: Api) -> None:
    for args, field in (('type: "Team Created"', "type"), ('teamId: "not-a-team"', "teamId"),
                        ('after: "bm9wZQ=="', "after"), ("first: 501", "first")):
        query = f"{{ auditLog({args}) {{ edges {{ cursor }} }} }}"
        response = await api.http.post(f"{api.base}/graphql", json={"query": query},
                                       headers={"Authorization": f"Bearer {api.token('AUDITOR')}"})
        error = response.json()["errors"][0]
        assert error["extensions"]["field"] == field, error
