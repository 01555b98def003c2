"""Sustained intake: 1,000,000 observations posted as per-item JSON to POST /ingest/observations of a real
`qms serve` (projections running, as in production), timed per 100,000, while the charts grow to 10,000 points
each (100 measures). The baseline is the run's own first 100,000: the last 100,000's rate over the first's must stay
at least 0.8, which holds only if a projection batch costs what it carries, not what the charts already hold.

    python benchmarks/sustained_intake_bench.py [--observations 1000000] [--measures 100] [--batch 5000]
                                                [--posters 4] [--segment 100000]

Every POST of 5,000 spans all the measures, one day each (as a feed from another system would). After the last
acknowledgement it waits for the SPC and signals projections to reach the head, checks every chart holds every
observation, and reports the bytes per observation of the chart read model (spc_series and spc_points, with
their indexes and TOAST) beside the event log's (the events table, with its indexes)."""

from __future__ import annotations

import argparse
import asyncio
import sys
import time

import asyncpg
import httpx
import orjson
import psutil
from _common import Server, bearer, create_team_and_measures, ratio, scratch_database, stored_observation_count
from ingest_bench import make_rows

PROJECTIONS = ("spc", "signals")


async def post_all(base: str, bodies: list[bytes], posters: int, token: dict[str, str],
                   done: list[tuple[float, int]]) -> None:
    """POST every body from `posters` clients; each acknowledgement appends (time, accepted) to `done`."""
    queue: asyncio.Queue[tuple[int, bytes]] = asyncio.Queue()
    for item in enumerate(bodies):
        queue.put_nowait(item)
    headers = {**token, "content-type": "application/json"}

    async def poster(http: httpx.AsyncClient) -> None:
        while not queue.empty():
            i, body = queue.get_nowait()
            r = await http.post(f"{base}/ingest/observations", content=body, headers=headers)
            if r.status_code != 200:
                raise RuntimeError(f"batch {i}: HTTP {r.status_code}: {r.text[:500]}")
            answer = orjson.loads(r.content)
            if answer["errors"]:
                raise RuntimeError(f"batch {i}: {answer['errors'][:3]}")
            done.append((time.perf_counter(), answer["accepted"]))

    async with httpx.AsyncClient(timeout=300, limits=httpx.Limits(max_connections=posters)) as http:
        await asyncio.gather(*(poster(http) for _ in range(posters)))


Sample = tuple[float, int, dict[str, int], dict[str, float]]


def _cpu(process: psutil.Process) -> float:
    try:
        t = process.cpu_times()
        return t.user + t.system
    except psutil.Error:
        return 0.0


async def watch(url: str, server_pid: int, samples: list[Sample], stop: asyncio.Event) -> None:
    """Every quarter second: the log's head, each projection's position, and the CPU seconds used so far by the
    API process, its projection process, and this database's PostgreSQL backends. CPU time hardly depends on what
    else the shared machine runs, so its growth per segment is the steadier sign of a cost that grows."""
    conn = await asyncpg.connect(url)
    api = psutil.Process(server_pid)
    backends: dict[int, psutil.Process] = {}
    try:
        while not stop.is_set():
            head = await conn.fetchval("SELECT position FROM event_log_head")
            rows = await conn.fetch("SELECT name, position FROM projection_tracking WHERE name = ANY($1)",
                                    list(PROJECTIONS))
            for pid in await conn.fetch("SELECT pid FROM pg_stat_activity WHERE datname = current_database()"):
                if pid[0] not in backends:
                    backends[pid[0]] = psutil.Process(pid[0])
            cpu = {"api": _cpu(api), "projections": sum(_cpu(c) for c in api.children(recursive=True)),
                   "postgres": sum(_cpu(b) for b in backends.values())}
            samples.append((time.perf_counter(), head or 0, {r[0]: r[1] for r in rows}, cpu))
            await asyncio.sleep(0.25)
    finally:
        await conn.close()


def at(samples: list[Sample], t: float) -> Sample:
    """The sample nearest to t."""
    return min(samples, key=lambda s: abs(s[0] - t))


def segments(done: list[tuple[float, int]], t0: float, segment: int) -> list[tuple[float, float]]:
    """(start, end) time of each `segment` observations acknowledged, in order."""
    bounds, total, start = [], 0, t0
    for at, accepted in sorted(done):
        total += accepted
        while total >= segment * (len(bounds) + 1):
            bounds.append((start, at))
            start = at
    return bounds


