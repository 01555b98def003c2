"""Catch-up: the SPC projection rebuilt from position 0 over a log of ObservationsRecorded events, against
reading and decoding the same events without projecting them (the floor any projection pays).

    python benchmarks/catchup_bench.py [--measures 100] [--points 10000] [--per-event 1000]

The log is written in-process through the real command path (record_observations, the event store's group
commit). The rebuild is timed from `rebuild()` (TRUNCATE, rewind) until the projection's tracking position
reaches the head, driving the real ProjectionRunner.step() with the service's batch size; afterwards every
measure's chart must hold all its points."""

from __future__ import annotations

import argparse
import asyncio
import random
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

from _common import SECRET, ratio, scratch_database, stored_observation_count

from domain.control.measure import MeasureDefinition
from domain.control.observations import ObservationIn
from projections.spc.projection import SpcProjection
from service.auth.identity import Principal, Role
from service.bootstrap import start_services
from service.commands.context import CommandContext
from service.commands.measures import define_measure, record_observations
from service.commands.teams import create_team
from service.eventstore.projection_runner import ProjectionRunner, rebuild
from service.settings import Settings

START = date(1950, 1, 1)


async def write_log(services, measures: int, points: int, per_event: int) -> list[str]:  # type: ignore[no-untyped-def]
    leader = CommandContext(Principal("bench", Role.SENIOR_LEADER, frozenset()), source="bench")
    team = (await create_team(services, leader, "Bench ward", None)).team_id
    ids = [
        (
            await define_measure(
                services,
                leader,
                MeasureDefinition(
                    team_id=team, name=f"Measure {i}", kind="PROCESS", direction="INCREASE", frequency="DAY"
                ),
            )
        )[0]
        for i in range(measures)
    ]
    member = CommandContext(Principal("feed", Role.INTEGRATION, frozenset({team})), source="bench")
    rng = random.Random(7)

    async def fill(measure_id: str) -> None:
        for start in range(0, points, per_event):
            obs = [
                ObservationIn(START + timedelta(days=d), round(rng.gauss(50, 5), 2), None, None, None, None)
                for d in range(start, min(start + per_event, points))
            ]
            result = await record_observations(services, member, measure_id, obs)
            assert result.accepted == len(obs) and not result.errors, result

    for i in range(0, measures, 10):  # ten measures at a time share group commits
        await asyncio.gather(*(fill(m) for m in ids[i : i + 10]))
    return ids


async def main() -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--measures", type=int, default=100)
    p.add_argument("--points", type=int, default=10_000, help="observations per measure")
    p.add_argument("--per-event", type=int, default=1_000, help="observations per ObservationsRecorded event")
    args = p.parse_args()
    total = args.measures * args.points

    async with scratch_database() as url:
        settings = Settings(
            database_url=url, jwt_secret=SECRET, data_dir=Path(tempfile.mkdtemp()), run_projections=False
        )
        services = await start_services(settings)
        try:
            t0 = time.perf_counter()
            await write_log(services, args.measures, args.points, args.per_event)
            head = await services.store.head()
            async with services.pool.acquire() as conn:
                stored = await stored_observation_count(conn)
            print(
                f"catch-up: {stored:,} observations in {head:,} events, {args.measures} measures x "
                f"{args.points:,} points, {args.per_event:,} per event (log written in "
                f"{time.perf_counter() - t0:.1f} s)"
            )
            assert stored == total

            # Baseline: read the projection's events in the runner's batches and decode them, no projecting.
            projection = SpcProjection()
            batch = settings.projection_batch
            t0 = time.perf_counter()
            position, decoded = 0, 0
            async with services.pool.acquire() as conn, conn.transaction():
                while position < head:
                    records = await services.store.read_log(
                        position, batch, list(projection.topics), conn=conn
                    )
                    if not records:
                        break
                    for r in records:
                        event = services.codec.decode(r.stream_id, r.version, r.topic, r.data)
                        decoded += len(getattr(event, "periods", ()))
                    position = records[-1].position
            read_s = time.perf_counter() - t0
            assert decoded == total, decoded

            # The rebuild, through the real runner (one process holds the projection; no other writer).
            runner = ProjectionRunner(
                services.pool, services.store, services.codec, projection, services.notifier, batch_size=batch
            )
            t0 = time.perf_counter()
            await rebuild(services.pool, projection)
            while await runner.step():
                pass
            rebuild_s = time.perf_counter() - t0
            async with services.pool.acquire() as conn:
                tracked = await conn.fetchval("SELECT position FROM projection_tracking WHERE name = 'spc'")
                charts = await conn.fetch("SELECT points FROM spc_series")
                sizes = {t: await conn.fetchval("SELECT pg_total_relation_size($1::regclass)", t)
                         for t in ("events", "spc_series", "spc_points")}
            counts = sorted(c[0] for c in charts)
            ok = tracked == head and len(charts) == args.measures and counts[0] == counts[-1] == args.points
        finally:
            await services.close()

    rebuild_rate, read_rate = total / rebuild_s, total / read_s
    print(
        f"  charts: {len(charts)} measures, {counts[0]:,}..{counts[-1]:,} points each, tracking at {tracked:,} "
        f"-> {'OK' if ok else 'INCOMPLETE'}"
    )
    print(f"  service  rebuild SPC projection  : {rebuild_s:7.3f} s  {rebuild_rate:>10,.0f} obs/s")
    print(f"  baseline read + decode, no fold  : {read_s:7.3f} s  {read_rate:>10,.0f} obs/s")
    print(
        f"  ratio rebuild/baseline           : {ratio(rebuild_rate, read_rate)}   (target: >= 100,000 obs/s)"
    )
    chart_bytes = sizes["spc_series"] + sizes["spc_points"]
    print(f"  chart read model (spc_series + spc_points): {chart_bytes / total:6.1f} bytes/observation; event log "
          f"(events): {sizes['events'] / total:6.1f} bytes/observation; ratio {ratio(chart_bytes, sizes['events'])}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
