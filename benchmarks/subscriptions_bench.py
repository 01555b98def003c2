"""Live updates through `qms serve` (child process, its projections in their own process as in production), over
graphql-transport-ws with the `websockets` client:

1. latency: an observation posted to one measure, from its acknowledgement to the `measureUpdated` message that
   shows it, p50/p99 over --observations observations, one at a time, while bulk intake runs in the background
   (--posters clients posting --batch observations at a time over 100 other measures, without pause); beside the
   same measurement without the background intake, and a bare PostgreSQL NOTIFY -> LISTEN round trip through
   asyncpg, all in the same run;
2. fan-out: --subscribers websockets, spread over --fanout-measures measures, each subscribed to its measure,
   while the same bulk intake runs; --rounds rounds of one observation to each of those measures (one POST).
   Each subscriber counts the rounds whose state it received against the rounds written; per round, the time
   from the acknowledgement to the first and to the last subscriber holding it.

    python benchmarks/subscriptions_bench.py [--observations 1000] [--subscribers 1000] [--rounds 20]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import random
import resource
import statistics
import sys
import time
from datetime import date, timedelta
from typing import Any

import asyncpg
import httpx
import orjson
from _common import Server, bearer, create_team_and_measures, scratch_database
from websockets.asyncio.client import ClientConnection, connect

UPDATED = "subscription($id: ID!) { measureUpdated(measureId: $id) { id spc { series { periods } } } }"
START = date(2000, 1, 1)


def day(i: int) -> str:
    return (START + timedelta(days=i)).isoformat()


def quantiles(xs: list[float]) -> str:
    q = statistics.quantiles(xs, n=100, method="inclusive") if len(xs) > 1 else [xs[0]] * 99
    return f"p50 {q[49] * 1000:7.1f} ms  p99 {q[98] * 1000:7.1f} ms  max {max(xs) * 1000:7.1f} ms"


def p99(xs: list[float]) -> float:
    return statistics.quantiles(xs, n=100, method="inclusive")[98]


# -- background bulk intake ---------------------------------------------------------------------------------
class Intake:
    """--posters clients posting --batch observations at a time over the given measures, together at most `rate`
    observations a second (0: without pause)."""

    def __init__(self, base: str, team: str, measures: list[str], posters: int, batch: int, rate: float,
                 first_day: int = 0) -> None:
        self.base, self.team, self.measures, self.posters, self.batch = base, team, measures, posters, batch
        self.rate_limit = rate
        self.rng = random.Random(first_day)
        self.stop, self.written, self.next_day = asyncio.Event(), 0, first_day  # new days: every one is accepted
        self.tasks: list[asyncio.Task[None]] = []
        self.started = self.elapsed = 0.0

    def body(self) -> bytes:
        days = max(1, self.batch // len(self.measures))
        first, self.next_day = self.next_day, self.next_day + days
        # Common-cause noise, as a stable process gives: few special causes, so few signals join the log.
        return orjson.dumps({"observations": [{"measureId": m, "period": day(first + d),
                                               "value": round(self.rng.gauss(50, 5), 1)}
                                              for d in range(days) for m in self.measures]})

    async def _post(self) -> None:
        headers = {**bearer("INTEGRATION", [self.team], subject="bulk"), "content-type": "application/json"}
        loop = asyncio.get_running_loop()
        every = self.batch * self.posters / self.rate_limit if self.rate_limit else 0.0
        due = loop.time()
        async with httpx.AsyncClient(timeout=300) as http:
            while not self.stop.is_set():
                r = await http.post(f"{self.base}/ingest/observations", content=self.body(), headers=headers)
                if r.status_code != 200 or r.json()["errors"]:
                    raise RuntimeError(f"background intake: HTTP {r.status_code}: {r.text[:300]}")
                self.written += r.json()["accepted"]
                due += every
                if due > loop.time():
                    with contextlib.suppress(TimeoutError):
                        await asyncio.wait_for(self.stop.wait(), due - loop.time())

    async def __aenter__(self) -> Intake:
        self.started = time.perf_counter()
        self.tasks = [asyncio.create_task(self._post()) for _ in range(self.posters)]
        return self

    async def __aexit__(self, *_: object) -> None:
        self.stop.set()
        await asyncio.gather(*self.tasks)
        self.elapsed = time.perf_counter() - self.started

    def rate(self) -> str:
        return f"{self.written:,} observations in the background ({self.written / self.elapsed:,.0f} obs/s)"


# -- websockets -----------------------------------------------------------------------------------------------
async def subscriber(base: str, team: str, measure: str) -> ClientConnection:
    ws = await connect(base.replace("http://", "ws://") + "/graphql", subprotocols=["graphql-transport-ws"],  # type: ignore[list-item]
                       max_size=None, open_timeout=120)
    token = bearer("TEAM_MEMBER", [team], subject="watcher")["Authorization"]
    await ws.send(orjson.dumps({"type": "connection_init", "payload": {"Authorization": token}}).decode())
    ack = orjson.loads(await ws.recv())
    assert ack == {"type": "connection_ack"}, ack
    await ws.send(orjson.dumps({"id": "1", "type": "subscribe", "payload": {
        "query": UPDATED, "variables": {"id": measure}}}).decode())
    return ws


async def latest_periods(ws: ClientConnection, seen: dict[str, float]) -> None:
    """Record, for each message, the time its latest period first arrived."""
    async for raw in ws:
        message = orjson.loads(raw)
        if message.get("type") != "next":
            raise RuntimeError(f"subscription ended: {message}")
        periods = message["payload"]["data"]["measureUpdated"]["spc"]["series"]["periods"]
        if periods:
            seen.setdefault(periods[-1], time.perf_counter())


async def post_one(http: httpx.AsyncClient, base: str, team: str,
                   observations: list[dict[str, Any]]) -> tuple[float, int]:
    """Post; the moment of the acknowledgement and the log position it reports."""
    r = await http.post(f"{base}/ingest/observations", json={"observations": observations},
                        headers=bearer("INTEGRATION", [team], subject="feed"))
    if r.status_code != 200 or r.json()["accepted"] != len(observations):
        raise RuntimeError(f"HTTP {r.status_code}: {r.text[:300]}")
    return time.perf_counter(), int(r.headers["X-QMS-Position"])


class ProjectionWatch:
    """When the SPC projection announced each position (its NOTIFY on qms_projections, heard here as the service's
    own notifier hears it): the read model has the observation from then on, and the rest is the live path."""

    def __init__(self) -> None:
        self.heard: list[tuple[int, float]] = []

    async def start(self, url: str) -> ProjectionWatch:
        self.conn = await asyncpg.connect(url)
        await self.conn.add_listener("qms_projections", self._on)
        return self

    def _on(self, _c: object, _p: int, _ch: str, text: str) -> None:
        name, _, position = text.partition(" ")[0].rpartition(":")
        if name == "spc" and position.isdigit():
            self.heard.append((int(position), time.perf_counter()))

    def when(self, position: int) -> float | None:
        return next((t for p, t in self.heard if p >= position), None)

    async def stop(self) -> None:
        await self.conn.close()


# -- 1. latency -----------------------------------------------------------------------------------------------
async def where(url: str, measure: str) -> str:
    """Where the log and the SPC read model stand (to tell a lagging projection from a lost message)."""
    conn = await asyncpg.connect(url)
    try:
        row = await conn.fetchrow("SELECT (SELECT position FROM event_log_head) AS head, (SELECT position FROM "
                                  "projection_tracking WHERE name = 'spc') AS spc, (SELECT position FROM spc_series "
                                  "WHERE measure_id = $1) AS chart", measure)
    finally:
        await conn.close()
    return f"log head {row['head']}, SPC projection at {row['spc']}, the measure's chart at {row['chart']}"


async def latency(base: str, url: str, team: str, measure: str, first_day: int,
                  n: int) -> tuple[list[float], list[float]]:
    """Acknowledged observation -> the subscription message showing it, one observation at a time; and -> the
    SPC projection's notification that it applied it."""
    seen: dict[str, float] = {}
    ws = await subscriber(base, team, measure)
    reader = asyncio.create_task(latest_periods(ws, seen))
    await asyncio.sleep(1.0)  # listening before the first write
    out: list[float] = []
    projected: list[float] = []
    late: list[str] = []
    watch = await ProjectionWatch().start(url)
    try:
        async with httpx.AsyncClient(timeout=120) as http:
            for i in range(first_day, first_day + n):
                acknowledged, position = await post_one(http, base, team, [{"measureId": measure, "period": day(i),
                                                                           "value": i % 9}])
                deadline = acknowledged + 30
                while day(i) not in seen:
                    if reader.done():
                        reader.result()
                    if time.perf_counter() > deadline:  # counted at 30 s; the next write waits for it too
                        if deadline > acknowledged + 30 or len(late) >= 5:
                            raise RuntimeError(f"no message for {day(i)} within {deadline - acknowledged:.0f} s; "
                                               f"{await where(url, measure)}; late before: {late}")
                        late.append(f"{day(i)} ({await where(url, measure)})")
                        deadline = acknowledged + 300
                    await asyncio.sleep(0.0005)
                out.append(min(30.0, max(0.0, seen[day(i)] - acknowledged)))
                heard = watch.when(position)
                projected.append(max(0.0, (heard if heard is not None else seen[day(i)]) - acknowledged))
                watch.heard = [h for h in watch.heard if h[0] >= position]
    finally:
        reader.cancel()
        await ws.close()
        await watch.stop()
    if late:
        print(f"    {len(late)} messages took over 30 s (counted as 30 s): {late}")
    return out, projected


