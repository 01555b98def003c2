"""The event store's guarantees, against a real PostgreSQL."""

from __future__ import annotations

import asyncio
import dataclasses
import multiprocessing
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable

import asyncpg
import pytest
from eventsourcing.persistence import StoredEvent
from eventsourcing.utils import get_topic

from service.audit.verify import verify_chain
from service.eventstore import AppendRequest, AppendResult, EventMeta, EventStore, StreamConflict
from service.eventstore.database import create_pool, migrate
from service.eventstore.store import DISTRUST_AFTER_MISS
from tests.service.eventstore.things import Thing

TOPIC = get_topic(Thing.Happened)
META = EventMeta(actor="tester", role="TEAM_MEMBER", team_id="t1", reason="because", correlation_id="c1")


def request(stream: str, expected: int, n: int = 1, key: str | None = None, result: bytes = b"{}") -> AppendRequest:
    events = [StoredEvent(uuid.UUID(stream), expected + i + 1, TOPIC, b'{"n":%d}' % i)
              for i in range(n)]
    return AppendRequest(stream, "Thing", expected, events, META, idempotency_key=key, result=result)


# Every guarantee holds on both commit paths: optimistic (read, then write if the head has not moved) and locked
# (the head's lock taken first, the path of a group that keeps losing races).
@pytest.fixture(params=[3, 0], ids=["optimistic", "locked"])
async def fresh(make_database: Callable[[], Awaitable[str]],
                request: pytest.FixtureRequest) -> AsyncIterator[tuple[str, EventStore]]:
    url = await make_database()
    pool = await create_pool(url, min_size=1, max_size=4)
    async with pool.acquire() as conn:
        await migrate(conn)
    store = EventStore(pool, optimistic_tries=request.param)
    await store.start()
    yield url, store
    await store.stop()
    await pool.close()


async def test_appended_events_are_read_back_in_order_with_their_metadata(fresh: tuple[str, EventStore]) -> None:
    _, store = fresh
    stream = str(uuid.uuid4())
    result = await store.append(request(stream, 0, n=3))
    assert result.position == 3
    events = await store.read_stream(stream)
    assert [(e.position, e.version) for e in events] == [(1, 1), (2, 2), (3, 3)]
    assert (events[0].actor, events[0].role, events[0].team_id, events[0].reason, events[0].correlation_id) == (
        "tester", "TEAM_MEMBER", "t1", "because", "c1")
    assert await store.stream_type(stream) == ("Thing", 3)


async def test_the_log_is_read_with_its_data_or_as_envelopes_alone(fresh: tuple[str, EventStore]) -> None:
    _, store = fresh
    await store.append(request(str(uuid.uuid4()), 0, n=3))
    full = await store.read_log(0, 10)
    bare = await store.read_log(0, 10, with_data=False)
    assert all(e.data for e in full) and [e.data for e in bare] == [b"", b"", b""]
    assert [dataclasses.replace(e, data=b"") for e in full] == bare  # the same events, every other field as read


async def test_a_stale_expected_version_is_a_conflict_and_stores_nothing(fresh: tuple[str, EventStore]) -> None:
    _, store = fresh
    stream = str(uuid.uuid4())
    await store.append(request(stream, 0))
    with pytest.raises(StreamConflict, match="at version 1, not 0"):
        await store.append(request(stream, 0, n=2))
    assert len(await store.read_stream(stream)) == 1
    assert await store.head() == 1


async def test_appends_queued_together_share_one_commit_and_each_conflict_is_its_request_s_alone(
        fresh: tuple[str, EventStore]) -> None:
    _, store = fresh
    stale, good, keyed = (str(uuid.uuid4()) for _ in range(3))
    await store.append(request(stale, 0))
    await store.append(request(keyed, 0, key="k", result=b'{"first":1}'))
    groups = store.stats.groups
    outcomes = await store.append_many([request(good, 0, n=2), request(stale, 0), request(keyed, 1, key="k")])
    assert store.stats.groups == groups + 1
    assert isinstance(outcomes[0], AppendResult) and outcomes[0].position == 4
    assert isinstance(outcomes[1], StreamConflict)
    assert outcomes[2] == AppendResult(position=0, replayed=b'{"first":1}')
    assert [len(await store.read_stream(s)) for s in (good, stale, keyed)] == [2, 1, 1]
    assert await store.append_many([]) == []


