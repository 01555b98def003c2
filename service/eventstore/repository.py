"""Load and save aggregates through the event store, with a per-process cache and per-stream lock.

Commands run through `update`, which trusts the cached copy first: saving with the expected version catches a
write made meanwhile by another process (a conflict), and a command that saved nothing confirms the stream's
version; either way the command then runs again on fresh state. So the usual command costs no read at all.

Bulk intake decides many streams at once (`open_many`) and queues their saves before it lets the streams go
(`submit_many`), then waits for the commit (`settle`): the next decision on one of those streams builds on events
not committed yet. Such a decision's append names the one it was decided on top of (AppendRequest.after), and is
written only if that one was; a copy holding events not yet committed is never shared with readers, nor brought
up to date in place."""

from __future__ import annotations

import asyncio
import functools
import weakref
from collections import OrderedDict
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from contextlib import asynccontextmanager
from datetime import datetime
from typing import Any, NamedTuple, TypeVar

from eventsourcing.domain import Aggregate

from domain.errors import Conflict
from service.eventstore import AppendRequest, AppendResult, EventCodec, EventMeta, EventStore, StreamConflict
from service.eventstore.store import result_of, results_of
from service.tracing import span

A = TypeVar("A", bound=Aggregate)
T = TypeVar("T")


class Submitted(NamedTuple):
    """A save queued by `submit_many`, waiting to be settled."""

    aggregate: Aggregate
    stream_id: str
    future: asyncio.Future[AppendResult]


