"""Every point of every published MDC v5 scenario gets its published colour through the public GraphQL API."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

import pytest

from tests.conftest import Api

CASES = json.loads((Path(__file__).resolve().parents[1] / "fixtures" / "spc" / "mdc" / "cases.json").read_text())
DIRECTIONS = {"up": "INCREASE", "down": "DECREASE", "neither": "NEITHER"}
COLOURS = {"COMMON_CAUSE": "grey", "IMPROVEMENT": "blue", "CONCERN": "orange", "NEITHER_HIGH": "purple",
           "NEITHER_LOW": "purple"}
# Published blue, but no rule fires on this point in either direction and the same data under low-is-good is
# published grey: a transcription error in the published table (see tests/fixtures/spc/PROVENANCE.md).
TRANSCRIPTION_ERRORS = {("Special cause conflict - High is good", 14): "grey"}


def iso(day: str) -> str:
    return datetime.strptime(day, "%d/%m/%Y").date().isoformat()


@pytest.fixture(scope="module")
async def team(server: str, tokens: object) -> str:
    import httpx

    async with httpx.AsyncClient(timeout=30) as http:
        return await Api(server, tokens, http).create_team("MDC conformance")  # type: ignore[arg-type]


@pytest.mark.parametrize("case", CASES, ids=[c["metric"] for c in CASES])
async def test_each_point_is_coloured_as_published(api: Api, team: str, case: dict) -> None:
    # The scenarios use the MDC defaults that DefineMeasureInput also defaults to.
    assert (case["min_points"], case["two_sigma_counts_points_beyond_3sigma"], case["conflict"],
            case["screen_mr_outliers"]) == (13, False, "improvement_wins", False)
    measure = await api.define_measure(team, name=case["metric"], improvementDirection=DIRECTIONS[case["improvement"]],
                                       frequency="DAY", shiftRunLength=case["shift_points"],
                                       trendRunLength=case["trend_points"])
    leader = {"role": "TEAM_LEADER", "teams": [team]}
    observations = [{"period": iso(d), "value": v} for d, v in zip(case["dates"], case["values"], strict=True)]
    data = await api.gql("mutation($i: RecordObservationsInput!) { recordObservations(input: $i) { accepted } }",
                         {"i": {"measureId": measure, "observations": observations}}, **leader)
    assert data["recordObservations"]["accepted"] == len(observations)
    if "recalc_at_index" in case:
        await api.gql("mutation($i: RecalculateLimitsInput!) { recalculateLimits(input: $i) { errors { code } } }",
                      {"i": {"measureId": measure, "fromPeriod": iso(case["dates"][case["recalc_at_index"]]),
                             "reason": "Process changed"}}, **leader)
    if "baseline_n" in case:
        await api.gql("mutation($i: SetBaselineInput!) { setBaseline(input: $i) { errors { code } } }",
                      {"i": {"measureId": measure, "points": case["baseline_n"], "reason": "Baseline period"}},
                      **leader)
    chart = (await api.gql("query($id: ID!) { measure(id: $id) { spc { variation points { variation } } } }",
                           {"id": measure}))["measure"]["spc"]
    expected = list(case["expected_colour_published"])
    for (metric, index), colour in TRANSCRIPTION_ERRORS.items():
        if metric == case["metric"]:
            expected[index] = colour
    assert [COLOURS[p["variation"]] for p in chart["points"]] == expected
    icon = case["derived_variation_icon"]
    assert chart["variation"] == (icon.upper() if icon else None)
