"""Append and read events. One writer task per process commits queued appends in groups; every commit moves
the log head, and its row lock serialises writers across processes, so positions are gap-free and in commit
order."""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import logging
import time
from bisect import bisect_left
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import asyncpg
from eventsourcing.persistence import StoredEvent

from service.eventstore.hashchain import event_hash, from_micros
from service.eventstore.statements import CHANNEL, COLUMNS, ENVELOPES, READ_STATE, WRITE, notice
from service.tracing import span

log = logging.getLogger(__name__)

# A group whose head moved under it is planned again; after this many tries (writers in other processes keep
# moving it) the group takes the head's lock first and cannot miss.
OPTIMISTIC_TRIES = 3
# After a plan made on this process's knowledge of the head misses (another process wrote), this many groups read
# first: with several writing processes the knowledge is mostly stale, and each miss costs a round trip.
DISTRUST_AFTER_MISS = 16


@dataclass(slots=True)
class _Plan:
    """A group's outcomes and rows, decided on one snapshot of the head, the streams and the keys."""

    outcomes: dict[int, AppendResult | Exception]
    arguments: list[Any] | None  # the WRITE statement's arguments; None when there is nothing to write
    head_after: tuple[int, bytes]  # the head (position, hash) once the plan is committed


class StreamConflict(Exception):
    """The stream moved on since it was read: the expected version is stale."""

    def __init__(self, stream_id: str, expected: int, actual: int, *, unwritten_before: bool = False) -> None:
        super().__init__(f"Stream {stream_id} was decided on an append that was not written; read it again and retry."
                         if unwritten_before else f"Stream {stream_id} is at version {actual}, not {expected}: "
                         "it was changed by another request; read it again and retry.")
        self.stream_id, self.expected, self.actual = stream_id, expected, actual


@dataclass(frozen=True, slots=True)
class EventMeta:
    """Who did it, in what role, for which team, why, and in which conversation of requests."""

    actor: str
    role: str
    team_id: str | None = None
    reason: str | None = None
    correlation_id: str | None = None
    causation_id: str | None = None
    source: str | None = None


@dataclass(slots=True)
class AppendRequest:
    stream_id: str
    stream_type: str
    expected_version: int          # 0 for a new stream
    events: list[StoredEvent]
    meta: EventMeta
    idempotency_key: str | None = None
    result: bytes = b"{}"          # the answer kept under the idempotency key
    reasons: list[str | None] | None = None   # per-event reason, overriding meta.reason
    # The append this one was decided on top of, queued before it and perhaps not committed yet (see
    # Repository.submit_many): this one is written only if that one was, else it is a conflict, whatever the
    # stream's version then is (another writer's events may have taken the versions the first assumed).
    after: asyncio.Future[AppendResult] | None = None


@dataclass(frozen=True, slots=True)
class AppendResult:
    position: int                  # the last position written (0 when nothing was)
    replayed: bytes | None = None  # the first answer, when the idempotency key was used before


@dataclass(frozen=True, slots=True)
class RecordedEvent:
    position: int
    stream_id: str
    version: int
    topic: str
    data: bytes
    recorded_at: datetime
    actor: str
    role: str
    team_id: str | None
    reason: str | None
    correlation_id: str | None
    causation_id: str | None
    source: str | None
    hash: bytes


def _recorded(row: asyncpg.Record) -> RecordedEvent:
    return RecordedEvent(*row)


def result_of(future: asyncio.Future[AppendResult]) -> AppendResult | Exception:
    """A done append's result, or the exception it ended with (a cancelled one: its outcome is not known)."""
    if future.cancelled():
        return RuntimeError("the append was cancelled: whether it was written is not known")
    error = future.exception()
    return future.result() if error is None else error if isinstance(error, Exception) else RuntimeError(repr(error))


async def results_of(futures: Sequence[asyncio.Future[AppendResult]]) -> list[AppendResult | Exception]:
    """Each append's result or exception, once all are done."""
    if futures:
        await asyncio.wait(futures)
    return [result_of(f) for f in futures]


