"""Durability under kill -9: stream ingest POSTs (every observation with a unique sourceId) at a real
`qms serve`, record every observation the server acknowledged (HTTP 200, counted as accepted), SIGKILL the
server mid-stream, restart it on the same database, and check that every acknowledged observation is in the
event log, that the hash chain verifies, and that the SPC chart catches up to hold them all.

    python benchmarks/kill9_durability.py [--measures 20] [--batch 500] [--posters 4] [--kill-after 4] [--rounds 2]

Exits 1 on any loss. Observations in flight when the server died may or may not be stored (they were never
acknowledged); they are reported, not judged."""

from __future__ import annotations

import argparse
import asyncio
import itertools
import subprocess
import sys
import time
from datetime import date, timedelta

import asyncpg
import httpx
import orjson
from _common import (
    QMS,
    SECRET,
    TOPIC_RECORDED,
    Server,
    bearer,
    create_team_and_measures,
    projections_started,
    scratch_database,
)


async def stream(
    base: str,
    measures: list[str],
    team: str,
    args: argparse.Namespace,
    counter: itertools.count,
    acked: set[str],
    sent: set[str],
    stop_at: float,
) -> int:
    """Post batches from `posters` clients until the server dies (or stop_at); return failed POSTs."""
    headers = {**bearer("INTEGRATION", [team], subject="feed"), "content-type": "application/json"}
    failures = 0

    async def poster(http: httpx.AsyncClient) -> None:
        nonlocal failures
        while time.monotonic() < stop_at:
            obs = []
            for _ in range(args.batch):
                n = next(counter)
                m, day = n % len(measures), n // len(measures)  # a new day per measure: never a duplicate
                obs.append(
                    {
                        "measureId": measures[m],
                        "period": _day(day),
                        "value": float(n % 97),
                        "sourceId": f"obs-{n}",
                    }
                )
            ids = [o["sourceId"] for o in obs]
            sent.update(ids)
            try:
                r = await http.post(
                    f"{base}/ingest/observations",
                    content=orjson.dumps({"idempotencyKey": f"k-{ids[0]}", "observations": obs}),
                    headers=headers,
                )
            except httpx.HTTPError:
                failures += 1
                return  # the server is gone
            if r.status_code == 200:
                a = r.json()
                assert a["accepted"] == len(obs) and not a["errors"], a
                acked.update(ids)
            else:
                failures += 1

    async with httpx.AsyncClient(timeout=30) as http:
        await asyncio.gather(*(poster(http) for _ in range(args.posters)))
    return failures


def _day(day: int) -> str:
    return (date(1901, 1, 1) + timedelta(days=day)).isoformat()


async def stored_source_ids(url: str) -> set[str]:
    conn = await asyncpg.connect(url)
    try:
        rows = await conn.fetch(
            "SELECT jsonb_array_elements_text(convert_from(data, 'UTF8')::jsonb -> 'source_ids') "
            "FROM events WHERE topic = $1",
            TOPIC_RECORDED,
        )
        return {r[0] for r in rows}
    finally:
        await conn.close()


async def main() -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--measures", type=int, default=20)
    p.add_argument("--batch", type=int, default=500, help="observations per POST")
    p.add_argument("--posters", type=int, default=4)
    p.add_argument("--kill-after", type=float, default=4.0, help="seconds of streaming before kill -9")
    p.add_argument("--rounds", type=int, default=2, help="kill/restart cycles on the same database")
    args = p.parse_args()

    lost_total = 0
    async with scratch_database() as url:
        server = Server(url).start()
        await projections_started(server.base)
        team, measures = await create_team_and_measures(server.base, args.measures)
        counter = itertools.count()
        acked: set[str] = set()
        sent: set[str] = set()
        try:
            for rnd in range(1, args.rounds + 1):
                loop = asyncio.get_running_loop()
                loop.call_later(args.kill_after, server.kill9)
                before = len(acked)
                failures = await stream(
                    server.base,
                    measures,
                    team,
                    args,
                    counter,
                    acked,
                    sent,
                    time.monotonic() + args.kill_after + 30,
                )
                print(
                    f"round {rnd}: kill -9 of pid {server.pid} after {args.kill_after:g} s; "
                    f"{len(acked) - before:,} observations acknowledged this round, {failures} POSTs cut off"
                )
                server = Server(url, port=server.port).start()  # restart on the same database
                stored = await stored_source_ids(url)
                lost = acked - stored
                unacked_stored = len((sent - acked) & stored)
                lost_total += len(lost)
                print(
                    f"  after restart: {len(stored):,} stored, {len(acked):,} acknowledged so far, "
                    f"lost {len(lost):,}; in-flight stored anyway {unacked_stored:,} of {len(sent - acked):,}"
                )
            # The projection catches up after the restart: every stored observation is charted.
            conn = await asyncpg.connect(url)
            try:
                for _ in range(300):
                    head = await conn.fetchval("SELECT position FROM event_log_head")
                    spc = await conn.fetchval("SELECT position FROM projection_tracking WHERE name = 'spc'")
                    if spc == head:
                        break
                    await asyncio.sleep(0.1)
                charted = await conn.fetchval("SELECT coalesce(sum(points), 0) FROM spc_series")
            finally:
                await conn.close()
        finally:
            server.stop()
        env = {"DATABASE_URL": url, "QMS_JWT_SECRET": SECRET, "PATH": "/usr/bin:/bin"}
        verify = subprocess.run([QMS, "verify"], env=env, capture_output=True, text=True)
        stored = await stored_source_ids(url)

    print(f"  charted points {charted:,} (stored {len(stored):,}); qms verify: {verify.stdout.strip()}")
    ok = lost_total == 0 and charted == len(stored) and verify.returncode == 0 and acked
    print(
        "PASS: every acknowledged observation survived kill -9"
        if ok
        else f"FAIL: lost {lost_total} acknowledged observations (or chart/verify mismatch)"
    )
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