async def bare_notify(url: str, n: int) -> list[float]:
    """pg_notify on one connection (autocommit) -> the listener's callback on another, through asyncpg."""
    listener, sender = await asyncpg.connect(url), await asyncpg.connect(url)
    arrived: asyncio.Queue[float] = asyncio.Queue()
    await listener.add_listener("bench_live", lambda *_: arrived.put_nowait(time.perf_counter()))
    out = []
    try:
        for i in range(n):
            await sender.execute("SELECT pg_notify('bench_live', $1)", str(i))
            sent = time.perf_counter()  # after the commit is acknowledged, as the service's answer is
            out.append(max(0.0, await asyncio.wait_for(arrived.get(), 10) - sent))
    finally:
        await listener.close()
        await sender.close()
    return out


# -- 2. fan-out -----------------------------------------------------------------------------------------------
async def fan_out(base: str, url: str, team: str, measures: list[str], subscribers: int,
                  rounds: int) -> tuple[int, int, list[float], list[float], list[float]]:
    seens: list[dict[str, float]] = [{} for _ in range(subscribers)]
    sockets: list[ClientConnection] = []
    t0 = time.perf_counter()
    for start in range(0, subscribers, 50):
        sockets += await asyncio.gather(*(subscriber(base, team, measures[i % len(measures)])
                                          for i in range(start, min(start + 50, subscribers))))
    print(f"  {subscribers} websockets open and subscribed in {time.perf_counter() - t0:.1f} s")
    readers = [asyncio.create_task(latest_periods(ws, seen)) for ws, seen in zip(sockets, seens, strict=True)]
    firsts: list[float] = []
    lasts: list[float] = []
    projected: list[float] = []
    watch = await ProjectionWatch().start(url)
    try:
        async with httpx.AsyncClient(timeout=120) as http:
            # Round 0 (not counted) proves every subscription is listening before the counted rounds.
            for r in range(rounds + 1):
                acknowledged, position = await post_one(http, base, team, [{"measureId": m, "period": day(r),
                                                                           "value": r % 7} for m in measures])
                deadline = acknowledged + (120 if r == 0 else 30)
                while not all(day(r) in s for s in seens) and time.perf_counter() < deadline:
                    for t in readers:
                        if t.done():
                            t.result()
                    await asyncio.sleep(0.002)
                got = [s[day(r)] for s in seens if day(r) in s]
                if r == 0:
                    if len(got) < subscribers:
                        raise RuntimeError(f"only {len(got)} of {subscribers} subscribers heard round 0")
                    continue
                if got:
                    heard = watch.when(position)
                    projected.append((heard if heard is not None else min(got)) - acknowledged)
                    firsts.append(min(got) - acknowledged)
                    lasts.append(max(got) - acknowledged)
        await asyncio.sleep(1.0)  # anything late still counts as delivered
        delivered = sum(1 for s in seens for r in range(1, rounds + 1) if day(r) in s)
    finally:
        for t in readers:
            t.cancel()
        await asyncio.gather(*(ws.close() for ws in sockets), return_exceptions=True)
        await watch.stop()
    return delivered, subscribers * rounds, firsts, lasts, projected


