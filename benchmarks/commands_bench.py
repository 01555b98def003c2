"""Commands: single-observation `recordObservations` mutations from concurrent clients against a real
`qms serve`, driven by wrk (one connection per client), beside three baselines measured in the same run:

  * a bare Starlette endpoint written here, run under uvicorn exactly as `qms serve` runs (uvloop, httptools, one
    worker, a child process), driven by the same wrk script with the same bodies: it verifies the same bearer
    token, decodes the same GraphQL request body and does one autocommitted asyncpg INSERT of the observation into
    its own table in the same database, then answers what the service answers. The floor of one durable write per
    request over HTTP; the target ratio (>= 0.4) is to this one. The service and this endpoint take turns in
    `--rounds` slices of the measurement, so that both meet the same load on a shared machine;
  * `{ __typename }` over the same HTTP endpoint, same token, same concurrency: the floor of the HTTP +
    authentication + GraphQL endpoint path (it is a query, so the service answers it from its response cache);
  * a bare asyncpg `INSERT` of one observation row per command, autocommit, from the same number of
    concurrent connections: the floor of one durable commit per command with no service at all.

    python benchmarks/commands_bench.py [--clients 16] [--measures 64] [--duration 15] [--rounds 3] [--workers 1]

Every answer must be HTTP 200 with "accepted":1 (checked by wrk per response), and afterwards the event log
must hold every accepted observation."""

from __future__ import annotations

import argparse
import asyncio
import subprocess
import sys
import time

import asyncpg
import httpx
import orjson
from _common import (
    Server,
    bare_app,
    bearer,
    count_stored,
    create_team_and_measures,
    fmt_wrk,
    free_port,
    lua_string,
    projections_started,
    ratio,
    run_wrk,
    scratch_database,
    serve_bare_app,
)

RECORD = (
    "mutation($i: RecordObservationsInput!) { recordObservations(input: $i) { accepted duplicates corrected "
    "errors { code message } } }"
)


def record_lua(measures: list[str], token: str, run: str, first_day: int) -> str:
    ids = ", ".join(f'"{m}"' for m in measures)
    return f"""
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer {token}"
local measures = {{{ids}}}
local query = {lua_string(RECORD)}
local n = 0
local base = 86400 * {first_day}  -- days after 1970-01-01; one new day per measure per round: every command is new
request = function()
  local stride = #measures
  local m = measures[(n % stride) + 1]
  local day = os.date("!%Y-%m-%d", base + math.floor(n / stride) * 86400)
  local value = 40 + (n * 7919) % 23
  n = n + 1
  local body = '{{"query":"' .. query .. '","variables":{{"i":{{"measureId":"' .. m ..
    '","observations":[{{"period":"' .. day .. '","value":' .. value ..
    ',"sourceId":"{run}-' .. id .. '-' .. n .. '"}}]}}}}}}'
  return wrk.format(nil, nil, nil, body)
end
bad = 0
response = function(status, headers, body)
  if status ~= 200 or not string.find(body, '"accepted":1,', 1, true) then
    bad = bad + 1
    if bad <= 3 then io.stderr:write(status .. " " .. string.sub(body, 1, 300) .. "\\n") end
  end
end
"""


# -- the bare HTTP + INSERT baseline ---------------------------------------------------------------------------
BARE_ANSWER = b'{"data":{"recordObservations":{"accepted":1,"duplicates":0,"corrected":0,"errors":[]}}}'


async def _record(request, pool):  # type: ignore[no-untyped-def]
    """Decode the same GraphQL body and do one autocommitted INSERT of its observation."""
    from starlette.responses import Response

    given = orjson.loads(await request.body())["variables"]["i"]
    observation = given["observations"][0]
    async with pool.acquire() as conn:
        await conn.execute(
            "INSERT INTO bench_http_insert (measure_id, period, value, source_id) VALUES ($1, $2::text::date, $3, $4)",
            given["measureId"], observation["period"], float(observation["value"]), observation["sourceId"],
        )
    return Response(BARE_ANSWER, media_type="application/json")


def serve_bare(port: int, database_url: str) -> None:
    serve_bare_app(bare_app(database_url, "/graphql", _record), port)


