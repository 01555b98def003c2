"""Feeds each projection the log in order. One runner per projection across all processes (advisory
lock); the read model and the tracking row change in one transaction, so each event takes effect once."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
import zlib
from collections import OrderedDict
from collections.abc import Iterable
from typing import Any

import asyncpg
from eventsourcing.utils import resolve_topic

from projections.base import ProjectedEvent, Projection
from service.eventstore import EventCodec, EventStore, RecordedEvent
from service.eventstore.notifications import PROJECTIONS_CHANNEL, Notifier, payload
from service.tracing import span

log = logging.getLogger(__name__)


def lock_key(name: str) -> int:
    return 0x716D7300000000 + zlib.crc32(name.encode())


class DecodedEvents:
    """The observation batches a process's runners decoded last, by position and hash: the SPC charts and the
    signals both read every batch, and decoding its columns is the largest part of applying it, so the second
    runner takes the first one's (both only read it). Other events are decoded for each runner. Bounded: the
    oldest go first."""

    SHARED = "domain.control.measure:Measure.ObservationsRecorded"

    def __init__(self, codec: EventCodec, size: int = 1000) -> None:
        self.codec, self.size = codec, size
        self._events: OrderedDict[tuple[int, bytes], Any] = OrderedDict()

    def decode(self, r: RecordedEvent) -> Any:
        if r.topic != self.SHARED:
            return self.codec.decode(r.stream_id, r.version, r.topic, r.data)
        key = (r.position, r.hash)
        event = self._events.get(key)
        if event is None:
            event = self._events[key] = self.codec.decode(r.stream_id, r.version, r.topic, r.data)
            if len(self._events) > self.size:
                self._events.popitem(last=False)
        return event


class ProjectionRunner:
    def __init__(self, pool: asyncpg.Pool, store: EventStore, codec: EventCodec, projection: Projection,
                 notifier: Notifier, *, batch_size: int = 2000, idle_wait: float = 5.0,
                 decoded: DecodedEvents | None = None) -> None:
        self.pool, self.store = pool, store
        self.decoded = decoded if decoded is not None else DecodedEvents(codec)  # shared by a process's runners
        self.projection = projection
        self.notifier = notifier
        self.batch_size = batch_size
        self.idle_wait = idle_wait  # the longest sleep with nothing to do, should a notification be lost
        self.name = projection.name
        self._task: asyncio.Task[None] | None = None
        self._last = 0    # the position this runner has applied, or moved past in memory
        self._stored = 0  # the tracking row's position as this runner last saw it
        self._last_was_busy = False  # writes streamed in while the last batch ran (see LINGER_BACKLOG)
        self._applied = False  # the last step applied events of interest
        self._skipped = False  # the last step found none and moved past them
        self._reads = frozenset(projection.topics) if projection.topics is not None else None
        self._decodes = getattr(projection, "decodes_events", True)  # see Projection
        self._resets = notifier.resets.get(self.name, 0)  # rebuilds heard: a rebuild ends skipping in memory
        self._announced = float("-inf")  # when a position moved past in memory was last said to other processes

    def start(self) -> None:
        self._task = asyncio.create_task(self.run(), name=f"projection-{self.name}")

    async def stop(self) -> None:
        if self._task:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task

    async def run(self) -> None:
        while True:
            try:
                await self._run_while_leader()
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("projection %s failed; retrying", self.name)
                self.projection.forget()
                await asyncio.sleep(1.0)

    async def _run_while_leader(self) -> None:
        async with self.pool.acquire() as lock_conn:
            while not await lock_conn.fetchval("SELECT pg_try_advisory_lock($1)", lock_key(self.name)):
                await asyncio.sleep(2.0)  # another process runs it; stand by
            self.projection.forget()
            try:
                loop = asyncio.get_running_loop()
                while True:
                    seen = self.notifier.generation
                    started = loop.time()
                    more = await self.step()
                    took = loop.time() - started
                    if not more:
                        await self.notifier.wait_changed(self.idle_wait, seen)
                        if self.notifier.generation == seen:  # nothing at all happened for idle_wait
                            await self._store_examined()
                        # Under a stream of writes, let events gather for LINGER times as long as the last batch
                        # took (at most MAX_LINGER): a projection whose batches cost per touched row, not per event,
                        # then keeps up with fewer, larger batches and leaves most of the CPU to the writers. A
                        # batch with little behind it (see LINGER_BACKLOG) does not wait: subscribers are.
                        if self._last_was_busy:
                            await asyncio.sleep(min(LINGER * took, MAX_LINGER))
                        elif self._skipped:  # events of no interest: look again after a few more have come
                            await asyncio.sleep(SKIP_LINGER)
                        await self._give_way()
            finally:
                with contextlib.suppress(Exception):
                    await lock_conn.execute("SELECT pg_advisory_unlock($1)", lock_key(self.name))

    async def _give_way(self) -> None:
        """While bulk intake commits (a commit of BULK_BYTES or more heard within the last BULK_QUIET seconds), wait
        for it to pause, at most MAX_LINGER: the writers then have the CPU and the database to themselves, and the
        projection applies what they wrote in one larger batch after them, instead of taking a part of the machine
        from every request of the burst. A feed's small commits never wait."""
        deadline = time.monotonic() + MAX_LINGER
        while (now := time.monotonic()) < deadline and (resume := self.notifier.bulk_heard + BULK_QUIET) > now:
            await asyncio.sleep(min(resume, deadline) - now)

    async def step(self) -> bool:
        """Apply one batch; True when more may be waiting.

        A projection that reads only some event types first looks, outside any transaction, whether any arrived
        since its position: when none did, it moves on in memory and tells the waiters, with no write at all
        (its tracking row catches up at the next batch it applies, or every PERSIST_EVERY events). After a batch
        that applied events it goes straight to the next: while its events stream in, looking first would cost a
        round trip per batch for nothing."""
        self._skipped = False
        if self._reads is not None and not self._applied:
            if self._skip_heard():
                await self._announce()
                return False
            async with self.pool.acquire() as conn:
                head, stored, skipped = await conn.fetchrow(
                    _LOOK, self.name, self._last, list(self.projection.topics), self._stored, PERSIST_EVERY,
                    PROJECTIONS_CHANNEL)
            if skipped:  # nothing of interest arrived: moved past in memory, and the waiters were told
                self._stored, self._last, self._skipped = stored, head, True
                self.notifier.record(self.name, head)
                return False
            if stored is not None and stored >= self._stored:
                self._stored = stored
                begin = max(stored, self._last)
                if head <= begin:
                    self.notifier.record(self.name, begin)
                    return False
        with span("projection batch", projection=self.name):
            return await self._apply_batch()

    def _skip_heard(self) -> bool:
        """Move past the commits heard since this runner's position that carry none of its topics, in memory and
        without a query (every process's notifier infers the same position from the same notifications, so the
        waiters need not be told); True when that reaches the last commit heard. Not after a rebuild was heard (the
        next batch finds it), nor further than PERSIST_EVERY events past the stored position (the tracking row
        must catch up now and then)."""
        resets = self.notifier.resets.get(self.name, 0)
        if resets != self._resets:
            self._resets = resets
            return False
        assert self._reads is not None
        ahead = self.notifier.skippable(self._last, self._reads)
        if ahead == self._last or ahead - self._stored >= PERSIST_EVERY:
            return False
        self._last, self._skipped = ahead, True
        self.notifier.record(self.name, ahead)
        return ahead >= self.notifier.head

    async def _announce(self) -> None:
        """Say a position moved past in memory on the projections channel, at most every ANNOUNCE_EVERY seconds:
        processes that heard every commit since the position they know infer it anyway, but one that started
        later (or reconnected) learns it from this."""
        now = asyncio.get_running_loop().time()
        if now - self._announced < ANNOUNCE_EVERY:
            return
        self._announced = now
        async with self.pool.acquire() as conn:
            await conn.execute("SELECT pg_notify($1, $2)", PROJECTIONS_CHANNEL, f"{self.name}:{self._last}")

    async def _store_examined(self) -> None:
        """Write the position moved past in memory once the log has been quiet for a while: a process that starts
        later reads positions from the tracking table, and would otherwise see this projection behind until the
        next event. One write per quiet spell, never one per skip. It only replaces the position this runner saw
        stored: a rebuild in between (position 0) is left alone, and the next step notices it."""
        if self._last <= self._stored:
            return
        async with self.pool.acquire() as conn:
            written = await conn.fetchval(_STORE_EXAMINED, self.name, self._last, self._stored)
        if written:
            self._stored = self._last

    async def _apply_batch(self) -> bool:
        """Tracking row, read model and notification change in one transaction, which also takes the tracking
        row's lock: a rebuild, which takes it too, shows here as a stored position that went backwards, and the
        projection's in-memory state is dropped."""
        async with self.pool.acquire() as conn, conn.transaction():
            # A read model is derived data: its commits need not wait for the disk. After a crash, tracking and
            # read model are lost together (one transaction) and replayed from the durable log.
            await conn.execute("SET LOCAL synchronous_commit TO OFF")
            row = await conn.fetchrow(_POSITIONS, self.name)
            if row is None:
                await conn.execute("INSERT INTO projection_tracking (name) VALUES ($1) ON CONFLICT DO NOTHING",
                                   self.name)
                row = await conn.fetchrow(_POSITIONS, self.name)
            stored, head = row
            if stored < self._stored:  # rebuilt
                self.projection.forget()
                self._last = stored
            self._stored = stored
            position = max(stored, self._last)  # events in between were of no interest to this projection
            if head <= position:
                self.notifier.record(self.name, position)
                self._applied = False
                return False
            records = await self.store.read_log(position, self.batch_size, list(self.projection.topics)
                                                if self.projection.topics is not None else None, conn=conn,
                                                with_data=self._decodes)
            records = [r for r in records if r.position <= head]
            if not records and self.projection.topics is not None and head - stored < PERSIST_EVERY:
                # Nothing of interest, as the look would have found: moved past in memory, no write.
                await conn.execute("SELECT pg_notify($1, $2)", PROJECTIONS_CHANNEL, f"{self.name}:{head}")
                self._last, self._applied, self._skipped = head, False, True
                self.notifier.record(self.name, head)
                return False
            full = len(records) == self.batch_size
            streams: Iterable[str] = ()
            if records:
                touched = await self.projection.handle(conn, [
                    ProjectedEvent(r.position, r.stream_id, r.recorded_at, r.actor, self.decoded.decode(r), r.role,
                                   r.team_id)
                    if self._decodes else ProjectedEvent(r.position, r.stream_id, r.recorded_at, r.actor, None, r.role,
                                                         r.team_id, resolve_topic(r.topic))
                    for r in records])
                streams = touched if touched is not None else [r.stream_id for r in records]
            new_position = records[-1].position if full else head
            await conn.execute(_ADVANCE, self.name, new_position, PROJECTIONS_CHANNEL, payload(
                self.name, new_position, streams, [r.team_id for r in records if r.team_id] if streams else ()))
        self._last = self._stored = new_position
        self._last_was_busy = len(records) > 1 and self.notifier.head - new_position >= LINGER_BACKLOG
        self._applied = bool(records)
        self.notifier.record(self.name, new_position)
        return full


