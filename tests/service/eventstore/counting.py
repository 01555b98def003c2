"""A projection for tests: records every position it is fed, so double or missed application shows."""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path

import asyncpg

from projections.base import ProjectedEvent


class CountingProjection:
    name = "counting"
    topics: tuple[str, ...] | None = None

    def __init__(self, delay: float = 0.0, stall_at: int | None = None, stalled: Path | None = None) -> None:
        self.delay = delay
        self.stall_at, self.stalled = stall_at, stalled

    def forget(self) -> None:
        pass

    async def clear(self, conn: asyncpg.Connection) -> None:
        await conn.execute("TRUNCATE counted")

    async def handle(self, conn: asyncpg.Connection, events: list[ProjectedEvent]) -> None:
        await conn.executemany("INSERT INTO counted (position) VALUES ($1)", [(e.position,) for e in events])
        if self.delay:
            await asyncio.sleep(self.delay)
        if self.stall_at is not None and any(e.position == self.stall_at for e in events):
            assert self.stalled is not None
            self.stalled.touch()  # tell the test, then hang inside the batch's transaction until killed
            await asyncio.Event().wait()


async def run_forever(url: str, stall_at: int, stalled: Path) -> None:
    from service.eventstore import EventCodec, EventStore
    from service.eventstore.database import create_pool
    from service.eventstore.notifications import Notifier
    from service.eventstore.projection_runner import ProjectionRunner

    pool = await create_pool(url, min_size=1, max_size=4)
    notifier = Notifier(url)
    await notifier.start()
    store = EventStore(pool)
    projection = CountingProjection(stall_at=stall_at, stalled=stalled)
    runner = ProjectionRunner(pool, store, EventCodec(), projection, notifier, batch_size=7)
    await runner.run()


if __name__ == "__main__":
    asyncio.run(run_forever(sys.argv[1], int(sys.argv[2]), Path(sys.argv[3])))
