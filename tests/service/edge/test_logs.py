"""Logs: one JSON object per line in production with the request's id, operation, actor and role, its duration
and outcome, and never a token."""

from __future__ import annotations

import logging

import orjson
import pytest

from service.edge.logs import ACCESS, JsonFormatter, TextFormatter
from tests.conftest import Api


@pytest.fixture
def access_log(caplog: pytest.LogCaptureFixture) -> pytest.LogCaptureFixture:
    ACCESS.setLevel(logging.INFO)
    caplog.set_level(logging.INFO, logger="qms.access")
    yield caplog
    ACCESS.setLevel(logging.WARNING)


async def test_each_request_is_one_json_line_with_who_what_and_how_it_went(
        api: Api, access_log: pytest.LogCaptureFixture) -> None:
    token = api.token("SENIOR_LEADER", subject="dr-lines")
    await api.gql("query LoggedTeams { teams(first: 1) { edges { cursor } } }", token=token)
    await api.http.post(f"{api.base}/graphql", json={"query": "{ teams { edges { cursor } } }"},
                        headers={"Authorization": "Bearer not-a-token-but-secret"})
    access_lines = [r for r in access_log.records if r.name == "qms.access"]
    lines = [orjson.loads(JsonFormatter().format(r)) for r in access_lines]
    ok = next(line for line in lines if line.get("operation") == "LoggedTeams")
    assert {k: ok[k] for k in ("route", "actor", "role", "status", "outcome")} == {
        "route": "/graphql", "actor": "dr-lines", "role": "SENIOR_LEADER", "status": 200, "outcome": "ok"}
    assert len(ok["request_id"]) == 32 and ok["duration_ms"] >= 0 and ok["level"] == "INFO"
    refused = next(line for line in lines if line["status"] == 401)
    assert refused["outcome"] == "refused" and "actor" not in refused
    text = "\n".join(JsonFormatter().format(r) for r in access_lines) + "\n".join(
        TextFormatter().format(r) for r in access_lines)
    assert token not in text and "not-a-token-but-secret" not in text and "Bearer" not in text


def test_an_error_line_carries_its_exception_as_text() -> None:
    try:
        raise RuntimeError("disk on fire")
    except RuntimeError:
        record = logging.LogRecord("qms", logging.ERROR, __file__, 1, "failed %s", ("x",), exc_info=True)
        import sys
        record.exc_info = sys.exc_info()
    line = orjson.loads(JsonFormatter().format(record))
    assert line["message"] == "failed x" and "disk on fire" in line["exception"]