LINGER = 4.0  # a busy projection spends at most a fifth of its time applying batches
MAX_LINGER = 0.5  # seconds
LINGER_BACKLOG = 100  # events heard past a batch's end that make it a stream of writes, worth lingering for
BULK_QUIET = 0.05  # seconds without a bulk commit heard that end a burst of bulk intake (see _give_way)
SKIP_LINGER = 0.01  # seconds a projection waits after events of no interest to it before it looks again
PERSIST_EVERY = 1000  # events a projection may move on in memory before it writes its tracking row
ANNOUNCE_EVERY = 1.0  # seconds between notifications of positions moved past in memory without a query
# The log's head, the stored position, and whether the projection skips to the head because no event of interest
# arrived after the position known here: then the same statement tells the waiters ($6), so a skip costs one
# round trip. Skipping needs a stored position no older than the one known here ($4, else a rebuild
# happened), events past it, none of interest, and fewer than PERSIST_EVERY ($5) since the tracking row was written.
_LOOK = ("WITH l AS (SELECT h.position AS head, t.position AS stored, EXISTS (SELECT 1 FROM events e "
         "WHERE e.position > GREATEST(t.position, $2) AND e.position <= h.position AND e.topic = ANY($3::text[])) "
         "AS relevant FROM event_log_head h LEFT JOIN projection_tracking t ON t.name = $1) "
         "SELECT head, stored, CASE WHEN stored >= $4 AND head > GREATEST(stored, $2) AND NOT relevant "
         "AND head - stored < $5 THEN (SELECT true FROM pg_notify($6, $1 || ':' || head)) ELSE false END FROM l")