async def main() -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--observations", type=int, default=1_000_000)
    p.add_argument("--measures", type=int, default=100)
    p.add_argument("--batch", type=int, default=5_000, help="observations per POST")
    p.add_argument("--posters", type=int, default=4, help="concurrent posting clients")
    p.add_argument("--segment", type=int, default=100_000, help="observations per timed segment")
    p.add_argument("--table-stats", action="store_true", help="print the busiest tables' statistics")
    args = p.parse_args()

    async with scratch_database() as url:
        # a loaded machine can keep the projections behind for seconds while the measures are defined (untimed)
        with Server(url, env={"QMS_READ_YOUR_WRITES_TIMEOUT": "120"}) as server:
            team, measures = await create_team_and_measures(server.base, args.measures)
            rows = make_rows(measures, args.observations)
            bodies = [orjson.dumps({"idempotencyKey": f"sustained-{i}", "observations": [
                {"measureId": m, "period": d.isoformat(), "value": v, "sourceId": s}
                for m, d, v, s in rows[i : i + args.batch]]}) for i in range(0, len(rows), args.batch)]
            del rows
            print(f"sustained intake: {args.observations:,} observations (per-item JSON), {args.measures} measures "
                  f"(DAY), {len(bodies)} POSTs of {args.batch:,} from {args.posters} concurrent posters; "
                  f"timed per {args.segment:,}")
            done: list[tuple[float, int]] = []
            samples: list[Sample] = []
            stop = asyncio.Event()
            watcher = asyncio.create_task(watch(url, server.pid, samples, stop))
            await asyncio.sleep(0.3)
            t0 = time.perf_counter()
            await post_all(server.base, bodies, args.posters, bearer("INTEGRATION", [team], subject="feed"), done)
            acked_at = time.perf_counter()
            conn = await asyncpg.connect(url)
            try:
                while True:  # the projections catch up
                    head = await conn.fetchval("SELECT position FROM event_log_head")
                    behind = await conn.fetchval("SELECT count(*) FROM projection_tracking WHERE name = ANY($1) "
                                                 "AND position < $2", list(PROJECTIONS), head)
                    if not behind:
                        break
                    await asyncio.sleep(0.1)
                caught_up = time.perf_counter() - acked_at
                stop.set()
                await watcher
                stored = await stored_observation_count(conn)
                charted = await conn.fetchval("SELECT coalesce(sum(points), 0) FROM spc_series")
                sizes = {t: await conn.fetchval("SELECT pg_total_relation_size($1::regclass)", t)
                         for t in ("events", "spc_series", "spc_points", "signal_watch", "signal_watch_points")}
                if args.table_stats:
                    for r in await conn.fetch(
                            "SELECT relname, seq_scan, seq_tup_read, idx_scan, n_tup_ins, n_tup_upd, n_tup_hot_upd, "
                            "n_dead_tup, pg_total_relation_size(relid) FROM pg_stat_user_tables "
                            "ORDER BY seq_tup_read + n_tup_upd + n_tup_ins DESC LIMIT 12"):
                        print("  table", dict(r))
            finally:
                await conn.close()

    accepted = sum(a for _, a in done)
    ok = accepted == stored == charted == args.observations
    print(f"  acknowledged {accepted:,}; stored (from events) {stored:,}; charted {charted:,} -> "
          f"{'OK' if ok else 'MISMATCH'}")
    rates, costs = [], []
    print("  acknowledged    rate          CPU ms per 1,000 observations (API + projections + PostgreSQL)   "
          "events behind")
    for k, (a, b) in enumerate(segments(done, t0, args.segment)):
        rate = args.segment / (b - a)
        rates.append(rate)
        first, last = at(samples, a), at(samples, b)
        used = {n: (last[3][n] - first[3][n]) * 1e6 / args.segment for n in last[3]}
        costs.append(sum(used.values()))
        lags = ", ".join(f"{n} {last[1] - last[2].get(n, 0):,}" for n in PROJECTIONS)
        print(f"  {(k + 1) * args.segment:>11,}: {rate:>9,.0f} obs/s   {costs[-1]:6.1f} = "
              + " + ".join(f"{used[n]:5.1f}" for n in ("api", "projections", "postgres")) + f"   {lags}")
    total_rate = accepted / (acked_at - t0)
    print(f"  whole run: {total_rate:,.0f} obs/s; projections caught up {caught_up:.1f} s after the last "
          f"acknowledgement")
    print(f"  ratio last/first {args.segment:,}: {ratio(rates[-1], rates[0])}   (target >= 0.8); CPU per "
          f"observation, first/last: {ratio(costs[0], costs[-1])}")
    chart_bytes = sizes["spc_series"] + sizes["spc_points"]
    print(f"  chart read model (spc_series + spc_points): {chart_bytes / 1e6:8.1f} MB, "
          f"{chart_bytes / accepted:6.1f} bytes/observation")
    print(f"  event log (events)                        : {sizes['events'] / 1e6:8.1f} MB, "
          f"{sizes['events'] / accepted:6.1f} bytes/observation   ratio {ratio(chart_bytes, sizes['events'])}")
    watch_bytes = sizes["signal_watch"] + sizes["signal_watch_points"]
    print(f"  signals projection's watched series       : {watch_bytes / 1e6:8.1f} MB, "
          f"{watch_bytes / accepted:6.1f} bytes/observation")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
