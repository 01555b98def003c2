"""In-memory stand-ins for the handlers' collaborators, for unit tests about the domain's decision: a repository
that keeps aggregates and the events saved, and a store that knows each stream's type."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any, TypeVar

from eventsourcing.domain import Aggregate

from service.eventstore import AppendResult, EventMeta

T = TypeVar("T")


@dataclass
class FakeRepository:
    aggregates: dict[str, Aggregate] = field(default_factory=dict)
    saved: list[tuple[Any, EventMeta]] = field(default_factory=list)
    loads: list[str] = field(default_factory=list)  # the streams read outside a command, in order

    async def save(self, aggregate: Aggregate, meta: EventMeta, *, idempotency_key: str | None = None,
                   result: bytes | None = None) -> AppendResult:
        return self._keep(aggregate, meta)

    def _keep(self, aggregate: Aggregate, meta: EventMeta) -> AppendResult:
        self.saved += [(e, meta) for e in aggregate.collect_events()]
        self.aggregates[str(aggregate.id)] = aggregate
        return AppendResult(position=len(self.saved))

    async def load(self, stream_id: str, *, until: Any = None) -> Any:
        self.loads.append(stream_id)
        return self.aggregates.get(stream_id)

    @asynccontextmanager
    async def open(self, stream_id: str, *, refresh: bool = True) -> AsyncIterator[Any]:
        yield self.aggregates.get(stream_id)

    @asynccontextmanager
    async def open_many(self, stream_ids: Sequence[str]) -> AsyncIterator[dict[str, Any]]:
        yield {s: self.aggregates.get(s) for s in stream_ids}

    def submit_many(self, saves: Sequence[tuple[Aggregate, EventMeta, str | None, bytes]]) -> list[AppendResult]:
        return [self._keep(aggregate, meta) for aggregate, meta, _, _ in saves]

    @staticmethod
    async def settle(submitted: list[AppendResult]) -> list[AppendResult]:
        return submitted

    async def update(self, stream_id: str, work: Callable[[Any], Awaitable[T]], attempts: int = 3) -> T:
        return await work(self.aggregates.get(stream_id))


@dataclass
class FakeStore:
    repository: FakeRepository

    async def stream_type(self, stream_id: str) -> tuple[str, int] | None:
        aggregate = self.repository.aggregates.get(stream_id)
        return None if aggregate is None else (type(aggregate).__name__, aggregate.version)


@dataclass
class FakeServices:
    repository: FakeRepository = field(default_factory=FakeRepository)

    @property
    def store(self) -> FakeStore:
        return FakeStore(self.repository)

    def events(self) -> list[str]:
        return [type(e).__qualname__ for e, _ in self.repository.saved]
