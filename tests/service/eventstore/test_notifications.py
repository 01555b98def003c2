"""Notifications say what changed: every process hears which streams and teams a projection batch changed."""

from __future__ import annotations

import asyncio
import time
import uuid

import pytest

from service.eventstore import EventCodec
from service.eventstore.notifications import (
    BULK_BYTES,
    MAX_NAMED,
    QUEUE_LIMIT,
    Change,
    FellBehind,
    Notifier,
    parse,
    parse_commit,
    payload,
)
from service.eventstore.projection_runner import ProjectionRunner
from service.eventstore.statements import notice
from tests.service.eventstore.conftest import Log
from tests.service.eventstore.counting import CountingProjection
from tests.service.eventstore.test_store import request


def test_a_payload_names_what_changed_or_says_many_or_nothing() -> None:
    assert parse(payload("spc", 7)) == ("spc", "7", None)
    assert parse(payload("spc", 7, ["m2", "m1"], ["t1"])) == ("spc", "7", Change("spc", 7, frozenset({"m1", "m2"}),
                                                                                  frozenset({"t1"})))
    many = [str(i) for i in range(MAX_NAMED + 1)]
    assert parse(payload("spc", 8, many, ["t1"])) == ("spc", "8", Change("spc", 8, None, None))
    assert len(payload("spc", 9, [str(uuid.uuid4()) for _ in range(MAX_NAMED)],
                       [str(uuid.uuid4()) for _ in range(MAX_NAMED)])) < 8000  # PostgreSQL's limit
    assert parse("spc:reset") == ("spc", "reset", None)


def test_a_change_concerns_what_it_names_and_a_change_of_many_concerns_everything() -> None:
    named = Change("spc", 1, frozenset({"m1"}), frozenset({"t1"}))
    assert named.concerns(stream="m1") and named.concerns(team="t1") and named.concerns()
    assert not named.concerns(stream="m2") and not named.concerns(team="t2")
    assert Change("spc", 1, None, None).concerns(stream="m2", team="t2")


async def test_a_subscriber_that_reads_too_slowly_is_told_it_fell_behind_rather_than_buffered() -> None:
    notifier = Notifier("postgresql://unused")
    with notifier.subscribe("spc") as subscription:
        for i in range(QUEUE_LIMIT + 5):
            subscription.offer(Change("spc", i, frozenset(), frozenset()))
        with pytest.raises(FellBehind):
            await subscription.next()


async def test_a_wait_cancelled_in_the_same_turn_as_its_wake_up_ends_instead_of_running_on() -> None:
    notifier = Notifier("postgresql://unused")
    laps = 0

    async def runner_like() -> None:  # a projection runner's idle loop
        nonlocal laps
        while True:
            await notifier.wait_changed(3600, notifier.generation)
            laps += 1

    task = asyncio.create_task(runner_like())
    await asyncio.sleep(0.01)
    notifier.record("spc", 1)  # a notification wakes it ...
    task.cancel()  # ... as shutdown stops it, before it runs again
    with pytest.raises(asyncio.CancelledError):
        await asyncio.wait_for(task, 5)
    assert laps == 0


async def test_another_process_hears_which_streams_and_teams_a_batch_changed(log: Log) -> None:
    elsewhere = Notifier(log.url)  # another process's listening connection
    await elsewhere.start()
    streams = [str(uuid.uuid4()) for _ in range(3)]
    runner = ProjectionRunner(log.pool, log.store, EventCodec(), CountingProjection(), log.notifier, batch_size=100)
    try:
        with elsewhere.subscribe("counting") as subscription, elsewhere.subscribe("other") as unrelated:
            runner.start()
            for stream in streams:
                await log.store.append(request(stream, 0, n=2))
            heard: set[str] = set()
            while heard != set(streams):
                change = await asyncio.wait_for(subscription.next(), 30)
                assert change.projection == "counting" and change.teams == {"t1"}
                heard |= change.streams or set()
            assert unrelated._queue.empty()
    finally:
        await runner.stop()
        await elsewhere.stop()


def test_a_followed_projection_moves_along_commits_of_no_interest_and_stops_at_one_of_interest_or_a_gap() -> None:
    notifier = Notifier("unused", follows={"reader": ["A"], "everything": None})
    notifier.record("reader", 10)
    notifier.record("everything", 10)

    def commit(after: int, before: int, *topics: str) -> None:
        notifier._on_event(None, 0, "qms_events", notice(after, before, topics, 100))

    commit(12, 10, "B", "C")
    commit(13, 12, "C")
    assert notifier.positions == {"reader": 13, "everything": 10}  # reads every topic: never inferred
    commit(15, 13, "A", "B")
    commit(16, 15, "B")
    assert notifier.positions["reader"] == 13  # 14-15 hold an A: the projection itself must apply them
    notifier.record("reader", 15)  # it did, and is known to be past 16 too
    assert notifier.positions["reader"] == 16
    assert notifier.skippable(15, frozenset({"A"})) == 16
    commit(20, 18, "B")  # 16-18 were not heard (a reconnect): no chain across the gap
    assert notifier.skippable(16, frozenset({"A"})) == 16 and notifier.head == 20
    assert parse_commit("7") == (7, None, None, None)  # a commit that does not say what it holds stops every chain
    assert parse_commit(notice(9, 7, ["X", "Y", "X"], 120)) == (9, 7, frozenset({"X", "Y"}), 120)
    assert parse_commit(notice(9, 7, ["t" * 100] * 1 + [f"t{i}" * 20 for i in range(1000)], 5)) == (9, 7, None, None)


def test_a_commits_size_is_said_so_that_the_version_before_reads_it_as_a_topic_no_projection_follows() -> None:
    said = notice(9, 7, ["m:Thing.Happened"], 300_000)
    assert parse_commit("9 7 m:Thing.Happened") == (9, 7, frozenset({"m:Thing.Happened"}), None)  # as it was
    before = frozenset(said.split(" ", 2)[2].split(","))  # how the version before read the topics
    assert "m:Thing.Happened" in before and all(t == "=300000" or ":" in t for t in before)


def test_the_notifier_remembers_when_it_last_heard_a_commit_of_bulk_intake() -> None:
    notifier = Notifier("unused")
    notifier._on_event(None, 0, "qms_events", notice(2, 1, ["A"], BULK_BYTES - 1))
    notifier._on_event(None, 0, "qms_events", "3 2 A")  # said nothing of its size
    assert notifier.bulk_heard == float("-inf")
    notifier._on_event(None, 0, "qms_events", notice(4, 3, ["A"], BULK_BYTES))
    assert time.monotonic() - notifier.bulk_heard < 1
