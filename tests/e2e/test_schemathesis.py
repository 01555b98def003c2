"""Generated operations against the live service (schemathesis): no 5xx and no unhandled exception, whatever
the input. The service runs as its own process, as it does in production."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import schemathesis
from hypothesis import HealthCheck, settings

from schema.root import build_schema
from tests.conftest import TEST_SECRET, free_port

ROOT = Path(__file__).resolve().parents[2]
schema = schemathesis.graphql.from_file(build_schema().as_str())


@pytest.fixture(scope="module")
def live(database_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, str]]:
    port = free_port()
    log = tmp_path_factory.mktemp("live") / "server.log"
    env = {**os.environ, "DATABASE_URL": database_url, "QMS_JWT_SECRET": TEST_SECRET, "PYTHONPATH": str(ROOT),
           "QMS_DATA_DIR": str(log.parent)}
    with log.open("wb") as out:
        process = subprocess.Popen([sys.executable, "-m", "service.edge.cli", "serve", "--port", str(port)], cwd=ROOT,
                                   env=env, stdout=out, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(300):
            try:
                if httpx.get(f"{base}/healthz", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.1)
        from service.auth.identity import TokenService

        yield f"{base}/graphql", TokenService(TEST_SECRET).issue("fuzzer", "SENIOR_LEADER")
    finally:
        process.terminate()
        process.wait(30)
    text = log.read_text()
    at = text.find("Traceback")
    assert at < 0, text[max(0, at - 500):at + 4000]


@schema.parametrize()
@settings(max_examples=25, deadline=None, derandomize=True, suppress_health_check=list(HealthCheck))
def test_no_generated_operation_causes_a_server_error(case: schemathesis.Case, live: tuple[str, str]) -> None:
    url, token = live
    response = case.call(base_url=url, headers={"Authorization": f"Bearer {token}"})
    assert response.status_code < 500, response.text
    body = response.json()
    internal = [e for e in body.get("errors") or [] if (e.get("extensions") or {}).get("code") == "INTERNAL"]
    assert internal == [], internal
