"""Chart reads: `measure { spc { points {...} } }` of a 120-point chart through `qms serve`'s GraphQL endpoint,
16 concurrent clients (wrk), beside a bare Starlette endpoint written here, run under uvicorn exactly as
`qms serve` runs (uvloop, httptools, one worker, access log on), that serves the same points from the same
read model after verifying the same bearer token: it reads the stored series with the read model's own reader
(projections.spc.document.read: one statement, then the chart computed from the series) and writes the points as
JSON with plain dicts, so the ratio is the cost of the service's HTTP edge and GraphQL over the same read.

    python benchmarks/chart_query_bench.py [--points 120] [--clients 16] [--duration 6] [--rounds 3]

The service keeps a cache of serialized query answers keyed by the document, variables, caller scope and
the read models' positions, so identical requests in a read-only run are served from it. Two GraphQL figures
are therefore given: "cached" (every request identical, what a dashboard refresh looks like while nothing is
written) and "uncached" (each request carries a distinct, unused variable, so the cache never hits: what
every read costs while observations keep arriving, since any new event changes the key). The bare endpoint
never caches. The columnar `series` field is measured the same two ways.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import subprocess
import sys
import time
from datetime import date, timedelta

import httpx
import orjson
from _common import (
    Server,
    bare_app,
    bearer,
    create_team_and_measures,
    fmt_wrk,
    free_port,
    lua_string,
    ratio,
    run_wrk,
    scratch_database,
    serve_bare_app,
)

POINTS = (
    "query($id: ID!) { measure(id: $id) { spc { points { period value centreLine upperProcessLimit "
    "lowerProcessLimit upperTwoSigma lowerTwoSigma variation rules } } } }"
)
SERIES = (
    "query($id: ID!) { measure(id: $id) { spc { series { periods values centreLine upperProcessLimit "
    "lowerProcessLimit upperTwoSigma lowerTwoSigma variation } } } }"
)


# -- the bare baseline ----------------------------------------------------------------------------------------
async def _chart(request, pool):  # type: ignore[no-untyped-def]
    """Read the chart with the read model's own reader and answer the same JSON with plain dicts."""
    from starlette.responses import Response

    from projections.spc import document

    measure_id = orjson.loads(await request.body())["id"]
    async with pool.acquire() as conn:
        d = (await document.read(conn, [measure_id])).get(measure_id)
    if d is None:
        return Response(b'{"data":{"measure":null}}', media_type="application/json")
    points = [
        {
            "period": p,
            "value": v,
            "centreLine": c,
            "upperProcessLimit": u,
            "lowerProcessLimit": lo,
            "upperTwoSigma": u2,
            "lowerTwoSigma": l2,
            "variation": var,
            "rules": r,
        }
        for p, v, c, u, lo, u2, l2, var, r in zip(
            d.periods,
            d.values,
            d.centre_line,
            d.upper_process_limit,
            d.lower_process_limit,
            d.upper_two_sigma,
            d.lower_two_sigma,
            d.variation,
            d.rules,
            strict=True,
        )
    ]
    return Response(
        orjson.dumps({"data": {"measure": {"spc": {"points": points}}}}), media_type="application/json"
    )



def serve_bare(port: int, database_url: str) -> None:
    serve_bare_app(bare_app(database_url, "/chart", _chart), port)


# -- load -----------------------------------------------------------------------------------------------------
_RUNS = iter(range(1, 1 << 30))


def post_lua(token: str, body: str, check: str, nonce: bool) -> str:
    """POST `body`; with nonce, a distinct unused variable is spliced into each request's variables, distinct
    across runs too (a nonce a warm-up run already sent would find its answer cached)."""
    make = (
        (
            f"local body = {lua_string(body)}\n"
            f"local n = {next(_RUNS) * 100_000_000}\n"
            "request = function()\n"
            "  n = n + 1\n"
            "  return wrk.format(nil, nil, nil, (string.gsub(body, '\"variables\":{', "
            "'\"variables\":{\"nonce\":' .. n .. ',', 1)))\n"
            "end\n"
        )
        if nonce
        else f"wrk.body = {lua_string(body)}\n"
    )
    return f"""
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer {token}"
{make}
bad = 0
response = function(status, headers, body)
  if status ~= 200 or not string.find(body, {lua_string(check)}, 1, true) then
    bad = bad + 1
    if bad <= 3 then io.stderr:write(status .. " " .. string.sub(body, 1, 300) .. "\\n") end
  end
end
"""


async def keep_writing(http: httpx.AsyncClient, base: str, team: str, measure: str, stop: asyncio.Event) -> int:
    """Post one observation every 10 ms to `measure` until stopped; return how many were accepted."""
    headers = bearer("INTEGRATION", [team], subject="busy-feed")
    written = 0
    day = date(2000, 1, 1)
    while not stop.is_set():
        r = await http.post(f"{base}/ingest/observations", headers=headers, json={"observations": [
            {"measureId": measure, "period": (day + timedelta(days=written)).isoformat(), "value": written % 7}]})
        written += r.json()["accepted"]
        await asyncio.sleep(0.01)
    return written