async def test_a_group_of_requests_with_their_own_metadata_stores_each_event_s_own_envelope(
        fresh: tuple[str, EventStore]) -> None:
    """A group commit sends what a request's events share once; each stored event still has its own topic, who,
    why and where from, and the chain over them verifies."""
    url, store = fresh
    a, b, c = (str(uuid.uuid4()) for _ in range(3))
    other = EventMeta(actor="feed", role="INTEGRATION", team_id="t2", correlation_id="c2", causation_id="x",
                      source="lab")
    vanished = get_topic(Thing.Vanished)
    mixed = request(a, 0, n=3)
    mixed.events[1] = StoredEvent(uuid.UUID(a), 2, vanished, b"{}")
    mixed.reasons = ["first", None, "third"]
    outcomes = await store.append_many([mixed, AppendRequest(b, "Thing", 0, request(b, 0, n=2).events, other),
                                        request(c, 0)])
    assert all(isinstance(o, AppendResult) for o in outcomes)
    stored = [(e.stream_id, e.topic, e.actor, e.role, e.team_id, e.reason, e.correlation_id, e.causation_id, e.source)
              for s in (a, b, c) for e in await store.read_stream(s)]
    mine = ("tester", "TEAM_MEMBER", "t1")
    assert stored == [(a, TOPIC, *mine, "first", "c1", None, None), (a, vanished, *mine, None, "c1", None, None),
                      (a, TOPIC, *mine, "third", "c1", None, None),
                      (b, TOPIC, "feed", "INTEGRATION", "t2", None, "c2", "x", "lab"),
                      (b, TOPIC, "feed", "INTEGRATION", "t2", None, "c2", "x", "lab"),
                      (c, TOPIC, *mine, "because", "c1", None, None)]
    conn = await asyncpg.connect(url)
    try:
        assert (await verify_chain(conn)).ok
    finally:
        await conn.close()


async def test_a_group_s_event_data_sent_as_one_value_is_stored_byte_for_byte_event_by_event(
        fresh: tuple[str, EventStore]) -> None:
    """The group commit sends its events' data as one bytea and each event's slice of it: every event keeps exactly
    its own bytes, whatever their lengths (one byte, none of them JSON-like, hundreds of kilobytes) and neighbours."""
    url, store = fresh
    sizes = [1, 2, 4_800, 0, 300_000, 7, 65_536]
    data = [bytes((i * 37 + k) % 256 for k in range(size)) for i, size in enumerate(sizes)]
    streams = [str(uuid.uuid4()) for _ in sizes]
    outcomes = await store.append_many([
        AppendRequest(s, "Thing", 0, [StoredEvent(uuid.UUID(s), 1, TOPIC, d)], META)
        for s, d in zip(streams, data, strict=True)])
    assert all(isinstance(o, AppendResult) for o in outcomes)
    assert [(await store.read_stream(s))[0].data for s in streams] == data
    conn = await asyncpg.connect(url)
    try:
        assert (await verify_chain(conn)).ok
    finally:
        await conn.close()


async def test_an_append_decided_on_one_that_was_not_written_is_a_conflict_even_at_the_stream_s_version(
        fresh: tuple[str, EventStore]) -> None:
    _, store = fresh
    stream = str(uuid.uuid4())
    await store.append(request(stream, 0))  # another writer took version 1
    first = store.submit(request(stream, 0))  # decided on version 0: a conflict
    second = request(stream, 1)
    second.after = first  # decided on top of `first`; version 1 is now the other writer's event, not first's
    [together] = await store.append_many([second])  # in first's group
    assert isinstance(first.exception(), StreamConflict)
    assert isinstance(together, StreamConflict) and "not written" in str(together)
    third = request(stream, 1)
    third.after = first  # first's group is long committed
    with pytest.raises(StreamConflict, match="not written"):
        await store.append(third)
    written = store.submit(request(stream, 1))
    fourth = request(stream, 2)
    fourth.after = written
    assert (await store.append(fourth)).position == 3
    assert [e.version for e in await store.read_stream(stream)] == [1, 2, 3]


