"""NDJSON intake of 1,000,000 lines in bounded memory: the peak resident memory of a real `qms serve` process grows
by far less than the body's size while it streams the body in."""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import AsyncIterator, Iterator
from datetime import date, timedelta
from pathlib import Path

import httpx

from tests.conftest import TEST_SECRET, Api, free_port

LINES = 1_000_000
MEASURES = 100
DAYS = 100
REPEATS = LINES // (MEASURES * DAYS)
GROWTH_LIMIT = 48 * 2**20  # the body is over 100 MiB; holding it, or its items, would take several times that


@contextlib.contextmanager
def qms_serve(database_url: str) -> Iterator[tuple[str, int]]:
    port = free_port()
    env = {**os.environ, "DATABASE_URL": database_url, "QMS_JWT_SECRET": TEST_SECRET,
           "QMS_DATA_DIR": tempfile.mkdtemp(prefix="qms-test-")}
    qms = str(Path(sys.executable).parent / "qms")
    proc = subprocess.Popen([qms, "serve", "--host", "127.0.0.1", "--port", str(port), "--projections", "none"],
                            env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 60
        while True:
            assert proc.poll() is None and time.monotonic() < deadline, "qms serve did not start"
            with contextlib.suppress(httpx.HTTPError):
                if httpx.get(f"{base}/healthz", timeout=1).status_code == 200:
                    break
            time.sleep(0.1)
        yield base, proc.pid
    finally:
        proc.terminate()
        proc.wait(30)


def peak_rss(pid: int) -> int:
    """The process's peak resident set (VmHWM), in bytes."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) * 1024
    raise AssertionError("no VmHWM")


def block(measures: list[str], first_day: int) -> bytes:
    start = date(1990, 1, 1)
    return "".join(f'{{"measureId": "{m}", "period": "{(start + timedelta(days=first_day + d)).isoformat()}", '
                   f'"value": {d}.5, "sourceId": "s-{i}-{first_day + d}"}}\n'
                   for d in range(DAYS) for i, m in enumerate(measures)).encode()


async def repeated(part: bytes, times: int) -> AsyncIterator[bytes]:
    for _ in range(times):
        for i in range(0, len(part), 1 << 18):
            yield part[i:i + (1 << 18)]


async def test_a_million_ndjson_lines_stream_in_bounded_memory(api: Api, database_url: str) -> None:
    team = await api.create_team("Million lines")
    measures = [await api.define_measure(team, name=f"M{i}", frequency="DAY") for i in range(MEASURES)]
    headers = {"Content-Type": "application/x-ndjson", "Authorization": f"Bearer {api.token('INTEGRATION', [team])}"}
    warm, big = block(measures, 0), block(measures, DAYS)
    with qms_serve(database_url) as (base, pid):
        async with httpx.AsyncClient(timeout=300) as http:
            # a first body of the same shape, so the caches and the code paths are warm before the peak is read
            first = await http.post(f"{base}/ingest/observations", content=warm, headers=headers)
            assert first.status_code == 200, first.text
            assert first.json()["accepted"] == MEASURES * DAYS
            before = peak_rss(pid)
            response = await http.post(f"{base}/ingest/observations", content=repeated(big, REPEATS),
                                       headers=headers)
            after = peak_rss(pid)
    assert response.status_code == 200, response.text
    body = response.json()
    assert (body["accepted"], body["duplicates"], body["errors"]) == (MEASURES * DAYS, LINES - MEASURES * DAYS, [])
    assert len(big) * REPEATS > 100 * 2**20
    assert after - before < GROWTH_LIMIT, f"peak resident memory grew by {(after - before) / 2**20:.1f} MiB"