class BareServer:
    """The bare endpoint as a child process, with its table; `stored()` counts the rows it wrote."""

    def __init__(self, url: str) -> None:
        self.url, self.port = url, free_port()
        self.base = f"http://127.0.0.1:{self.port}"

    async def __aenter__(self) -> BareServer:
        self.conn = await asyncpg.connect(self.url)
        await self.conn.execute(
            "CREATE TABLE bench_http_insert (id bigserial PRIMARY KEY, measure_id text, period date, "
            "value double precision, source_id text)"
        )
        self.proc = subprocess.Popen([sys.executable, __file__, "--serve-bare", str(self.port), self.url])
        async with httpx.AsyncClient() as http:
            for _ in range(400):
                try:
                    await http.get(f"{self.base}/")
                    return self
                except httpx.HTTPError:
                    await asyncio.sleep(0.05)
        raise RuntimeError("the bare endpoint did not start")

    async def stored(self) -> int:
        return int(await self.conn.fetchval("SELECT count(*) FROM bench_http_insert"))

    async def __aexit__(self, *_: object) -> None:
        self.proc.terminate()
        self.proc.wait()
        await self.conn.execute("DROP TABLE bench_http_insert")
        await self.conn.close()


def combine(rounds: list[dict]) -> dict:
    """wrk's figures of several rounds as one: requests and time summed; the p50 and p99 of the worst round."""
    out = {k: sum(r[k] for r in rounds) for k in ("requests", "duration_us", "errors")}
    out["rps"] = out["requests"] / (out["duration_us"] / 1e6)
    out["p50_us"] = max(r["p50_us"] for r in rounds)
    out["p99_us"] = max(r["p99_us"] for r in rounds)
    out["p50s"] = "/".join(f"{r['p50_us'] / 1000:.1f}" for r in rounds)
    return out


def typename_lua(token: str) -> str:
    return f"""
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer {token}"
wrk.body = '{{"query":"{{ __typename }}"}}'
bad = 0
response = function(status, headers, body)
  if status ~= 200 or not string.find(body, "Query", 1, true) then bad = bad + 1 end
end
"""