def _written(future: asyncio.Future[AppendResult], planned: AppendResult | Exception | None) -> bool:
    """Whether the earlier append was written: as this group's plan decided it, or as its own commit ended."""
    if planned is None:  # not done is never so (it was queued first: in this group or an earlier one)
        planned = result_of(future) if future.done() else None
    return isinstance(planned, AppendResult) and planned.replayed is None


@dataclass(slots=True)
class _Pending:
    request: AppendRequest
    future: asyncio.Future[AppendResult] = field(default_factory=lambda: asyncio.get_running_loop().create_future())


SIZE_BUCKETS = (1, 2, 4, 8, 16, 32, 64, 128, 256, 512)
SECONDS_BUCKETS = (0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.25, 0.5, 1.0)


class CommitStats:
    """Group commits as counts per bucket (sizes and seconds), kept as plain integers: nothing on the write path
    but a few additions; /metrics reads them when scraped."""

    def __init__(self) -> None:
        self.groups = 0
        self.requests = 0
        self.seconds = 0.0
        self.by_size = [0] * (len(SIZE_BUCKETS) + 1)
        self.by_seconds = [0] * (len(SECONDS_BUCKETS) + 1)

    def record(self, size: int, seconds: float) -> None:
        self.groups += 1
        self.requests += size
        self.seconds += seconds
        self.by_size[bisect_left(SIZE_BUCKETS, size)] += 1
        self.by_seconds[bisect_left(SECONDS_BUCKETS, seconds)] += 1


