"""The projection runner: exactly-once effect across crashes, one runner at a time, rebuilds, wake-ups."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Awaitable, Callable
from pathlib import Path

import asyncpg
from eventsourcing.persistence import StoredEvent
from eventsourcing.utils import get_topic

from service.eventstore import AppendRequest
from service.eventstore.notifications import Notifier
from service.eventstore.projection_runner import BULK_QUIET, LINGER_BACKLOG, MAX_LINGER, rebuild
from tests.service.eventstore.conftest import Log
from tests.service.eventstore.counting import CountingProjection
from tests.service.eventstore.test_store import META, TOPIC
from tests.service.eventstore.things import Thing

ROOT = Path(__file__).resolve().parents[3]


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
    runner = log.runner(idle_wait=3600)  # without the NOTIFY it would sleep for an hour
    runner.start()
    await caught_up(log, 0)
    await log.append(3)
    await caught_up(log, 3)
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


async def test_a_projection_killed_mid_batch_resumes_with_exactly_once_effect(log: Log, tmp_path: Path) -> None:
    await log.append(200)
    stalled = tmp_path / "stalled"  # the child writes it from inside the batch holding position 100, then hangs
    process = subprocess.Popen([sys.executable, "-m", "tests.service.eventstore.counting", log.url, "100",
                                str(stalled)], cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)})
    try:
        for _ in range(3000):
            if stalled.exists() or process.poll() is not None:
                break
            await asyncio.sleep(0.02)
        assert stalled.exists(), "the child never reached the batch holding position 100"
        os.kill(process.pid, signal.SIGKILL)
    finally:
        process.wait(30)
    partial = await log.tracked()
    assert 0 < partial < 100, "the kill lands inside the batch holding 100, after earlier batches committed"
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


VANISHED = get_topic(Thing.Vanished)


class OnlyHappened(CountingProjection):
    topics = (TOPIC,)


def appender(log: Log) -> Callable[[str], Awaitable[None]]:
    """Appends one event of the given topic, on a stream of its own."""
    async def append(topic: str) -> None:
        stream = str(uuid.uuid4())
        await log.store.append(AppendRequest(stream, "Thing", 0, [StoredEvent(uuid.UUID(stream), 1, topic, b"{}")],
                                             META))

    return append


async def test_a_projection_of_some_event_types_skips_the_others_in_memory_and_every_process_knows(
        log: Log) -> None:
    append, vanished = appender(log), VANISHED
    # Another process's notifier, following the projection: it infers the skips from the commits it hears.
    other = Notifier(log.url, follows={"counting": OnlyHappened().topics})
    await other.start()
    runner = log.runner(OnlyHappened())
    runner.start()
    try:
        await append(TOPIC)
        await caught_up(log, 1)
        assert await other.wait_for(("counting",), 1, 30)
        await append(vanished)
        await append(vanished)
        await caught_up(log, 3)
        assert await log.tracked() == 1  # moved past 2 and 3 in memory, without a write
        assert await other.wait_for(("counting",), 3, 30)  # and every process knows it
    finally:
        await other.stop()
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


async def test_a_skipping_projection_notices_a_rebuild_heard_while_only_other_events_arrive(log: Log) -> None:
    append = appender(log)
    runner = log.runner(OnlyHappened())
    runner.start()
    await append(TOPIC)
    await append(VANISHED)
    await caught_up(log, 2)
    await rebuild(log.pool, OnlyHappened())
    await append(VANISHED)  # nothing of interest arrives, yet the rebuild must replay event 1
    for _ in range(300):
        if await log.counted() == [1]:
            break
        await asyncio.sleep(0.05)
    await runner.stop()
    assert await log.counted() == [1]  # emptied by the rebuild, then replayed (not left empty)


async def test_a_projection_stores_the_position_it_moved_past_in_memory_once_the_log_is_quiet(log: Log) -> None:
    append = appender(log)
    runner = log.runner(OnlyHappened(), idle_wait=0.2)
    runner.start()
    await append(TOPIC)
    for _ in range(3):
        await append(VANISHED)
    await caught_up(log, 4)
    for _ in range(200):  # a process that starts now reads 4 from the tracking table, not 1
        if await log.tracked() == 4:
            break
        await asyncio.sleep(0.05)
    assert await log.tracked() == 4
    await append(TOPIC)
    await caught_up(log, 5)
    await runner.stop()
    assert await log.counted() == [1, 5]


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


async def test_a_projection_of_event_classes_alone_is_handed_them_without_their_data_decoded(log: Log) -> None:
    seen: list[tuple[object, type]] = []

    class ClassesOnly(CountingProjection):
        decodes_events = False

        async def handle(self, conn: asyncpg.Connection, events: list) -> None:  # type: ignore[override]
            seen.extend((e.event, e.kind) for e in events)
            await super().handle(conn, events)

    append = appender(log)
    await append(TOPIC)
    await append(VANISHED)
    # data no decoder could read: a projection that decoded it would fail its batch and never catch up
    stream = str(uuid.uuid4())
    await log.store.append(AppendRequest(stream, "Thing", 0, [StoredEvent(uuid.UUID(stream), 1, TOPIC, b"\xff")],
                                         META))
    runner = log.runner(ClassesOnly())
    runner.start()
    await caught_up(log, 3)
    await runner.stop()
    assert seen == [(None, Thing.Happened), (None, Thing.Vanished), (None, Thing.Happened)]
    assert await log.counted() == [1, 2, 3]


async def test_a_batch_lingers_only_when_a_stream_of_writes_is_heard_past_it(log: Log) -> None:
    """After a batch of several events the runner waits for more to gather only when at least LINGER_BACKLOG
    events were committed past the batch's end while it ran (a stream of writes); a batch with nothing much behind
    it (a feed's occasional post) does not delay the next event, whose subscribers are waiting."""
    runner = log.runner(batch=100)
    await log.append(5)
    await runner.step()
    assert await log.counted() == [1, 2, 3, 4, 5] and not runner._last_was_busy
    await log.append(5)
    log.notifier.head = max(log.notifier.head, 10 + LINGER_BACKLOG)  # as if that many more had been heard since
    await runner.step()
    assert await log.counted() == list(range(1, 11)) and runner._last_was_busy


async def test_a_runner_gives_way_while_bulk_intake_commits_and_applies_its_events_once_it_pauses(log: Log) -> None:
    """While commits of bulk intake are heard (kept up here by hand, every few milliseconds), a caught-up runner
    leaves a new event for later; once they stop for BULK_QUIET it applies it. A feed's small commits alone never
    make it wait (the runner's usual wake-up, above), and a burst longer than MAX_LINGER does not hold it longer."""
    runner = log.runner(idle_wait=3600)
    runner.start()
    try:
        await caught_up(log, 0)
        stop = asyncio.Event()

        async def bulk_heard(seconds: float) -> None:
            deadline = time.monotonic() + seconds
            while not stop.is_set() and time.monotonic() < deadline:
                log.notifier.bulk_heard = time.monotonic()
                await asyncio.sleep(0.005)

        burst = asyncio.create_task(bulk_heard(60))
        await asyncio.sleep(0.02)
        await log.append(1)
        await asyncio.sleep(min(0.3, MAX_LINGER / 2))
        assert await log.counted() == []  # given way: the burst goes on
        stop.set()
        await burst
        await caught_up(log, 1, timeout=5)
        stop.clear()
        started = time.monotonic()
        burst = asyncio.create_task(bulk_heard(60))
        await asyncio.sleep(0.02)
        await log.append(1)
        await caught_up(log, 2, timeout=MAX_LINGER + 5)  # a burst that goes on: applied after MAX_LINGER at most
        assert time.monotonic() - started >= BULK_QUIET and await log.counted() == [1, 2]
        stop.set()
        await burst
    finally:
        await runner.stop()