async def insert_baseline(url: str, clients: int, duration: float) -> dict[str, float]:
    """One autocommit INSERT per command from `clients` connections, for `duration` seconds."""
    setup = await asyncpg.connect(url)
    await setup.execute(
        "CREATE TABLE bench_insert (id bigserial PRIMARY KEY, measure_id text, period date, "
        "value double precision, source_id text)"
    )
    conns = [await asyncpg.connect(url) for _ in range(clients)]
    latencies: list[float] = []
    stop = time.perf_counter() + duration

    async def client(i: int, conn: asyncpg.Connection) -> None:
        n = 0
        while time.perf_counter() < stop:
            t = time.perf_counter()
            await conn.execute(
                "INSERT INTO bench_insert (measure_id, period, value, source_id) "
                "VALUES ($1, current_date, $2, $3)",
                f"m{i}",
                float(n),
                f"c{i}-{n}",
            )
            latencies.append(time.perf_counter() - t)
            n += 1

    t0 = time.perf_counter()
    await asyncio.gather(*(client(i, c) for i, c in enumerate(conns)))
    elapsed = time.perf_counter() - t0
    for c in conns:
        await c.close()
    count = await setup.fetchval("SELECT count(*) FROM bench_insert")
    await setup.execute("DROP TABLE bench_insert")
    await setup.close()
    assert count == len(latencies)
    latencies.sort()
    return {
        "rps": len(latencies) / elapsed,
        "p50": latencies[len(latencies) // 2] * 1000,
        "p99": latencies[int(len(latencies) * 0.99)] * 1000,
        "n": len(latencies),
    }


async def main(args: argparse.Namespace) -> int:
    async with scratch_database() as url:
        with Server(url, serve_args=["--workers", str(args.workers)]) as server:
            await projections_started(server.base)
            team, measures = await create_team_and_measures(server.base, args.measures)
            token = bearer("TEAM_MEMBER", [team], subject="nurse")["Authorization"].split()[1]
            print(
                f"commands: single-observation recordObservations, {args.clients} concurrent clients (wrk), "
                f"{args.measures} measures, {args.duration:g} s each in {args.rounds} rounds alternating with the "
                f"bare endpoint, {args.workers} API worker(s)"
            )
            service_url = f"{server.base}/graphql"
            async with BareServer(url) as bare_server:
                bare_url = f"{bare_server.base}/graphql"
                # A short warm-up of each (JIT, pools, caches) on other days, not measured.
                for target in (service_url, bare_url):
                    run_wrk(target, record_lua(measures, token, "warm", 20_000), connections=args.clients, duration=2)
                before, bare_before = await count_stored(url), await bare_server.stored()
                # The service and the bare endpoint take turns, so that both see the same machine: on a shared
                # machine the load drifts within a minute.
                slice_ = args.duration / args.rounds
                recs, bares = [], []
                for r in range(args.rounds):
                    first_day = 365 + 5_000 * r  # every round's commands on days of their own: each is new
                    recs.append(run_wrk(service_url, record_lua(measures, token, f"run{r}", first_day),
                                        connections=args.clients, duration=slice_))
                    bares.append(run_wrk(bare_url, record_lua(measures, token, f"bare{r}", first_day),
                                         connections=args.clients, duration=slice_))
                await asyncio.sleep(1.0)  # let requests cut off by wrk's end settle
                stored = await count_stored(url) - before
                bare_stored = await bare_server.stored() - bare_before
            typename = run_wrk(service_url, typename_lua(token), connections=args.clients, duration=slice_)
        ins = await insert_baseline(url, args.clients, slice_)

    rec, bare = combine(recs), combine(bares)
    acked = rec["requests"] - rec["errors"]
    # wrk stops with requests in flight, and counts none that answer after its clock stops: those may be stored
    # but are not counted. Each command has its own sourceId, so none can be stored twice; what matters is that
    # nothing acknowledged is missing.
    ok = rec["errors"] == 0 and stored >= acked and bare["errors"] == 0 and bare_stored >= bare["requests"]
    print(
        f"  stored (from events): {stored:,} for {acked:,} acknowledged commands ({stored - acked:,} answered after "
        f"wrk stopped) -> {'OK' if ok else 'MISMATCH'}"
    )
    print(f"  service  recordObservations      : {fmt_wrk(rec)}  p50 per round {rec['p50s']} ms")
    print(f"  baseline bare HTTP + INSERT      : {fmt_wrk(bare)}  p50 per round {bare['p50s']} ms  "
          f"({bare_stored:,} rows stored)")
    print(f"  baseline {{ __typename }} (cached) : {fmt_wrk(typename)}")
    print(
        f"  baseline asyncpg INSERT/commit   : {ins['rps']:>9,.0f} req/s  p50 {ins['p50']:6.2f} ms  "
        f"p99 {ins['p99']:7.2f} ms  ({ins['n']:,} inserts)"
    )
    print(f"  ratio service/__typename         : {ratio(rec['rps'], typename['rps'])}")
    print(f"  ratio service/INSERT             : {ratio(rec['rps'], ins['rps'])}")
    met = rec["p50_us"] < 10_000 and rec["rps"] >= 0.4 * bare["rps"]
    print(
        f"  ratio service/bare HTTP + INSERT : {ratio(rec['rps'], bare['rps'])}   (targets: ratio >= 0.4, p50 < 10 ms "
        f"in the worst round, >= 1,000 commands/s: {'met' if met else 'NOT met'}; "
        f"p50/p99 shown are the worst round's)"
    )
    return 0 if ok else 1


if __name__ == "__main__":
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--clients", type=int, default=16)
    p.add_argument("--measures", type=int, default=64)
    p.add_argument("--duration", type=float, default=15.0, help="seconds per measurement")
    p.add_argument("--rounds", type=int, default=3, help="turns the service and the bare endpoint take")
    p.add_argument("--workers", type=int, default=1, help="API worker processes (qms serve --workers)")
    p.add_argument("--serve-bare", nargs=2, metavar=("PORT", "DATABASE_URL"), help=argparse.SUPPRESS)
    cli = p.parse_args()
    if cli.serve_bare:
        serve_bare(int(cli.serve_bare[0]), cli.serve_bare[1])
        sys.exit(0)
    sys.exit(asyncio.run(main(cli)))
