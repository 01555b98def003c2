"""Persisted queries (the Apollo convention): a hash first, the document only when asked; GET for queries, with
revalidation; and a production allow-list that refuses every other document."""

from __future__ import annotations

import json
from hashlib import sha256
from pathlib import Path

import httpx
import pytest

from schema.persisted import PersistedDocuments, PersistedQueryError
from tests.conftest import Api, serving, settings_for

QUERY = "query Teams { teams(first: 1) { pageInfo { hasNextPage } } }"
DIGEST = sha256(QUERY.encode()).hexdigest()
PERSISTED = {"persistedQuery": {"version": 1, "sha256Hash": DIGEST}}


def test_a_hash_alone_is_not_found_until_its_document_was_sent_once() -> None:
    documents = PersistedDocuments()
    with pytest.raises(PersistedQueryError) as raised:
        documents.resolve(None, PERSISTED)
    assert (raised.value.status, raised.value.message) == (200, "PersistedQueryNotFound")
    assert documents.resolve(QUERY, PERSISTED) == QUERY
    assert documents.resolve(None, PERSISTED) == QUERY


@pytest.mark.parametrize(("query", "extensions", "code"), [
    ("{ teams { edges { cursor } } }", PERSISTED, "PERSISTED_QUERY_HASH_MISMATCH"),
    (None, {"persistedQuery": {"version": 2, "sha256Hash": DIGEST}}, "PERSISTED_QUERY_INVALID"),
    (None, {"persistedQuery": "yes"}, "PERSISTED_QUERY_INVALID"),
    (None, None, "BAD_REQUEST"),
])
def test_a_wrong_persisted_query_request_is_refused(query: str | None, extensions: object, code: str) -> None:
    with pytest.raises(PersistedQueryError) as raised:
        PersistedDocuments().resolve(query, extensions)
    assert (raised.value.status, raised.value.code) == (400, code)


def test_an_allow_list_whose_keys_are_not_the_documents_hashes_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "persisted.json"
    path.write_text(json.dumps({"0" * 64: QUERY}))
    with pytest.raises(ValueError, match="does not hash"):
        PersistedDocuments.from_file(path)


async def test_a_persisted_query_round_trip_over_post_and_get(server: str, api: Api) -> None:
    auth = {"Authorization": f"Bearer {api.token()}"}
    query = QUERY.replace("Teams", "TeamsRoundTrip")
    extensions = {"persistedQuery": {"version": 1, "sha256Hash": sha256(query.encode()).hexdigest()}}
    async with httpx.AsyncClient(base_url=server, headers=auth) as http:
        r = await http.post("/graphql", json={"extensions": extensions})
        assert r.status_code == 200 and r.json()["errors"][0]["extensions"]["code"] == "PERSISTED_QUERY_NOT_FOUND"
        r = await http.post("/graphql", json={"query": query, "extensions": extensions})
        assert "hasNextPage" in r.json()["data"]["teams"]["pageInfo"]
        params = {"extensions": json.dumps(extensions), "operationName": "TeamsRoundTrip"}
        r = await http.get("/graphql", params=params)
        assert r.status_code == 200 and r.json()["data"]["teams"] and r.headers["ETag"]
        again = await http.get("/graphql", params=params, headers={"If-None-Match": r.headers["ETag"]})
        assert again.status_code == 304 and again.content == b""


async def test_a_mutation_is_never_run_by_get(server: str, api: Api) -> None:
    mutation = 'mutation { createTeam(input: {name: "By GET"}) { errors { code } } }'
    async with httpx.AsyncClient(base_url=server, headers={"Authorization": f"Bearer {api.token()}"}) as http:
        r = await http.get("/graphql", params={"query": mutation})
        assert r.status_code == 405 and r.json()["errors"][0]["extensions"]["code"] == "METHOD_NOT_ALLOWED"


async def test_production_with_an_allow_list_runs_only_its_documents(database_url: str, api: Api,
                                                                       tmp_path: Path) -> None:
    path = tmp_path / "persisted.json"
    path.write_text(json.dumps({DIGEST: QUERY}))
    settings = settings_for(database_url, development=False, persisted_queries=path, persisted_only=True,
                            run_projections=False)
    async with serving(settings) as url, httpx.AsyncClient(
            base_url=url, headers={"Authorization": f"Bearer {api.token()}"}) as http:
        assert (await http.post("/graphql", json={"extensions": PERSISTED})).json()["data"]["teams"]
        assert (await http.post("/graphql", json={"query": QUERY})).json()["data"]["teams"]
        for body in ({"query": "{ teams { edges { cursor } } }"},
                     {"query": "{ teams { edges { cursor } } }", "extensions": {"persistedQuery": {
                         "version": 1, "sha256Hash": sha256(b"{ teams { edges { cursor } } }").hexdigest()}}}):
            r = await http.post("/graphql", json=body)
            assert r.status_code == 400 and r.json()["errors"][0]["extensions"]["code"] == "PERSISTED_QUERY_NOT_ALLOWED"
