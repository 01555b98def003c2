"""A (system, code) pair identifies at most one measure: defineMeasure and specifyMeasure refuse a pair in use,
also when two commands race for it in two processes."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx

from tests.conftest import Api, serving, settings_for
from tests.e2e.fhir_helpers import LOINC, new_code

DEFINE = """mutation($i: DefineMeasureInput!) { defineMeasure(input: $i) { measure { id codes { system code } }
  errors { code field index message } } }"""
SPECIFY = """mutation($i: SpecifyMeasureInput!) { specifyMeasure(input: $i) { measure { codes { code } }
  errors { code field index } } }"""


def define_input(team: str, *codes: str) -> dict[str, Any]:
    return {"i": {"teamId": team, "name": "Coded", "kind": "OUTCOME", "improvementDirection": "DECREASE",
                  "codes": [{"system": LOINC, "code": c} for c in codes]}}


async def test_a_measure_defined_with_codes_shows_them(api: Api) -> None:
    team = await api.create_team("Codes ward")
    code = new_code()
    data = await api.gql(DEFINE, define_input(team, code))
    assert data["defineMeasure"]["measure"]["codes"] == [{"system": LOINC, "code": code}]


async def test_a_code_in_use_is_refused_naming_the_field_and_index(api: Api) -> None:
    team = await api.create_team()
    taken, free = new_code(), new_code()
    await api.gql(DEFINE, define_input(team, taken))
    data = await api.gql(DEFINE, define_input(team, free, taken))
    assert data["defineMeasure"]["measure"] is None
    assert [(e["code"], e["field"], e["index"]) for e in data["defineMeasure"]["errors"]] == [("INVALID", "codes", 1)]
    # nothing of the refused command holds its other code
    again = await api.gql(DEFINE, define_input(team, free))
    assert again["defineMeasure"]["errors"] == []


async def test_specify_measure_refuses_a_code_another_measure_was_defined_with(api: Api) -> None:
    team = await api.create_team()
    code = new_code()
    await api.gql(DEFINE, define_input(team, code))
    other = await api.define_measure(team)
    data = await api.gql(SPECIFY, {"i": {"measureId": other, "owner": "lead", "numerator": "n", "dataSource": "d",
                                         "reason": "r", "codes": [{"system": LOINC, "code": code}]}},
                         role="TEAM_LEADER", teams=[team])
    assert [(e["code"], e["field"]) for e in data["specifyMeasure"]["errors"]] == [("INVALID", "codes")]


async def test_a_code_a_specification_dropped_can_be_given_to_another_measure(api: Api) -> None:
    team = await api.create_team()
    code = new_code()
    first = (await api.gql(DEFINE, define_input(team, code)))["defineMeasure"]["measure"]["id"]
    spec = {"measureId": first, "owner": "lead", "numerator": "n", "dataSource": "d", "reason": "Recoded",
            "codes": [{"system": LOINC, "code": new_code()}]}
    assert (await api.gql(SPECIFY, {"i": spec}, role="TEAM_LEADER", teams=[team]))["specifyMeasure"]["errors"] == []
    data = await api.gql(DEFINE, define_input(team, code))
    assert data["defineMeasure"]["errors"] == []


async def test_two_processes_racing_to_define_measures_with_one_code_give_it_to_exactly_one(
        api: Api, database_url: str) -> None:
    team = await api.create_team()
    async with serving(settings_for(database_url, run_projections=False)) as other:
        for _ in range(3):
            code = new_code()

            async def define(base: str, code: str = code) -> dict[str, Any]:
                token = api.token("TEAM_LEADER", [team])
                async with httpx.AsyncClient(timeout=30) as http:
                    r = await http.post(f"{base}/graphql", headers={"Authorization": f"Bearer {token}"},
                                        json={"query": DEFINE, "variables": define_input(team, code)})
                return dict(r.json()["data"]["defineMeasure"])

            answers = await asyncio.gather(*(define(b) for b in (api.base, other, api.base, other)))
            made = [a for a in answers if not a["errors"]]
            assert len(made) == 1, answers
            assert all(a["errors"][0]["field"] == "codes" for a in answers if a["errors"])
