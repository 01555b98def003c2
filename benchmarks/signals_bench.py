"""Signals, the control board and chart pictures, through `qms serve` (child process, its projections in their
own process as in production):

1. signal latency: from an acknowledged intake request (one observation that makes the measure's latest point a
   special cause) to its signal being readable in the signals read model, p50/p99 over --signals signals, while
   another feed keeps posting an observation every 10 ms;
2. controlBoard(teamId) of a team with 50 measures of 120 points: the full board (its overdue actions depend on
   the clock, so it is never served from the answer cache), and the board without them, cold (a distinct unused
   variable each request) and cached, beside the bare endpoint of chart_query_bench.py (one chart, no GraphQL);
3. GET /charts/{id}.svg of a 120-point chart beside the JSON chart query (points), and render_svg in-process.

    python benchmarks/signals_bench.py [--signals 1000] [--clients 16] [--duration 10]
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import subprocess
import sys
import time
from datetime import date, timedelta
from pathlib import Path

import asyncpg
import httpx
import orjson
from _common import (
    Server,
    bearer,
    create_team_and_measures,
    fmt_wrk,
    free_port,
    lua_string,
    ratio,
    run_wrk,
    scratch_database,
)
from chart_query_bench import POINTS, keep_writing, post_lua

BOARD = ("query($t: ID!) { controlBoard(teamId: $t) { measures { measure { id name } latestPeriod latestValue "
         "latestVariation variationIcon assurance target } openSignals { id kind period } openEscalations { id } "
         "%s lastHuddle { date } } }")
FULL_BOARD = BOARD % "overdueActions { id title overdue }"
CACHEABLE_BOARD = BOARD % ""


def get_lua(token: str, check: str) -> str:
    return f"""
wrk.method = "GET"
wrk.headers["Authorization"] = "Bearer {token}"
bad = 0
response = function(status, headers, body)
  if status ~= 200 or not string.find(body, {lua_string(check)}, 1, true) then bad = bad + 1 end