async def main(args: argparse.Namespace) -> int:

    async with scratch_database() as url:
        with Server(url) as server:
            team, (measure, busy) = await create_team_and_measures(server.base, 2, frequency="DAY")
            obs = [
                {
                    "measureId": measure,
                    "period": (date(2010, 1, 1) + timedelta(days=i)).isoformat(),
                    "value": 40 + (i * 7) % 11 + (15 if i == args.points - 1 else 0),
                }
                for i in range(args.points)
            ]
            token_headers = bearer("AUDITOR", subject="auditor")
            token = token_headers["Authorization"].split()[1]
            async with httpx.AsyncClient(timeout=60) as http:
                r = await http.post(
                    f"{server.base}/ingest/observations",
                    json={"observations": obs},
                    headers=bearer("INTEGRATION", [team], subject="feed"),
                )
                assert r.status_code == 200 and r.json()["accepted"] == args.points, r.text
                for _ in range(100):  # the projection applies them asynchronously
                    g = await http.post(
                        f"{server.base}/graphql",
                        headers=token_headers,
                        json={"query": POINTS, "variables": {"id": measure, "nonce": 0}},
                    )
                    if len(g.json()["data"]["measure"]["spc"]["points"]) == args.points:
                        break
                    await asyncio.sleep(0.1)

                port = free_port()
                bare = subprocess.Popen(
                    [sys.executable, __file__, "--serve-bare", str(port), url],
                    stdout=subprocess.DEVNULL,
                    stderr=subprocess.DEVNULL,
                )
                try:
                    bare_url = f"http://127.0.0.1:{port}/chart"
                    for _ in range(200):
                        try:
                            b = await http.post(bare_url, headers=token_headers, json={"id": measure})
                            break
                        except httpx.HTTPError:
                            await asyncio.sleep(0.05)
                    same = b.json() == g.json()
                    print(
                        f"chart query: {args.points}-point XMR chart, {args.clients} concurrent clients (wrk), "
                        f"{args.duration:g} s each; answer {len(g.content):,} bytes; bare answer identical to "
                        f"GraphQL's: {same}"
                    )
                    assert same, (b.json(), g.json())
                    body = orjson.dumps({"query": POINTS, "variables": {"id": measure}}).decode()
                    sbody = orjson.dumps({"query": SERIES, "variables": {"id": measure}}).decode()
                    gql = f"{server.base}/graphql"
                    def run(u: str, b: str, c: str, n: bool) -> dict:
                        return run_wrk(u, post_lua(token, b, c, n), connections=args.clients,
                                       duration=args.duration)

                    run(gql, body, '"rules"', True)  # warm-up, not measured
                    run(bare_url, orjson.dumps({"id": measure}).decode(), '"rules"', False)
                    t0 = time.perf_counter()
                    bare_body = orjson.dumps({"id": measure}).decode()
                    # The uncached figures in rounds, each a bare run then the two GraphQL ones right after it: the
                    # shared machine's speed drifts within a run, so each ratio is taken against its own round's
                    # bare figure, and the rounds give a range.
                    rounds: list[dict[str, dict]] = []
                    for _ in range(args.rounds):
                        rounds.append({"bare": run(bare_url, bare_body, '"rules"', False),
                                       "points_uncached": run(gql, body, '"rules"', True),
                                       "series_uncached": run(gql, sbody, '"periods"', True)})
                    results = {"bare": run(bare_url, bare_body, '"rules"', False),
                               "points_cached": run(gql, body, '"rules"', False)}
                    # The same reads while another measure of the team takes an observation every 10 ms: its
                    # events move the log on, but not the rows this chart is built from.
                    stop = asyncio.Event()
                    writes = asyncio.create_task(keep_writing(http, server.base, team, busy, stop))
                    results["points_cached_writes"] = await asyncio.to_thread(run, gql, body, '"rules"', False)
                    stop.set()
                    written = await writes
                    results["series_cached"] = run(gql, sbody, '"periods"', False)
                    elapsed = time.perf_counter() - t0
                finally:
                    bare.terminate()
                    bare.wait()

    labels = {"points_uncached": "GraphQL points, uncached", "series_uncached": "GraphQL series, uncached",
              "points_cached": "GraphQL points, cached", "points_cached_writes": "points, cached, other writes",
              "series_cached": "GraphQL series, cached"}
    ratios: dict[str, list[float]] = {"points_uncached": [], "series_uncached": []}
    for k, measured in enumerate(rounds, 1):
        base = measured["bare"]["rps"]
        print(f"  round {k}: baseline bare Starlette + asyncpg : {fmt_wrk(measured['bare'])}")
        for key in ratios:
            r = measured[key]
            ratios[key].append(r["rps"] / base)
            print(f"  round {k}: service {labels[key]:26}: {fmt_wrk(r)}  ratio {ratio(r['rps'], base)}")
    for key, found in ratios.items():
        print(f"  {labels[key]}: ratio median {statistics.median(found):.3f}, range {min(found):.3f}-{max(found):.3f}")
    base = results["bare"]["rps"]
    print(f"  baseline bare Starlette + asyncpg   : {fmt_wrk(results['bare'])}")
    for key in ("points_cached", "points_cached_writes", "series_cached"):
        r = results[key]
        print(f"  service  {labels[key]:27}: {fmt_wrk(r)}  ratio {ratio(r['rps'], base)}")
    print(f"  (other writes: {written:,} observations to another measure during that run; "
          f"targets: uncached points ratio >= 0.3, uncached series ratio >= 0.5; {elapsed:.0f} s of load)")
    every = [*results.values(), *(r for measured in rounds for r in measured.values())]
    return 0 if all(r["errors"] == 0 for r in every) else 1


if __name__ == "__main__":
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--points", type=int, default=120)
    p.add_argument("--clients", type=int, default=16)
    p.add_argument("--duration", type=float, default=6.0, help="seconds per measurement")
    p.add_argument("--rounds", type=int, default=3, help="rounds of the uncached figures, each with its own bare run")
    p.add_argument("--serve-bare", nargs=2, metavar=("PORT", "DATABASE_URL"), help=argparse.SUPPRESS)
    cli = p.parse_args()
    if cli.serve_bare:
        serve_bare(int(cli.serve_bare[0]), cli.serve_bare[1])
        sys.exit(0)
    sys.exit(asyncio.run(main(cli)))