async def main(args: argparse.Namespace) -> int:
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)  # 1,000 sockets each side (the server inherits it)
    resource.setrlimit(resource.RLIMIT_NOFILE, (max(soft, min(hard, 8192)), hard))
    async with scratch_database() as url:
        with Server(url) as server:
            base = server.base
            team, live = await create_team_and_measures(base, 1 + args.fanout_measures, name="Live ward")
            bulk_team, bulk = await create_team_and_measures(base, 100, name="Bulk ward")
            latency_measure, fanout = live[0], live[1:]

            print(f"1. latency: acknowledged observation -> measureUpdated message, {args.observations} "
                  "observations one at a time")
            bare = await bare_notify(url, args.observations)
            print(f"  baseline, bare NOTIFY -> LISTEN (asyncpg):   {quantiles(bare)}")
            quiet, quiet_projected = await latency(base, url, team, latency_measure, 0, args.observations)
            print(f"  baseline, service without background intake: {quantiles(quiet)}")
            print(f"    of which acknowledged -> SPC projection's notification: {quantiles(quiet_projected)}")
            async with Intake(base, bulk_team, bulk, args.posters, args.batch, args.intake_rate) as intake:
                busy, busy_projected = await latency(base, url, team, latency_measure, args.observations,
                                                     args.observations)
            print(f"  service while bulk intake runs:              {quantiles(busy)}")
            print(f"    of which acknowledged -> SPC projection's notification: {quantiles(busy_projected)}")
            print(f"    notification -> message (the live path): "
                  f"{quantiles([a - b for a, b in zip(busy, busy_projected, strict=True)])}")
            print(f"    ({intake.rate()}, {args.posters} posters of {args.batch})")
            print(f"  p99 ratio busy / quiet {p99(busy) / p99(quiet):.2f}, busy / bare NOTIFY "
                  f"{p99(busy) / p99(bare):.1f}; target p99 < 100 ms: "
                  f"{'met' if p99(busy) < 0.1 else 'NOT met'}")

            print(f"2. fan-out: {args.subscribers} subscribers over {args.fanout_measures} measures, {args.rounds} "
                  "rounds of one observation to each measure, while bulk intake runs")
            async with Intake(base, bulk_team, bulk, args.posters, args.batch, args.intake_rate,
                              intake.next_day) as intake:
                delivered, expected, firsts, lasts, projected = await fan_out(base, url, team, fanout,
                                                                              args.subscribers, args.rounds)
            print(f"  delivered/expected {delivered:,}/{expected:,} ({intake.rate()})")
            if firsts:
                print(f"  acknowledged -> SPC projection's notification: {quantiles(projected)}")
                print(f"  acknowledged -> first subscriber: {quantiles(firsts)}")
                print(f"  acknowledged -> last subscriber:  {quantiles(lasts)}")
                print(f"  fan-out time (first -> last subscriber): "
                      f"{quantiles([b - a for a, b in zip(firsts, lasts, strict=True)])}")
            print(f"  none missing: {'yes' if delivered == expected else 'NO'}")
            return 0 if delivered == expected else 1


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--observations", type=int, default=1000)
    parser.add_argument("--subscribers", type=int, default=1000)
    parser.add_argument("--fanout-measures", type=int, default=10)
    parser.add_argument("--rounds", type=int, default=20)
    parser.add_argument("--posters", type=int, default=2)
    parser.add_argument("--batch", type=int, default=1000)
    parser.add_argument("--intake-rate", type=float, default=1000, help="background observations/s (0: unpaced)")
    sys.exit(asyncio.run(main(parser.parse_args())))
