"""The projection runner: exactly-once effect across crashes, one runner at a time, rebuilds, wake-ups."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path

import asyncpg
import pytest

from service.eventstore import EventCodec, EventStore
from service.eventstore.database import create_pool, migrate
from service.eventstore.notifications import PROJECTIONS_CHANNEL, Notifier
from service.eventstore.projection_runner import ProjectionRunner, rebuild
from tests.service.counting import CountingProjection
from tests.service.eventstore.test_store import request

ROOT = Path(__file__).resolve().parents[2]


class Log:
    def __init__(self, url: str, pool: asyncpg.Pool, store: EventStore, notifier: Notifier) -> None:
        self.url, self.pool, self.store, self.notifier = url, pool, store, notifier

    async def append(self, streams: int, per_stream: int = 1) -> None:
        for _ in range(streams):
            await self.store.append(request(str(uuid.uuid4()), 0, n=per_stream))

    async def counted(self) -> list[int]:
        async with self.pool.acquire() as conn:
            return [r[0] for r in await conn.fetch("SELECT position FROM counted ORDER BY position")]

    async def tracked(self) -> int:
        async with self.pool.acquire() as conn:
            return int(await conn.fetchval("SELECT position FROM projection_tracking WHERE name = 'counting'") or 0)

    def runner(self, projection: CountingProjection | None = None, batch: int = 7) -> ProjectionRunner:
        return ProjectionRunner(self.pool, self.store, EventCodec(), projection or CountingProjection(),
                                self.notifier, batch_size=batch)


@pytest.fixture
async def log(make_database: Callable[[], Awaitable[str]]) -> AsyncIterator[Log]:
    url = await make_database()
    pool = await create_pool(url, min_size=1, max_size=8)
    async with pool.acquire() as conn:
        await migrate(conn)
        await conn.execute("CREATE TABLE counted (position bigint NOT NULL)")
    store = EventStore(pool)
    await store.start()
    notifier = Notifier(url)
    await notifier.start()
    yield Log(url, pool, store, notifier)
    await notifier.stop()
    await store.stop()
    await pool.close()


async def caught_up(log: Log, position: int, timeout: float = 30) -> None:
    assert await log.notifier.wait_for(("counting",), position, timeout), "projection did not catch up"


async def test_a_projection_applies_every_event_once_in_order(log: Log) -> None:
    await log.append(20, per_stream=2)
    runner = log.runner()
    runner.start()
    await caught_up(log, 40)
    await runner.stop()
    assert await log.counted() == list(range(1, 41))


async def test_a_runner_wakes_on_notify_for_events_appended_later(log: Log) -> None:
    runner = log.runner()
    runner.start()
    await caught_up(log, 0)
    await log.append(3)
    await caught_up(log, 3, timeout=3)  # well inside the 5 s fallback: the NOTIFY woke it
    await runner.stop()
    assert await log.counted() == [1, 2, 3]


async def test_two_runners_of_one_projection_never_apply_an_event_twice(log: Log) -> None:
    await log.append(30)
    runners = [log.runner(), log.runner()]
    for r in runners:
        r.start()
    await log.append(30)
    await caught_up(log, 60)
    for r in runners:
        await r.stop()
    assert await log.counted() == list(range(1, 61))


async def test_a_projection_killed_mid_batch_resumes_with_exactly_once_effect(log: Log) -> None:
    await log.append(200)
    process = subprocess.Popen([sys.executable, "-m", "tests.service.counting", log.url], cwd=ROOT,
                               env={**os.environ, "PYTHONPATH": str(ROOT)})
    try:
        for _ in range(600):
            if await log.tracked() >= 30:
                break
            await asyncio.sleep(0.02)
        os.kill(process.pid, signal.SIGKILL)
    finally:
        process.wait(30)
    partial = await log.tracked()
    assert 0 < partial < 200, "the kill should land part-way through the log"
    assert await log.counted() == list(range(1, partial + 1))  # nothing of the killed batch is left behind
    runner = log.runner()
    runner.start()
    await caught_up(log, 200)
    await runner.stop()
    assert await log.counted() == list(range(1, 201))


async def test_a_failing_batch_leaves_no_trace_and_is_retried(log: Log) -> None:
    class FailsOnce(CountingProjection):
        failed = False

        async def handle(self, conn: asyncpg.Connection, events: list) -> None:  # type: ignore[override]
            await super().handle(conn, events)
            if not self.failed and events[-1].position >= 14:
                self.failed = True
                raise RuntimeError("disk on fire")

    await log.append(21)
    projection = FailsOnce()
    runner = log.runner(projection)
    runner.start()
    await caught_up(log, 21)
    await runner.stop()
    assert projection.failed
    assert await log.counted() == list(range(1, 22))


async def test_a_rebuild_while_the_runner_runs_replays_everything_once(log: Log) -> None:
    await log.append(12)
    runner = log.runner()
    runner.start()
    await caught_up(log, 12)
    await rebuild(log.pool, CountingProjection())
    log.notifier.positions["counting"] = 0
    await log.append(3)
    await caught_up(log, 15)
    await runner.stop()
    assert await log.counted() == list(range(1, 16))


async def test_a_projection_of_some_event_types_skips_the_others_without_writing_and_still_reports_them(
        log: Log) -> None:
    from eventsourcing.persistence import StoredEvent
    from eventsourcing.utils import get_topic

    from service.eventstore import AppendRequest
    from tests.service.eventstore.test_store import META, TOPIC
    from tests.service.eventstore.things import Thing

    vanished = get_topic(Thing.Vanished)

    async def append(topic: str) -> None:
        stream = str(uuid.uuid4())
        await log.store.append(AppendRequest(stream, "Thing", 0, [StoredEvent(uuid.UUID(stream), 1, topic, b"{}")],
                                             META))

    class OnlyHappened(CountingProjection):
        topics = (TOPIC,)

    told: list[str] = []  # what other processes' waiters hear
    listener = await asyncpg.connect(log.url)
    await listener.add_listener(PROJECTIONS_CHANNEL, lambda *args: told.append(args[3]))
    runner = log.runner(OnlyHappened())
    runner.start()
    await append(TOPIC)
    await caught_up(log, 1)
    await append(vanished)
    await append(vanished)
    await caught_up(log, 3)
    assert await log.tracked() == 1  # moved past 2 and 3 in memory, without a write
    for _ in range(100):
        if "counting:3" in told:
            break
        await asyncio.sleep(0.02)
    await listener.close()
    assert "counting:3" in told  # and said so to every process
    await append(TOPIC)
    await append(vanished)
    await caught_up(log, 5)
    assert await log.counted() == [1, 4]
    await rebuild(log.pool, OnlyHappened())
    log.notifier.positions["counting"] = 0
    await append(TOPIC)
    await caught_up(log, 6)
    await runner.stop()
    assert await log.counted() == [1, 4, 6]


async def test_rebuild_replays_the_log_from_zero(log: Log) -> None:
    await log.append(10)
    runner = log.runner()
    runner.start()
    await caught_up(log, 10)
    await runner.stop()
    await rebuild(log.pool, CountingProjection())
    assert await log.counted() == [] and await log.tracked() == 0
    log.notifier.positions.clear()
    runner = log.runner()
    runner.start()
    await caught_up(log, 10)
    await runner.stop()
    assert await log.counted() == list(range(1, 11))
