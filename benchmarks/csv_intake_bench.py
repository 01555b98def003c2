"""CSV and NDJSON intake: the same observations posted to POST /ingest/observations of a real `qms serve` as CSV
(in measure order, and with every chunk spanning all measures), as NDJSON and as per-item JSON batches, against
a raw asyncpg COPY of the same rows into a scratch table of the same database server, all in one run.

    python benchmarks/csv_intake_bench.py [--observations 100000] [--measures 100] [--posts 4] [--rounds 1]

With several rounds it ends with each format's median ratio, its range and how many rounds reached 0.5.

Each format runs against a fresh database and server. Every POST must answer 200 with no errors, and afterwards
the event log must hold exactly the posted observations (counted from the stored events), or the run fails."""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import time
from collections.abc import AsyncIterator
from datetime import date

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
from ingest_bench import copy_baseline, make_rows, post_all

Row = tuple[str, date, float, str]


def csv_body(rows: list[Row]) -> bytes:
    return ("measureId,period,value,sourceId\n"
            + "".join(f"{m},{d.isoformat()},{v!r},{s}\n" for m, d, v, s in rows)).encode()


def ndjson_body(rows: list[Row]) -> bytes:
    return b"".join(orjson.dumps({"measureId": m, "period": d.isoformat(), "value": v, "sourceId": s}) + b"\n"
                    for m, d, v, s in rows)


async def parts(body: bytes, size: int = 1 << 16) -> AsyncIterator[bytes]:
    for i in range(0, len(body), size):
        yield body[i:i + size]


async def post_streams(http: httpx.AsyncClient, base: str, bodies: list[bytes], kind: str,
                       token: dict[str, str]) -> list[dict]:
    """Every body at once, each streamed (chunked transfer), as `qms import` or a feed would send a file."""
    async def one(i: int, body: bytes) -> dict:
        r = await http.post(f"{base}/ingest/observations", content=parts(body),
                            headers={**token, "content-type": kind, "idempotency-key": f"bench-{i}"})
        if r.status_code != 200:
            raise RuntimeError(f"body {i}: HTTP {r.status_code}: {r.text[:500]}")
        return orjson.loads(r.content)

    return list(await asyncio.gather(*(one(i, b) for i, b in enumerate(bodies))))


def split(rows: list[Row], n: int) -> list[list[Row]]:
    size = -(-len(rows) // n)
    return [rows[i:i + size] for i in range(0, len(rows), size)]


async def run_format(name: str, args: argparse.Namespace) -> tuple[float, float, bool]:
    async with scratch_database() as url:
        # a loaded machine can keep the projections behind for seconds while the measures are defined (untimed)
        with Server(url, env={"QMS_READ_YOUR_WRITES_TIMEOUT": "120"}) as server:
            team, measures = await create_team_and_measures(server.base, args.measures)
            rows = make_rows(measures, args.observations)  # interleaved: every stretch spans all measures
            if name == "csv, measure order":
                rows.sort(key=lambda r: r[0])
            token = bearer("INTEGRATION", [team], subject="feed")
            # The client is made before the clock starts, as COPY's connection is (building one costs tens of
            # milliseconds, its TLS context included, which is not intake's); its connections open in the run.
            async with httpx.AsyncClient(timeout=600, limits=httpx.Limits(max_connections=args.posts)) as http:
                if name == "per-item JSON":
                    bodies = [orjson.dumps({"idempotencyKey": f"bench-{i}", "observations": [
                        {"measureId": m, "period": d.isoformat(), "value": v, "sourceId": s} for m, d, v, s in
                        rows[i:i + args.batch]]}) for i in range(0, len(rows), args.batch)]
                    t0 = time.perf_counter()
                    answers = await post_all(server.base, bodies, args.posts, token, http)
                else:
                    make, kind = (ndjson_body, "application/x-ndjson") if name == "ndjson" else (csv_body, "text/csv")
                    bodies = [make(part) for part in split(rows, args.posts)]
                    t0 = time.perf_counter()
                    answers = await post_streams(http, server.base, bodies, kind, token)
                elapsed = time.perf_counter() - t0
            conn = await asyncpg.connect(url)
            try:
                stored = await stored_observation_count(conn)
                events = await conn.fetchval("SELECT count(*) FROM events WHERE topic LIKE '%ObservationsRecorded'")
            finally:
                await conn.close()
        copy_s = await copy_baseline(url, rows)  # the same rows, the same database server, right after
    copy_rate = len(rows) / copy_s
    accepted = sum(a["accepted"] for a in answers)
    errors = sum(len(a["errors"]) for a in answers)
    ok = accepted == stored == len(rows) and errors == 0
    rate = len(rows) / elapsed
    verdict = "OK" if ok else f"MISMATCH ({accepted} accepted, {errors} errors)"
    print(f"  {name:<19}: {elapsed:6.3f} s {rate:>9,.0f} obs/s | COPY {copy_s:6.3f} s {copy_rate:>10,.0f} rows/s | "
          f"ratio {ratio(rate, copy_rate)} | {len(bodies)} POSTs of {sum(map(len, bodies)) / len(bodies) / 1e6:.2f} "
          f"MB; stored {stored:,} in {events:,} events -> {verdict}")
    return rate, copy_rate, ok


async def main() -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--observations", type=int, default=100_000)
    p.add_argument("--measures", type=int, default=100)
    p.add_argument("--posts", type=int, default=4, help="concurrent POSTs (CSV, NDJSON: one streamed body each)")
    p.add_argument("--batch", type=int, default=5_000, help="observations per per-item JSON POST")
    p.add_argument("--rounds", type=int, default=1)
    p.add_argument("--formats", default="csv, measure order;csv, interleaved;ndjson;per-item JSON")
    args = p.parse_args()
    formats = args.formats.split(";")
    print(f"intake: {args.observations:,} observations over {args.measures} DAY measures, {args.posts} concurrent "
          f"POSTs; each beside asyncpg COPY of the same rows (one transaction) into the same database right after")
    all_ok = True
    ratios: dict[str, list[float]] = {name: [] for name in formats}
    for round_ in range(args.rounds):
        print(f"round {round_ + 1}")
        for name in formats:
            rate, copy_rate, ok = await run_format(name, args)
            ratios[name].append(rate / copy_rate)
            all_ok &= ok
    if args.rounds > 1:  # one round's ratio rests on one COPY, which varies by half on a shared machine
        print(f"over {args.rounds} rounds (ratio to COPY: median, range, rounds at 0.5 or more):")
        for name, found in ratios.items():
            print(f"  {name:<19}: {statistics.median(found):.3f} ({min(found):.3f}-{max(found):.3f}), "
                  f"{sum(r >= 0.5 for r in found)} of {len(found)}")
    print("targets: CSV ratio >= 0.5 (aim past 1.0); per-item JSON >= 100,000 obs/s")
    return 0 if all_ok else 1


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
