"""Bulk intake: observations posted to POST /ingest/observations of a real `qms serve`, against a raw
asyncpg COPY of the same rows into a scratch table of the same database (the floor for durably storing them).

    python benchmarks/ingest_bench.py [--observations 100000] [--measures 100] [--batch 5000] [--posters 4]

Every POST must answer 200 with no errors, and afterwards the event log must hold exactly the posted
observations (counted from the stored ObservationsRecorded events), or the run fails."""

from __future__ import annotations

import argparse
import asyncio
import random
import sys
import time
from datetime import date, timedelta

import asyncpg
import httpx
import orjson
from _common import (
    Server,
    bearer,
    create_team_and_measures,
    ratio,
    scratch_database,
    stored_observation_count,
)

START = date(1950, 1, 1)


def make_rows(measure_ids: list[str], total: int, seed: int = 1) -> list[tuple[str, date, float, str]]:
    """`total` observations spread evenly over the measures, one per day each, in measure-interleaved order
    (so every batch touches every measure, as a feed from another system would)."""
    rng = random.Random(seed)
    per = -(-total // len(measure_ids))
    rows = []
    for day in range(per):
        period = START + timedelta(days=day)
        for m, mid in enumerate(measure_ids):
            if len(rows) == total:
                break
            rows.append((mid, period, float(round(rng.gauss(50, 5), 2)), f"src-{m}-{day}"))
    return rows


async def post_all(base: str, bodies: list[bytes], posters: int, token: dict[str, str],
                   http: httpx.AsyncClient | None = None) -> list[dict]:
    """Every body POSTed by `posters` concurrent clients, on `http` when given (made before the clock starts, as
    the COPY baseline's connection is: building a client costs tens of milliseconds, which is not intake's)."""
    queue: asyncio.Queue[tuple[int, bytes]] = asyncio.Queue()
    for item in enumerate(bodies):
        queue.put_nowait(item)
    answers: list[dict] = [{} for _ in bodies]
    headers = {**token, "content-type": "application/json"}

    async def poster(http: httpx.AsyncClient) -> None:
        while not queue.empty():
            i, body = queue.get_nowait()
            r = await http.post(f"{base}/ingest/observations", content=body, headers=headers)
            if r.status_code != 200:
                raise RuntimeError(f"batch {i}: HTTP {r.status_code}: {r.text[:500]}")
            answers[i] = orjson.loads(r.content)

    if http is not None:
        await asyncio.gather(*(poster(http) for _ in range(posters)))
        return answers
    async with httpx.AsyncClient(timeout=300, limits=httpx.Limits(max_connections=posters)) as client:
        await asyncio.gather(*(poster(client) for _ in range(posters)))
    return answers


async def copy_baseline(url: str, rows: list[tuple[str, date, float, str]]) -> float:
    conn = await asyncpg.connect(url)
    try:
        await conn.execute(
            "CREATE TABLE bench_copy (measure_id text NOT NULL, period date NOT NULL, "
            "value double precision, source_id text)"
        )
        t0 = time.perf_counter()
        await conn.copy_records_to_table(
            "bench_copy", records=rows, columns=["measure_id", "period", "value", "source_id"]
        )
        elapsed = time.perf_counter() - t0
        assert await conn.fetchval("SELECT count(*) FROM bench_copy") == len(rows)
        await conn.execute("DROP TABLE bench_copy")
        return elapsed
    finally:
        await conn.close()


async def main() -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--observations", type=int, default=100_000)
    p.add_argument("--measures", type=int, default=100)
    p.add_argument("--batch", type=int, default=5_000, help="observations per POST")
    p.add_argument("--posters", type=int, default=4, help="concurrent posting clients")
    args = p.parse_args()

    async with scratch_database() as url:
        with Server(url) as server:
            team, measures = await create_team_and_measures(server.base, args.measures)
            rows = make_rows(measures, args.observations)
            bodies = [
                orjson.dumps(
                    {
                        "idempotencyKey": f"bench-{i}",
                        "observations": [
                            {"measureId": m, "period": d.isoformat(), "value": v, "sourceId": s}
                            for m, d, v, s in rows[i : i + args.batch]
                        ],
                    }
                )
                for i in range(0, len(rows), args.batch)
            ]
            token = bearer("INTEGRATION", [team], subject="feed")
            print(
                f"ingest: {len(rows):,} observations, {args.measures} measures (DAY), {len(bodies)} POSTs of "
                f"{args.batch:,} ({sum(map(len, bodies)) / len(bodies) / 1e6:.2f} MB each), "
                f"{args.posters} concurrent posters"
            )
            async with httpx.AsyncClient(timeout=300, limits=httpx.Limits(max_connections=args.posters)) as http:
                t0 = time.perf_counter()  # the client made first, as COPY's connection is
                answers = await post_all(server.base, bodies, args.posters, token, http)
                elapsed = time.perf_counter() - t0

            accepted = sum(a["accepted"] for a in answers)
            errors = sum(len(a["errors"]) for a in answers)
            conn = await asyncpg.connect(url)
            try:
                stored = await stored_observation_count(conn)
                events = await conn.fetchval("SELECT count(*) FROM events")
            finally:
                await conn.close()
        copy_s = await copy_baseline(url, rows)

    ok = accepted == stored == len(rows) and errors == 0
    service_rate, copy_rate = len(rows) / elapsed, len(rows) / copy_s
    print(
        f"  acknowledged: {accepted:,} accepted, {errors} errors; stored (from events): {stored:,} "
        f"in {events:,} events -> {'OK' if ok else 'MISMATCH'}"
    )
    print(f"  service  /ingest/observations : {elapsed:7.3f} s  {service_rate:>10,.0f} obs/s")
    print(f"  baseline asyncpg COPY (1 txn) : {copy_s:7.3f} s  {copy_rate:>10,.0f} obs/s")
    print(
        f"  ratio service/baseline        : {ratio(service_rate, copy_rate)}   "
        f"(targets: >= 100,000 obs/s, ratio >= 0.5)"
    )
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
