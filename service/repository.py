"""Load and save aggregates through the event store, with a per-process cache and per-stream lock.

The cache never decides anything on its own: every load reads the events appended since the cached
version, so a write from another process is always seen; the stream's expected version guards the rest."""

from __future__ import annotations

import asyncio
import weakref
from collections import OrderedDict
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import datetime
from typing import Any, TypeVar

from eventsourcing.domain import Aggregate

from domain.errors import Conflict
from service.eventstore import AppendRequest, AppendResult, EventCodec, EventMeta, EventStore, StreamConflict

A = TypeVar("A", bound=Aggregate)


class Repository:
    def __init__(self, store: EventStore, codec: EventCodec, *, cache_size: int = 20_000) -> None:
        self.store = store
        self.codec = codec
        self.cache_size = cache_size
        self._cache: OrderedDict[str, Aggregate] = OrderedDict()
        self._locks: weakref.WeakValueDictionary[str, asyncio.Lock] = weakref.WeakValueDictionary()

    async def load(self, stream_id: str, *, until: datetime | None = None) -> Any:
        """The aggregate as it stands now (or as it stood at `until`), or None if the stream is empty."""
        cached = self._cache.get(stream_id) if until is None else None
        records = await self.store.read_stream(stream_id, after_version=cached.version if cached else 0,
                                               until=until)
        aggregate: Any = cached
        for r in records:
            aggregate = self.codec.decode(r.stream_id, r.version, r.topic, r.data).mutate(aggregate)
        if until is None and aggregate is not None:
            self._remember(stream_id, aggregate)
        return aggregate

    @asynccontextmanager
    async def open(self, stream_id: str) -> AsyncIterator[Any]:
        """Hold the stream's lock in this process while a command loads, decides and saves it."""
        lock = self._locks.get(stream_id)
        if lock is None:
            lock = self._locks[stream_id] = asyncio.Lock()
        async with lock:
            aggregate = await self.load(stream_id)
            try:
                yield aggregate
            except BaseException:
                self._cache.pop(stream_id, None)
                raise
            if aggregate is not None and aggregate.pending_events:
                self._cache.pop(stream_id, None)  # decided but not saved: the cached copy is ahead of the log

    async def save(self, aggregate: Aggregate, meta: EventMeta, *, idempotency_key: str | None = None,
                   result: bytes = b"{}", reasons: list[str | None] | None = None) -> AppendResult:
        events = aggregate.collect_events()
        stream_id = str(aggregate.id)
        request = AppendRequest(
            stream_id=stream_id, stream_type=type(aggregate).__name__,
            expected_version=aggregate.version - len(events),
            events=[self.codec.encode(e) for e in events], meta=meta,
            idempotency_key=idempotency_key, result=result, reasons=reasons)
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