end
"""


def month(i: int) -> str:
    return f"{2020 + i // 12}-{i % 12 + 1:02d}-01"


async def post(http: httpx.AsyncClient, base: str, team: str, observations: list[dict]) -> httpx.Response:
    r = await http.post(f"{base}/ingest/observations", json={"observations": observations},
                        headers=bearer("INTEGRATION", [team], subject="feed"))
    assert r.status_code == 200, r.text
    return r


async def signal_latency(base: str, url: str, n: int) -> list[float]:
    team, measures = await create_team_and_measures(base, n, frequency="MONTH", name="Signal ward")
    busy_team, (busy,) = await create_team_and_measures(base, 1, frequency="DAY", name="Busy ward")
    stable = [10, 12, 11, 9, 10, 11, 12, 10, 9, 11, 10, 12]
    async with httpx.AsyncClient(timeout=120) as http:
        for start in range(0, n, 100):
            await post(http, base, team, [{"measureId": m, "period": month(i), "value": v}
                                          for m in measures[start:start + 100] for i, v in enumerate(stable)])
        conn = await asyncpg.connect(url)
        try:
            while await conn.fetchval("SELECT count(*) FROM signal_watch WHERE team_id = $1", team) < n:
                await asyncio.sleep(0.2)
            stop = asyncio.Event()
            writes = asyncio.create_task(keep_writing(http, base, busy_team, busy, stop))
            latencies: list[float] = []
            queue = list(measures)

            async def worker() -> None:
                c = await asyncpg.connect(url)
                try:
                    while queue:
                        m = queue.pop()
                        await post(http, base, team, [{"measureId": m, "period": month(12), "value": 30}])
                        acknowledged = time.perf_counter()
                        while not await c.fetchval("SELECT true FROM signals WHERE measure_id = $1", m):
                            await asyncio.sleep(0.001)
                        latencies.append(time.perf_counter() - acknowledged)
                finally:
                    await c.close()

            await asyncio.gather(*(worker() for _ in range(4)))
            stop.set()
            written = await writes
            raised = await conn.fetchval("SELECT count(*) FROM signals WHERE team_id = $1", team)
        finally:
            await conn.close()
    print(f"signal latency: {len(latencies)} signals (4 feeds, one observation a request), {written:,} other "
          f"observations meanwhile; signals in the read model: {raised}")
    q = statistics.quantiles(latencies, n=100)
    print(f"  acknowledged intake -> signal readable: p50 {q[49] * 1000:.1f} ms  p99 {q[98] * 1000:.1f} ms  "
          f"max {max(latencies) * 1000:.1f} ms")
    return latencies


async def board_and_pictures(base: str, url: str, clients: int, duration: float) -> int:
    team, measures = await create_team_and_measures(base, 50, frequency="DAY", name="Board ward")
    async with httpx.AsyncClient(timeout=120) as http:
        for start in range(0, 50, 10):
            await post(http, base, team, [
                {"measureId": m, "period": (date(2010, 1, 1) + timedelta(days=i)).isoformat(),
                 "value": 40 + (i * 7) % 11 + (15 if i == 119 else 0)}
                for m in measures[start:start + 10] for i in range(120)])
        conn = await asyncpg.connect(url)
        try:
            while await conn.fetchval("SELECT count(*) FROM spc_series s JOIN measures m USING (measure_id) "
                                      "WHERE m.team_id = $1 AND s.position > 0", team) < 50:
                await asyncio.sleep(0.2)
        finally:
            await conn.close()
        await asyncio.sleep(1.0)
        token = bearer("TEAM_MEMBER", [team], subject="reader")["Authorization"].split()[1]
        auditor = bearer("AUDITOR", subject="auditor")["Authorization"].split()[1]
        board = await http.post(f"{base}/graphql", headers={"Authorization": f"Bearer {token}"},
                                json={"query": FULL_BOARD, "variables": {"t": team}})
        assert len(board.json()["data"]["controlBoard"]["measures"]) == 50, board.text
        svg = await http.get(f"{base}/charts/{measures[0]}.svg", headers={"Authorization": f"Bearer {auditor}"})
        assert svg.status_code == 200 and svg.text.count('class="point"') == 120
        port = free_port()
        bare = subprocess.Popen([sys.executable, str(Path(__file__).with_name("chart_query_bench.py")),
                                 "--serve-bare", str(port), url], stdout=subprocess.DEVNULL,
                                stderr=subprocess.DEVNULL)
        try:
            bare_url = f"http://127.0.0.1:{port}/chart"
            for _ in range(200):
                try:
                    await http.post(bare_url, headers={"Authorization": f"Bearer {auditor}"},
                                    json={"id": measures[0]})
                    break
                except httpx.HTTPError:
                    await asyncio.sleep(0.05)
            gql = f"{base}/graphql"
            full = orjson.dumps({"query": FULL_BOARD, "variables": {"t": team}}).decode()
            cacheable = orjson.dumps({"query": CACHEABLE_BOARD, "variables": {"t": team}}).decode()
            chart = orjson.dumps({"query": POINTS, "variables": {"id": measures[0]}}).decode()

            def run(u: str, lua: str) -> dict:
                return run_wrk(u, lua, connections=clients, duration=duration)

            run(gql, post_lua(token, full, '"measures"', True))  # warm-up
            results = {
                "bare": run(bare_url, post_lua(auditor, orjson.dumps({"id": measures[0]}).decode(), '"rules"',
                                               False)),
                "board_full": run(gql, post_lua(token, full, '"measures"', True)),
                "board_cold": run(gql, post_lua(token, cacheable, '"measures"', True)),
                "board_cached": run(gql, post_lua(token, cacheable, '"measures"', False)),
                "svg": run(f"{base}/charts/{measures[0]}.svg", get_lua(auditor, "<svg")),
                "json_uncached": run(gql, post_lua(auditor, chart, '"rules"', True)),
                "json_cached": run(gql, post_lua(auditor, chart, '"rules"', False)),
            }
        finally:
            bare.terminate()
            bare.wait()
    base_rps = results["bare"]["rps"]
    print(f"control board: 50 measures of 120 points, {clients} concurrent clients (wrk), {duration:g} s each; "
          f"answer {len(board.content):,} bytes")
    print(f"  baseline bare chart endpoint (chart_query_bench): {fmt_wrk(results['bare'])}")
    for key, label in (("board_full", "board with overdue actions (never cached)"),
                       ("board_cold", "board without them, cold"), ("board_cached", "board without them, cached")):
        print(f"  {label:45}: {fmt_wrk(results[key])}  ratio {ratio(results[key]['rps'], base_rps)}")
    print(f"charts as pictures: 120-point chart, SVG {len(svg.content):,} bytes")
    for key, label in (("svg", "GET /charts/{id}.svg"), ("json_uncached", "JSON chart query (points), uncached"),
                       ("json_cached", "JSON chart query (points), cached")):
        print(f"  {label:45}: {fmt_wrk(results[key])}")
    return 0 if all(r["errors"] == 0 for r in results.values()) else 1


def render_in_process() -> None:
    import numpy as np

    from domain.control.vocabulary import ChartType, Direction
    from projections.spc.document import view_of
    from projections.spc.fold import Series
    from projections.spc.svg import render_svg

    series = Series(ChartType.XMR, Direction.INCREASE, 6, 6)
    days = (np.datetime64("2010-01-01") + np.arange(120)).astype(str).tolist()
    series.record(days, [40 + (i * 7) % 11 for i in range(120)], None)
    view = view_of(series)
    n, started = 2000, time.perf_counter()
    for _ in range(n):
        render_svg(view, "Bench")
    took = (time.perf_counter() - started) / n
    print(f"  render_svg in-process (string template): {took * 1e6:.0f} us per 120-point chart "
          f"({1 / took:,.0f} charts/s on one core)")


async def main(args: argparse.Namespace) -> int:
    async with scratch_database() as url:
        with Server(url) as server:
            if args.signals:
                await signal_latency(server.base, url, args.signals)
            code = await board_and_pictures(server.base, url, args.clients, args.duration)
    render_in_process()
    return code


if __name__ == "__main__":
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--signals", type=int, default=1000)
    p.add_argument("--clients", type=int, default=16)
    p.add_argument("--duration", type=float, default=10.0, help="seconds per measurement")
    sys.exit(asyncio.run(main(p.parse_args())))