async def test_of_two_concurrent_appends_at_the_same_version_exactly_one_wins(fresh: tuple[str, EventStore]) -> None:
    _, store = fresh
    stream = str(uuid.uuid4())
    outcomes = await asyncio.gather(store.append(request(stream, 0)), store.append(request(stream, 0)),
                                    return_exceptions=True)
    assert sum(isinstance(o, StreamConflict) for o in outcomes) == 1
    assert len(await store.read_stream(stream)) == 1


async def test_a_writer_whose_knowledge_of_the_head_is_stale_writes_nothing_on_it(
        fresh: tuple[str, EventStore]) -> None:
    url, store = fresh
    first, second = str(uuid.uuid4()), str(uuid.uuid4())
    assert (await store.append(request(first, 0))).position == 1  # this store now knows the head is 1
    pool = await create_pool(url, min_size=1, max_size=2)
    other = EventStore(pool)
    await other.start()
    try:
        assert (await other.append(request(second, 0, n=2))).position == 3  # another process moves it on
    finally:
        await other.stop()
        await pool.close()
    assert (await store.append(request(first, 1))).position == 4  # planned on position 1, refused, planned again
    # Another process writes here: the next groups read the head before planning instead of missing again.
    assert store._distrust == (DISTRUST_AFTER_MISS if store.optimistic_tries else 0)
    conn = await asyncpg.connect(url)
    try:
        positions = [r[0] for r in await conn.fetch("SELECT position FROM events ORDER BY position")]
        report = await verify_chain(conn)
    finally:
        await conn.close()
    assert positions == [1, 2, 3, 4] and report.ok


@pytest.mark.parametrize("expected", [0, 2, 5])
async def test_an_expected_version_other_than_the_stream_s_is_a_conflict_on_every_path(
        fresh: tuple[str, EventStore], expected: int) -> None:
    _, store = fresh
    stream = str(uuid.uuid4())
    await store.append(request(stream, 0))  # at version 1; the store now knows the head
    with pytest.raises(StreamConflict, match=f"at version 1, not {expected}"):
        await store.append(request(stream, expected))  # behind the stream, or ahead of it
    assert [e.version for e in await store.read_stream(stream)] == [1]
    assert await store.stream_type(stream) == ("Thing", 1)


async def test_a_retry_with_the_same_idempotency_key_replays_the_first_answer(fresh: tuple[str, EventStore]) -> None:
    _, store = fresh
    stream = str(uuid.uuid4())
    first = await store.append(request(stream, 0, key="k1", result=b'{"accepted":1}'))
    retry = await store.append(request(stream, 0, key="k1", result=b'{"accepted":9}'))
    assert first.replayed is None and retry.replayed == b'{"accepted":1}'
    assert await store.head() == 1


async def test_a_used_key_replays_and_writes_nothing_while_its_group_stores_the_rest(
        fresh: tuple[str, EventStore]) -> None:
    _, store = fresh
    await store.append(request(str(uuid.uuid4()), 0, key="k1", result=b'{"accepted":1}'))  # the head is known now
    reused, new = str(uuid.uuid4()), str(uuid.uuid4())
    replayed, stored = await asyncio.gather(store.append(request(reused, 0, key="k1", result=b'{"accepted":9}')),
                                            store.append(request(new, 0, key="k2")))
    assert replayed.replayed == b'{"accepted":1}' and stored.replayed is None
    assert await store.read_stream(reused) == [] and len(await store.read_stream(new)) == 1
    assert await store.head() == 2


