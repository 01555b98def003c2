"""The event store's fixtures: a fresh log with its notifier, and a projection that counts what it is fed."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Awaitable, Callable

import asyncpg
import pytest

from service.eventstore import EventCodec, EventStore
from service.eventstore.database import create_pool, migrate
from service.eventstore.notifications import Notifier
from service.eventstore.projection_runner import ProjectionRunner
from tests.service.eventstore.counting import CountingProjection
from tests.service.eventstore.test_store import request


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

    def runner(self, projection: CountingProjection | None = None, batch: int = 7,
               idle_wait: float = 5.0) -> ProjectionRunner:
        return ProjectionRunner(self.pool, self.store, EventCodec(), projection or CountingProjection(),
                                self.notifier, batch_size=batch, idle_wait=idle_wait)


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