# The projection's position (locking its row) and the log's head, in one round trip.
_POSITIONS = ("SELECT t.position, (SELECT position FROM event_log_head) FROM projection_tracking t "
              "WHERE t.name = $1 FOR UPDATE OF t")
_STORE_EXAMINED = ("WITH t AS (UPDATE projection_tracking SET position = $2 WHERE name = $1 AND position = $3 "
                   "RETURNING 1) SELECT count(*) FROM t")
_ADVANCE = ("WITH t AS (UPDATE projection_tracking SET position = $2 WHERE name = $1) "
            "SELECT pg_notify($3, $4)")


async def rebuild(pool: asyncpg.Pool, projection: Projection) -> None:
    """Empty the projection's tables and rewind it to 0; whichever process runs it replays from there. Safe while
    runners run: the tracking row's lock orders this against their steps."""
    async with pool.acquire() as conn, conn.transaction():
        await conn.execute("INSERT INTO projection_tracking (name) VALUES ($1) ON CONFLICT DO NOTHING",
                           projection.name)
        await conn.execute("SELECT 1 FROM projection_tracking WHERE name = $1 FOR UPDATE", projection.name)
        await projection.clear(conn)
        await conn.execute("UPDATE projection_tracking SET position = 0 WHERE name = $1", projection.name)
        await conn.execute("SELECT pg_notify($1, $2)", PROJECTIONS_CHANNEL, f"{projection.name}:reset")
    projection.forget()
