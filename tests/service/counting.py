"""A projection for tests: records every position it is fed, so double or missed application shows."""

from __future__ import annotations

import asyncio
import sys

import asyncpg

from projections.base import ProjectedEvent


class CountingProjection:
    name = "counting"
    topics: tuple[str, ...] | None = None

    def __init__(self, delay: float = 0.0) -> None:
        self.delay = delay

    def forget(self) -> None:
        pass

    async def clear(self, conn: asyncpg.Connection) -> None:
        await conn.execute("TRUNCATE counted")

    async def handle(self, conn: asyncpg.Connection, events: list[ProjectedEvent]) -> None:
        await conn.executemany("INSERT INTO counted (position) VALUES ($1)", [(e.position,) for e in events])
        if self.delay:
            await asyncio.sleep(self.delay)  # widen the window in which a kill lands mid-batch


async def run_forever(url: str) -> None:
    from service.eventstore import EventCodec, EventStore
    from service.eventstore.database import create_pool
    from service.eventstore.notifications import Notifier
    from service.eventstore.projection_runner import ProjectionRunner

    pool = await create_pool(url, min_size=1, max_size=4)
    notifier = Notifier(url)
    await notifier.start()
    store = EventStore(pool)
    runner = ProjectionRunner(pool, store, EventCodec(), CountingProjection(delay=0.05), notifier, batch_size=7)
    await runner.run()


if __name__ == "__main__":
    asyncio.run(run_forever(sys.argv[1]))
