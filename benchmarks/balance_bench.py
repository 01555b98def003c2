"""Balance: the balance projection recomputed from zero over 500 teams' three years of events, in events/s, beside
reading and decoding the same events (the floor any projection pays); then the organisation view for 500 teams
served cold (every read model built, nothing cached, no process warmed by an earlier answer).

    python benchmarks/balance_bench.py [--teams 500] [--years 3]

Each team, per working day: an observation batch on its measure, a huddle three days a week, a service user's
feedback once a week; per year: a plan drafted, submitted and approved, two audits, and an improvement project
with six PDSA cycles. The aggregates' events are appended through the event store (one request per aggregate), and
then — in this scratch database only — their `recorded_at` is moved to the day each happened, since the store
stamps the instant of the commit (the hash chain is not checked here). The rebuild drives the real
ProjectionRunner.step() with the service's batch size from `rebuild()` until the head; the other read models are
built first, untimed, so the organisation view reads them."""

from __future__ import annotations

import argparse
import asyncio
import random
import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from datetime import time as clock
from pathlib import Path
from uuid import uuid4

from _common import SECRET, ratio, scratch_database
from eventsourcing.domain import Aggregate

from domain.assurance.audit import Audit, Criterion
from domain.control.feedback import Feedback
from domain.control.huddle import Huddle
from domain.control.measure import Measure, MeasureDefinition
from domain.improvement.cycle import CyclePlan, PdsaCycle, ProjectFacts
from domain.improvement.project import Project
from domain.planning.plan import Plan
from domain.planning.team import Team
from projections.balance import BalanceProjection
from service.auth.identity import Principal, Role
from service.bootstrap import start_services
from service.eventstore.projection_runner import ProjectionRunner, rebuild
from service.eventstore.store import AppendRequest, EventMeta
from service.reads.balance import organisation_view
from service.settings import Settings


class Log:
    """Aggregates to append, each with the instants its events happened at."""

    def __init__(self, services) -> None:  # type: ignore[no-untyped-def]
        self.services, self.pending, self.stamps = services, [], []  # type: ignore[var-annotated]

    def add(self, aggregate: Aggregate, when: list[datetime] | datetime, actor: str, role: str, team: str) -> None:
        events = aggregate.collect_events()
        whens = when if isinstance(when, list) else [when] * len(events)
        assert len(whens) == len(events)
        codec = self.services.codec
        self.pending.append((AppendRequest(str(aggregate.id), type(aggregate).__name__,
                                           aggregate.version - len(events), [codec.encode(e) for e in events],
                                           EventMeta(actor, role, team)), whens))

    async def flush(self) -> None:
        requests, self.pending = self.pending, []
        for start in range(0, len(requests), 64):
            chunk = requests[start:start + 64]
            results = await asyncio.gather(*(self.services.store.append(r) for r, _ in chunk))
            for (request, whens), result in zip(chunk, results, strict=True):
                first = result.position - len(request.events) + 1
                self.stamps.extend(zip(range(first, result.position + 1), whens, strict=True))


def at(day: date, hour: int) -> datetime:
    return datetime.combine(day, clock(hour), tzinfo=UTC)


async def write_log(services, teams: int, years: int) -> None:  # type: ignore[no-untyped-def]
    rng = random.Random(7)
    log = Log(services)
    end = date.today()
    start = end - timedelta(days=365 * years)
    every = (start + timedelta(days=i) for i in range((end - start).days))
    days = [d for d in every if d.isoweekday() < 6]
    for n in range(teams):
        team = Team.create(team_id=uuid4(), name=f"Team {n:04d}", parent_id=None)
        tid = str(team.id)
        log.add(team, at(start, 7), "admin", "ADMIN", tid)
        m = Measure.define(measure_id=uuid4(), definition=MeasureDefinition(
            team_id=tid, name="Falls", kind="OUTCOME", direction="DECREASE", frequency="DAY"))
        log.add(m, at(start, 7), "lead", "TEAM_LEADER", tid)
        for day in days:
            m.record_values([day.isoformat()], [round(rng.gauss(5, 1), 2)], None)
        log.add(m, [at(d, 10) for d in days], "nurse", "TEAM_MEMBER", tid)
        for day in days:
            if day.isoweekday() in (1, 3, 5) and rng.random() < 0.9:
                h = Huddle.hold(huddle_id=uuid4(), team_id=tid, held_on=day, attendees=["lead"], measure_ids=[],
                                team_measures=set(), problems=[], today=day)
                log.add(h, at(day, 8), "lead", "TEAM_LEADER", tid)
            if day.isoweekday() == 2:
                f = Feedback.give(feedback_id=uuid4(), team_id=tid, measure_id=None, rating=4, comment="Kind",
                                  name=None, contact=None)
                log.add(f, at(day, 15), f"patient-{rng.randrange(20)}", "SERVICE_USER", tid)
        for y in range(years):
            first = start + timedelta(days=365 * y + 20)
            plan = Plan.draft(plan_id=uuid4(), team_id=tid, year=first.year, title="Plan", needs=[], measure_ids=[],
                              team_measures=(), drafted_by="lead", role="TEAM_LEADER")
            plan.submit("Agreed", "lead")
            plan.approve("Fits", "director", at(first + timedelta(days=14), 9).isoformat())
            log.add(plan, [at(first, 9), at(first + timedelta(days=7), 9), at(first + timedelta(days=14), 9)],
                    "lead", "TEAM_LEADER", tid)
            for k in range(2):
                a = Audit.create(audit_id=uuid4(), team_id=tid, title="Audit", standard="NICE",
                                 criteria=[Criterion("Done", 0.9)], previous=None, created_by="auditor")
                log.add(a, at(first + timedelta(days=100 + 150 * k), 11), "auditor", "SENIOR_CLINICIAN", tid)
            began = first + timedelta(days=60 + rng.randrange(120))
            p = Project.create(project_id=uuid4(), team_id=tid, title="Project", aim="Fewer falls",
                               measures=[str(m.id)], linkable={str(m.id): "OUTCOME"},
                               planned_end=began + timedelta(days=120), created_by="lead")
            log.add(p, at(began, 9), "lead", "TEAM_LEADER", tid)
            for c in range(6):
                day = began + timedelta(days=14 * c + 1)
                cycle = PdsaCycle.plan(cycle_id=uuid4(), project=ProjectFacts(str(p.id), tid, False, [str(m.id)]),
                                       plan=CyclePlan("Idea", "Better?", "Yes", day), previous=None,
                                       previous_cycle_id=None)
                log.add(cycle, at(day, 9), "nurse", "TEAM_MEMBER", tid)
            closed = began + timedelta(days=100 + rng.randrange(80))
            if closed < end:
                p.close("Done", ["Small tests"], closed)
                log.add(p, at(closed, 9), "lead", "TEAM_LEADER", tid)
        if len(log.pending) > 2000:
            await log.flush()
    await log.flush()
    async with services.pool.acquire() as conn:
        positions, instants = zip(*log.stamps, strict=True)
        await conn.execute("UPDATE events SET recorded_at = u.t FROM unnest($1::bigint[], $2::timestamptz[]) "
                           "AS u(p, t) WHERE events.position = u.p", list(positions), list(instants))


