"""What watching costs: single-observation commands and chart queries (answer-cache misses and hits) against a
real `qms serve` with metrics and logging off, on (QMS_METRICS_TOKEN set and scraped, QMS_LOG_FORMAT=json), and on
with the access log too (QMS_ACCESS_LOG=true, a line per request), in the same run. The configurations alternate
round by round so that the machine's drift falls on all; the figure is on/off per workload. Target: on within 5%.

    python benchmarks/observability_bench.py [--clients 16] [--duration 8] [--rounds 2] [--points 120]"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
from datetime import date, timedelta

import httpx
import orjson
from _common import Server, bearer, create_team_and_measures, run_wrk, scratch_database
from chart_query_bench import POINTS, post_lua
from commands_bench import record_lua

WATCHED = {"QMS_METRICS_TOKEN": "bench-scrape", "QMS_LOG_FORMAT": "json"}
CONFIGS = {"off": {}, "on": WATCHED, "on + access log": {**WATCHED, "QMS_ACCESS_LOG": "true"}}


async def one_round(url: str, env: dict[str, str], args: argparse.Namespace, day: int) -> dict[str, float]:
    with Server(url, env=env) as server:
        team, (measure, *writable) = await create_team_and_measures(server.base, 1 + args.measures, frequency="DAY")
        async with httpx.AsyncClient(timeout=60) as http:
            obs = [{"measureId": measure, "period": (date(2010, 1, 1) + timedelta(days=i)).isoformat(),
                    "value": 40 + (i * 7) % 11} for i in range(args.points)]
            r = await http.post(f"{server.base}/ingest/observations", json={"observations": obs},
                                headers=bearer("INTEGRATION", [team], subject="feed"))
            assert r.status_code == 200, r.text
            reader = bearer("AUDITOR", subject="auditor")
            for _ in range(200):  # the projection applies them asynchronously
                g = await http.post(f"{server.base}/graphql", headers=reader,
                                    json={"query": POINTS, "variables": {"id": measure, "nonce": 0}})
                if len(g.json()["data"]["measure"]["spc"]["points"]) == args.points:
                    break
                await asyncio.sleep(0.1)
        writer = bearer("TEAM_MEMBER", [team], subject="nurse")["Authorization"].split()[1]
        auditor = reader["Authorization"].split()[1]
        gql = f"{server.base}/graphql"
        body = orjson.dumps({"query": POINTS, "variables": {"id": measure}}).decode()
        if "QMS_METRICS_TOKEN" in env:  # a scrape, as Prometheus would make, so the series exist
            httpx.get(f"{server.base}/metrics", headers={"Authorization": "Bearer bench-scrape"}).raise_for_status()

        def wrk(lua: str) -> float:
            return float(run_wrk(gql, lua, connections=args.clients, duration=args.duration)["rps"])

        wrk(post_lua(auditor, body, '"rules"', True))  # warm-up
        return {
            "commands": wrk(record_lua(writable, writer, f"obs{day}", day)),
            "chart, cache miss": wrk(post_lua(auditor, body, '"rules"', True)),
            "chart, cache hit": wrk(post_lua(auditor, body, '"rules"', False)),
        }


async def main() -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--clients", type=int, default=16)
    p.add_argument("--measures", type=int, default=32)
    p.add_argument("--duration", type=float, default=8.0, help="seconds per measurement")
    p.add_argument("--rounds", type=int, default=2, help="off/on pairs")
    p.add_argument("--points", type=int, default=120)
    args = p.parse_args()
    runs: dict[str, list[dict[str, float]]] = {label: [] for label in CONFIGS}
    async with scratch_database() as url:
        for i in range(args.rounds):
            for j, (label, env) in enumerate(CONFIGS.items()):
                runs[label].append(await one_round(url, env, args, 1000 + 400 * (len(CONFIGS) * i + j)))
    print(f"observability: off; on (metrics scraped, JSON logs); on with an access-log line per request; "
          f"{args.clients} clients (wrk), {args.duration:g} s each, {args.rounds} alternating rounds; medians, req/s")
    for workload in runs["off"][0]:
        off = statistics.median(r[workload] for r in runs["off"])
        cells = [f"off {off:>8,.0f}"]
        for label in list(CONFIGS)[1:]:
            on = statistics.median(r[workload] for r in runs[label])
            cells.append(f"{label} {on:>8,.0f} ({on / off:5.3f})")
        print(f"  {workload:<18} " + "   ".join(cells))
    print("  target: on within 5% of off (ratio >= 0.95)")
    return 0


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