async def test_one_bad_request_in_a_group_commit_does_not_fail_the_others(fresh: tuple[str, EventStore]) -> None:
    _, store = fresh
    good, bad = str(uuid.uuid4()), str(uuid.uuid4())
    broken = request(bad, 0)
    broken.meta = EventMeta(actor="nul\x00byte", role="TEAM_MEMBER")  # PostgreSQL text cannot hold NUL
    outcomes = await asyncio.gather(store.append(request(good, 0)), store.append(broken), return_exceptions=True)
    assert not isinstance(outcomes[0], Exception)
    assert isinstance(outcomes[1], Exception)
    assert len(await store.read_stream(good)) == 1 and await store.read_stream(bad) == []


async def test_the_hash_chain_verifies_an_untouched_log(fresh: tuple[str, EventStore]) -> None:
    url, store = fresh
    for _ in range(5):
        await store.append(request(str(uuid.uuid4()), 0, n=2))
    conn = await asyncpg.connect(url)
    try:
        report = await verify_chain(conn)
    finally:
        await conn.close()
    assert report.ok and report.checked == 10


@pytest.mark.parametrize(("tamper", "position", "words"), [
    ("UPDATE events SET data = '{\"n\":42}' WHERE position = 4", 4, "altered"),
    ("UPDATE events SET actor = 'mallory' WHERE position = 6", 6, "altered"),
    ("DELETE FROM events WHERE position = 3", 3, "missing"),
    ("UPDATE events SET position = -position WHERE position IN (5, 6); "
     "UPDATE events SET position = 11 WHERE position = -5; UPDATE events SET position = 5 WHERE position = -6; "
     "UPDATE events SET position = 6 WHERE position = 11", 5, "altered"),
    ("DELETE FROM events WHERE position = 10", 10, "deleted at the end"),
])
async def test_verify_names_the_first_altered_deleted_or_reordered_event(
        fresh: tuple[str, EventStore], tamper: str, position: int, words: str) -> None:
    url, store = fresh
    for _ in range(5):
        await store.append(request(str(uuid.uuid4()), 0, n=2))
    conn = await asyncpg.connect(url)
    try:
        await conn.execute(tamper)
        report = await verify_chain(conn)
    finally:
        await conn.close()
    assert not report.ok
    assert report.position == position
    assert words in (report.problem or "")


def _writer_process(url: str, writer: int, count: int) -> None:
    async def run() -> None:
        pool = await create_pool(url, min_size=1, max_size=4)
        store = EventStore(pool)
        await store.start()
        streams = [str(uuid.uuid4()) for _ in range(8)]
        versions = dict.fromkeys(streams, 0)

        async def one(i: int) -> None:
            s = streams[i % len(streams)]
            while True:
                try:
                    await store.append(request(s, versions[s]))
                    versions[s] += 1
                    return
                except StreamConflict:
                    await asyncio.sleep(0)

        for start in range(0, count, 8):
            await asyncio.gather(*(one(i) for i in range(start, min(count, start + 8))))
        await store.stop()
        await pool.close()

    asyncio.run(run())


async def test_concurrent_writers_in_two_processes_give_gap_free_positions_a_reader_never_skips(
        fresh: tuple[str, EventStore]) -> None:
    url, store = fresh
    per_writer = 300
    ctx = multiprocessing.get_context("spawn")
    writers = [ctx.Process(target=_writer_process, args=(url, w, per_writer)) for w in range(2)]
    for w in writers:
        w.start()
    seen: list[int] = []
    deadline = asyncio.get_running_loop().time() + 120
    while len(seen) < 2 * per_writer and asyncio.get_running_loop().time() < deadline:
        # A tailing reader, as a projection reads: everything after the last position it saw.
        batch = await store.read_log(seen[-1] if seen else 0, 50)
        seen.extend(e.position for e in batch)
        if not batch:
            await asyncio.sleep(0.005)
    for w in writers:
        await asyncio.to_thread(w.join, 60)
        assert w.exitcode == 0
    assert seen == list(range(1, 2 * per_writer + 1))
    conn = await asyncpg.connect(url)
    try:
        report = await verify_chain(conn)  # writers that raced for the head still chained every event
    finally:
        await conn.close()
    assert report.ok and report.checked == 2 * per_writer