async def catch_up(services, projection, batch: int) -> None:  # type: ignore[no-untyped-def]
    runner = ProjectionRunner(services.pool, services.store, services.codec, projection, services.notifier,
                              batch_size=batch)
    while await runner.step():
        pass


async def main() -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--teams", type=int, default=500)
    p.add_argument("--years", type=int, default=3)
    args = p.parse_args()
    async with scratch_database() as url:
        settings = Settings(database_url=url, jwt_secret=SECRET, data_dir=Path(tempfile.mkdtemp()),
                            run_projections=False)
        services = await start_services(settings)
        try:
            t0 = time.perf_counter()
            await write_log(services, args.teams, args.years)
            head = await services.store.head()
            print(f"balance: {head:,} events, {args.teams} teams x {args.years} years "
                  f"(log written in {time.perf_counter() - t0:.1f} s)")
            batch = settings.projection_batch
            t0 = time.perf_counter()
            for projection in services.projections:
                if projection.name != "balance":
                    await catch_up(services, projection, batch)
            print(f"  other read models built in {time.perf_counter() - t0:.1f} s (untimed)")
            # the signals read model appends the signals it raises to the log: the balance counts them too
            head = await services.store.head()

            # Baseline: every event, read in the runner's batches and decoded, no projecting.
            t0 = time.perf_counter()
            position, decoded = 0, 0
            async with services.pool.acquire() as conn, conn.transaction():
                while position < head:
                    records = await services.store.read_log(position, batch, None, conn=conn)
                    if not records:
                        break
                    for r in records:
                        services.codec.decode(r.stream_id, r.version, r.topic, r.data)
                        decoded += 1
                    position = records[-1].position
            read_s = time.perf_counter() - t0

            projection = BalanceProjection()
            t0 = time.perf_counter()
            await rebuild(services.pool, projection)
            await catch_up(services, projection, batch)
            rebuild_s = time.perf_counter() - t0
            async with services.pool.acquire() as conn:
                tracked = await conn.fetchval("SELECT position FROM projection_tracking WHERE name = 'balance'")
                counted = await conn.fetchval("SELECT sum(events) FROM balance_activity")
                teams = await conn.fetchval("SELECT count(DISTINCT team_id) FROM balance_activity")

            today = date.today()
            leader = Principal("director", Role.SENIOR_LEADER, frozenset())
            t0 = time.perf_counter()
            ranking = await organisation_view(services, leader, today - timedelta(days=91), today + timedelta(days=1))
            view_s = time.perf_counter() - t0
            ok = tracked == head and counted == head and teams == args.teams and len(ranking) == args.teams
        finally:
            await services.close()

    rebuild_rate, read_rate = head / rebuild_s, decoded / read_s
    print(f"  balance rows: {counted:,} events counted over {teams} teams, tracking at {tracked:,} "
          f"-> {'OK' if ok else 'INCOMPLETE'}")
    print(f"  service  rebuild balance projection : {rebuild_s:7.2f} s  {rebuild_rate:>10,.0f} events/s")
    print(f"  baseline read + decode, no fold     : {read_s:7.2f} s  {read_rate:>10,.0f} events/s")
    print(f"  ratio rebuild/baseline              : {ratio(rebuild_rate, read_rate)}   (target: >= 0.3)")
    print(f"  organisation view, {len(ranking)} teams, cold     : {view_s:7.2f} s  (the last 13 weeks and four "
          "quarters' trend)")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