class EventStore:
    """The log. `append` returns once the events are committed (acknowledged means durable)."""

    def __init__(self, pool: asyncpg.Pool, *, max_group: int = 512, optimistic_tries: int = OPTIMISTIC_TRIES) -> None:
        self.pool = pool
        self.max_group = max_group
        self.optimistic_tries = optimistic_tries
        self._head: tuple[int, bytes] | None = None  # (position, hash) as this process's last commit left them
        self._distrust = 0  # groups to plan on a fresh read before trusting that knowledge again
        self._queue: asyncio.Queue[_Pending] = asyncio.Queue()
        self._writer: asyncio.Task[None] | None = None
        self.stats = CommitStats()

    async def start(self) -> None:
        self._writer = asyncio.create_task(self._write_loop(), name="event-store-writer")

    async def stop(self) -> None:
        if self._writer is not None:
            self._writer.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._writer
            self._writer = None

    async def append(self, request: AppendRequest) -> AppendResult:
        return await self.submit(request)

    def submit(self, request: AppendRequest) -> asyncio.Future[AppendResult]:
        """Queue the append (appends are committed in the order they are queued) and hand back its future, done
        once it is committed or refused."""
        if self._writer is None:
            raise RuntimeError("EventStore.start() was not called")
        pending = _Pending(request)
        self._queue.put_nowait(pending)
        return pending.future

    async def append_many(self, requests: Sequence[AppendRequest]) -> list[AppendResult | Exception]:
        """Appends queued at once, to share a group commit; each answered on its own (a conflict is its alone)."""
        return await results_of([self.submit(request) for request in requests])

    # -- writing --------------------------------------------------------------------------------------------
    async def _write_loop(self) -> None:
        while True:
            group = [await self._queue.get()]
            while len(group) < self.max_group and not self._queue.empty():
                group.append(self._queue.get_nowait())
            started = time.perf_counter()
            try:
                with span("group commit", size=len(group)):
                    await self._commit_group(group)
                self.stats.record(len(group), time.perf_counter() - started)
            except (asyncpg.PostgresError, OSError, asyncpg.InterfaceError):
                # One bad request must not fail the others: retry each on its own.
                for pending in group:
                    try:
                        await self._commit_group([pending])
                    except Exception as e:
                        if not pending.future.done():
                            pending.future.set_exception(e)
            except Exception as e:
                for pending in group:
                    if not pending.future.done():
                        pending.future.set_exception(e)

    async def _commit_group(self, group: list[_Pending]) -> None:
        """Commit the group in one transaction. Everything (events, stream versions, keys, head, notification) is
        written by one statement that applies only if the head is where the group's plan expects it, so a plan
        made on stale knowledge writes nothing and is made again on fresh:

          1. one round trip, when this process wrote the head last: the plan trusts the head it left (any other
             writer would have moved it), each request's expected version and that its idempotency keys are new
             (which the statement checks: a used key writes nothing, and the group is planned on a read, which
             answers it with its first result);
          2. two round trips: read the head, the streams' versions and the keys in one snapshot, then write;
          3. under contention from other processes, after `optimistic_tries` misses (at once when it is 0): lock
             the head, then 2."""
        streams = list({p.request.stream_id for p in group})
        keys = [p.request.idempotency_key for p in group if p.request.idempotency_key]
        plan = None
        async with self.pool.acquire() as conn:
            known, self._head = self._head, None  # forgotten until a write succeeds
            if self._distrust:
                self._distrust -= 1  # other writers moved the head lately: knowledge of it goes stale at once
            elif known is not None and self.optimistic_tries and all(p.request.events for p in group):
                state = [("h", None, *known), *(("s", p.request.stream_id, p.request.expected_version, None)
                                                 for p in reversed(group))]  # the first request's version wins
                plan = self._plan(group, state)
                if not await conn.fetch(WRITE, *plan.arguments):  # type: ignore[misc]
                    plan = None  # the head moved, a version was stale or a key used: decided on fresh state below
                    self._distrust = DISTRUST_AFTER_MISS
            for _ in range(self.optimistic_tries if plan is None else 0):
                plan = self._plan(group, await conn.fetch(READ_STATE, streams, keys))
                if plan.arguments is None or await conn.fetch(WRITE, *plan.arguments):
                    break
                plan = None
        if plan is None:
            async with self.pool.acquire() as conn, conn.transaction():
                await conn.execute("SELECT FROM event_log_head FOR UPDATE")
                # The snapshot of the next statement is taken with the lock held: nothing can move under it.
                plan = self._plan(group, await conn.fetch(READ_STATE, streams, keys))
                if plan.arguments is not None and not await conn.fetch(WRITE, *plan.arguments):
                    raise RuntimeError("the log head moved while its lock was held")
        self._head = plan.head_after
        for i, pending in enumerate(group):
            outcome = plan.outcomes[i]
            if pending.future.done():
                continue
            if isinstance(outcome, Exception):
                pending.future.set_exception(outcome)
            else:
                pending.future.set_result(outcome)

    @staticmethod
    def _plan(group: list[_Pending], state: Iterable[Sequence[Any]]) -> _Plan:
        position, previous = 0, b""
        used: dict[str, bytes] = {}
        versions: dict[str, int] = {}
        for kind, name, number, blob in state:
            if kind == "h":
                position, previous = number, bytes(blob)
            elif kind == "s":
                versions[name] = number
            else:
                used[name] = bytes(blob)
        head, head_hash = position, previous
        assumed = dict(versions)  # each stream's version before the group
        outcomes: dict[int, AppendResult | Exception] = {}
        index = {id(p.future): i for i, p in enumerate(group)} if any(p.request.after for p in group) else {}
        types: dict[str, str] = {}
        rows: list[tuple[Any, ...]] = []
        shared: dict[tuple[str, int, str | None], int] = {}  # (topic, meta, reason) -> its row in `metas`, from 1
        metas: list[tuple[Any, ...]] = []
        new_keys: list[tuple[str, bytes, int]] = []
        recorded_at = from_micros(time.time_ns() // 1000)
        for i, pending in enumerate(group):
            req = pending.request
            key = req.idempotency_key
            if key and key in used:
                outcomes[i] = AppendResult(position=0, replayed=used[key])
                continue
            actual = versions.get(req.stream_id, 0)
            if req.after is not None and not _written(req.after, outcomes.get(index.get(id(req.after), -1))):
                outcomes[i] = StreamConflict(req.stream_id, req.expected_version, actual, unwritten_before=True)
                continue
            if actual != req.expected_version:
                outcomes[i] = StreamConflict(req.stream_id, req.expected_version, actual)
                continue
            m = req.meta
            for j, ev in enumerate(req.events):
                position += 1
                reason = req.reasons[j] if req.reasons is not None else m.reason
                previous = event_hash(previous, position, req.stream_id, ev.originator_version, ev.topic,
                                      ev.state, recorded_at, m.actor, m.role, m.team_id, reason,
                                      m.correlation_id, m.causation_id, m.source)
                row = shared.get((ev.topic, id(m), reason))
                if row is None:
                    metas.append((ev.topic, m.actor, m.role, m.team_id, reason, m.correlation_id, m.causation_id,
                                  m.source))
                    row = shared[ev.topic, id(m), reason] = len(metas)
                rows.append((position, req.stream_id, ev.originator_version, row, ev.state, previous))
            versions[req.stream_id] = actual + len(req.events)
            types[req.stream_id] = req.stream_type
            if key:
                used[key] = req.result
                new_keys.append((key, req.result, position))
            outcomes[i] = AppendResult(position=position)
        if not rows:
            return _Plan(outcomes, None, (head, head_hash))
        positions, streams, numbers, meta, data, hashes = (list(c) for c in zip(*rows, strict=True))
        sizes = list(map(len, data))
        starts = list(itertools.accumulate(sizes, initial=0))[:-1]
        meta_columns = [list(c) for c in zip(*metas, strict=True)]
        key_columns = [list(c) for c in zip(*new_keys, strict=True)] if new_keys else [[], [], []]
        written = list(types)
        return _Plan(outcomes, [positions, streams, numbers, meta, starts, recorded_at, *meta_columns, hashes, written,
                                list(types.values()), [versions[s] for s in written], *key_columns, position,
                                previous, CHANNEL, head, [assumed.get(s, 0) for s in written],
                                notice(position, head, meta_columns[0], sum(sizes)), sizes, b"".join(data)],
                     (position, previous))

    # -- reading --------------------------------------------------------------------------------------------
    async def read_stream(self, stream_id: str, *, after_version: int = 0,
                          until: datetime | None = None) -> list[RecordedEvent]:
        async with self.pool.acquire() as conn:
            rows = await conn.fetch(
                f"SELECT {COLUMNS} FROM events WHERE stream_id = $1 AND version > $2 "
                "AND ($3::timestamptz IS NULL OR recorded_at <= $3) ORDER BY version",
                stream_id, after_version, until)
        return [_recorded(r) for r in rows]

    async def read_log(self, after: int, limit: int, topics: list[str] | None = None,
                       conn: asyncpg.Connection | None = None, *, with_data: bool = True) -> list[RecordedEvent]:
        """Events after a position in order, at most `limit` (of these topics); without their data (b"") unless
        `with_data`."""
        sql = (f"SELECT {COLUMNS if with_data else ENVELOPES} FROM events WHERE position > $1 "
               "AND ($3::text[] IS NULL OR topic = ANY($3)) ORDER BY position LIMIT $2")
        if conn is not None:
            rows = await conn.fetch(sql, after, limit, topics)
        else:
            async with self.pool.acquire() as c:
                rows = await c.fetch(sql, after, limit, topics)
        return [_recorded(r) for r in rows]

    async def stream_type(self, stream_id: str) -> tuple[str, int] | None:
        async with self.pool.acquire() as conn:
            row = await conn.fetchrow("SELECT type, version FROM streams WHERE stream_id = $1", stream_id)
        return (row["type"], row["version"]) if row else None

    async def head(self) -> int:
        async with self.pool.acquire() as conn:
            return int(await conn.fetchval("SELECT position FROM event_log_head"))