class Repository:
    def __init__(self, store: EventStore, codec: EventCodec, *, cache_size: int = 20_000) -> None:
        self.store = store
        self.codec = codec
        self.cache_size = cache_size
        self._cache: OrderedDict[str, Aggregate] = OrderedDict()
        self._locks: weakref.WeakValueDictionary[str, asyncio.Lock] = weakref.WeakValueDictionary()
        # per stream, the cached copy whose latest events are queued but not yet committed, and their append
        self._unconfirmed: dict[str, tuple[Aggregate, asyncio.Future[AppendResult]]] = {}

    async def load(self, stream_id: str, *, until: datetime | None = None) -> Any:
        """The aggregate as it stands now (or as it stood at `until`), or None if the stream is empty, for reading
        only. Safe without the stream's lock: a cached copy is shared only while it is current and holds no
        decision in progress; otherwise the stream is read whole into a copy of the caller's own, so that two
        readers (or a reader and a command) never apply the same events to one object."""
        cached = self._cache.get(stream_id) if until is None else None
        if cached is None or cached.pending_events or stream_id in self._unconfirmed:
            aggregate = await self._read(stream_id, None, until)
            if until is None and aggregate is not None and stream_id not in self._cache:
                self._remember(stream_id, aggregate)  # only ever caught up in place under the lock, from now on
            return aggregate
        records = await self.store.read_stream(stream_id, after_version=cached.version)
        return cached if not records else await self._read(stream_id, None, None)

    async def _read(self, stream_id: str, base: Any, until: datetime | None) -> Any:
        records = await self.store.read_stream(stream_id, after_version=base.version if base else 0, until=until)
        aggregate: Any = base
        for r in records:
            aggregate = self.codec.decode(r.stream_id, r.version, r.topic, r.data).mutate(aggregate)
        return aggregate

    async def _catch_up(self, stream_id: str) -> Any:
        """Under the stream's lock: the cached copy brought up to date in place (or the stream read whole, when
        there is none or it holds events not committed yet)."""
        base = None if stream_id in self._unconfirmed else self._cache.get(stream_id)
        aggregate = await self._read(stream_id, base, None)
        if aggregate is not None:
            self._remember(stream_id, aggregate)
        return aggregate

    async def update(self, stream_id: str, work: Callable[[Any], Awaitable[T]], attempts: int = 3) -> T:
        """Run a command's `work` (decide and save) on the aggregate, retrying on fresh state as described above."""
        with span("command", stream=stream_id):
            return await self._update(stream_id, work, attempts)

    async def _update(self, stream_id: str, work: Callable[[Any], Awaitable[T]], attempts: int) -> T:
        for attempt in range(attempts):
            fresh = attempt > 0 or stream_id not in self._cache
            try:
                async with self.open(stream_id, refresh=fresh) as aggregate:
                    version = aggregate.version if aggregate is not None else 0
                    answer = await work(aggregate)
                    saved = aggregate is not None and aggregate.version != version
                    if fresh or saved or await self._still_at(stream_id, version):
                        return answer
            except Conflict:
                if attempt == attempts - 1:
                    raise
            self._cache.pop(stream_id, None)
        raise Conflict(f"Stream {stream_id} kept changing while this command ran; retry it.")

    async def _still_at(self, stream_id: str, version: int) -> bool:
        found = await self.store.stream_type(stream_id)
        return (found[1] if found else 0) == version

    @asynccontextmanager
    async def open(self, stream_id: str, *, refresh: bool = True) -> AsyncIterator[Any]:
        """Hold the stream's lock in this process while a command loads, decides and saves it; without
        `refresh`, a cached copy is used as it is."""
        async with self._lock(stream_id):
            cached = None if refresh else self._cache.get(stream_id)
            aggregate = cached if cached is not None else await self._catch_up(stream_id)
            try:
                yield aggregate
            except BaseException:
                self._cache.pop(stream_id, None)
                raise
            if aggregate is not None and aggregate.pending_events:
                self._cache.pop(stream_id, None)  # decided but not saved: the cached copy is ahead of the log

    def _lock(self, stream_id: str) -> asyncio.Lock:
        lock = self._locks.get(stream_id)
        if lock is None:
            lock = self._locks[stream_id] = asyncio.Lock()
        return lock

    @asynccontextmanager
    async def open_many(self, stream_ids: Sequence[str]) -> AsyncIterator[dict[str, Any]]:
        """`open` for several streams at once, without `refresh`: every stream's lock held (taken in sorted order, so
        that two commands holding several never wait for each other), each aggregate as cached, the streams not
        cached read first. A save with the expected version still catches what another process wrote meanwhile."""
        ordered = sorted(set(stream_ids))
        locks = []
        try:
            for stream_id in ordered:
                lock = self._lock(stream_id)
                await lock.acquire()
                locks.append(lock)
            aggregates = {s: self._cache.get(s) for s in ordered}
            missing = [s for s, aggregate in aggregates.items() if aggregate is None]
            for stream_id, aggregate in zip(missing, await asyncio.gather(*map(self._catch_up, missing)),
                                            strict=True):
                aggregates[stream_id] = aggregate
            try:
                yield aggregates
            except BaseException:
                for stream_id in ordered:
                    self._cache.pop(stream_id, None)
                raise
            for stream_id, aggregate in aggregates.items():
                if aggregate is not None and aggregate.pending_events:
                    self._cache.pop(stream_id, None)  # decided but not saved: the cached copy is ahead of the log
        finally:
            for lock in locks:
                lock.release()

    def submit_many(self, saves: Sequence[tuple[Aggregate, EventMeta, str | None, bytes]]) -> list[Submitted]:
        """Queue the saves of aggregates decided under `open_many` (each with its meta, idempotency key and
        result), in order, so that they share a group commit; `settle` waits for them once the streams are let go.
        The cache learns each outcome as it comes, whether or not anyone waits for it."""
        submitted = []
        for aggregate, meta, key, result in saves:
            request = self._request(aggregate, meta, key, result, None)
            future = self.store.submit(request)
            self._unconfirmed[request.stream_id] = (aggregate, future)
            future.add_done_callback(functools.partial(self._settled, aggregate, request.stream_id))
            submitted.append(Submitted(aggregate, request.stream_id, future))
        return submitted

    def _settled(self, aggregate: Aggregate, stream_id: str, future: asyncio.Future[AppendResult]) -> None:
        if (last := self._unconfirmed.get(stream_id)) is not None and last[1] is future:
            del self._unconfirmed[stream_id]
        outcome = result_of(future)
        if not isinstance(outcome, AppendResult) or outcome.replayed is not None:
            self._cache.pop(stream_id, None)  # its events were not written (nor what was decided on top of them)
        elif self._cache.get(stream_id) is aggregate:
            self._cache.move_to_end(stream_id)

    @staticmethod
    async def settle(submitted: Sequence[Submitted]) -> list[AppendResult | Exception]:
        """Each submitted save's outcome once committed: its AppendResult, or the Conflict or error that was its
        alone."""
        return [Conflict(str(outcome)) if isinstance(outcome, StreamConflict) else outcome
                for outcome in await results_of([s.future for s in submitted])]

    def _request(self, aggregate: Aggregate, meta: EventMeta, key: str | None, result: bytes,
                 reasons: list[str | None] | None) -> AppendRequest:
        events = aggregate.collect_events()
        stream_id = str(aggregate.id)
        last = self._unconfirmed.get(stream_id)
        return AppendRequest(
            stream_id=stream_id, stream_type=type(aggregate).__name__,
            expected_version=aggregate.version - len(events),
            events=[self.codec.encode(e) for e in events], meta=meta,
            idempotency_key=key, result=result, reasons=reasons,
            after=last[1] if last is not None and last[0] is aggregate else None)

    async def save(self, aggregate: Aggregate, meta: EventMeta, *, idempotency_key: str | None = None,
                   result: bytes = b"{}", reasons: list[str | None] | None = None) -> AppendResult:
        request = self._request(aggregate, meta, idempotency_key, result, reasons)
        stream_id = request.stream_id
        try:
            outcome = await self.store.append(request)
        except StreamConflict as e:
            self._cache.pop(stream_id, None)
            raise Conflict(str(e)) from e
        except BaseException:
            self._cache.pop(stream_id, None)
            raise
        if outcome.replayed is not None:
            self._cache.pop(stream_id, None)
        else:
            self._remember(stream_id, aggregate)
        return outcome

    def _remember(self, stream_id: str, aggregate: Aggregate) -> None:
        self._cache[stream_id] = aggregate
        self._cache.move_to_end(stream_id)
        while len(self._cache) > self.cache_size:
            self._cache.popitem(last=False)
