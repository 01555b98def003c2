"""Feeds each projection the log in order. One runner per projection across all processes (advisory
lock); the read model and the tracking row change in one transaction, so each event takes effect once."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import zlib

import asyncpg

from projections.base import ProjectedEvent, Projection
from service.eventstore import EventCodec, EventStore
from service.notifications import PROJECTIONS_CHANNEL, Notifier

log = logging.getLogger(__name__)


def lock_key(name: str) -> int:
    return 0x716D7300000000 + zlib.crc32(name.encode())


class ProjectionRunner:
    def __init__(self, pool: asyncpg.Pool, store: EventStore, codec: EventCodec, projection: Projection,
                 notifier: Notifier, *, batch_size: int = 2000) -> None:
        self.pool, self.store, self.codec = pool, store, codec
        self.projection = projection
        self.notifier = notifier
        self.batch_size = batch_size
        self.name = projection.name
        self._task: asyncio.Task[None] | None = None

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
                while True:
                    seen = self.notifier.generation
                    if not await self.step():
                        await self.notifier.wait_changed(5.0, seen)
            finally:
                with contextlib.suppress(Exception):
                    await lock_conn.execute("SELECT pg_advisory_unlock($1)", lock_key(self.name))

    async def step(self) -> bool:
        """Apply one batch; True when more may be waiting."""
        async with self.pool.acquire() as conn, conn.transaction():
            await conn.execute("INSERT INTO projection_tracking (name) VALUES ($1) ON CONFLICT DO NOTHING",
                               self.name)
            position = await conn.fetchval(
                "SELECT position FROM projection_tracking WHERE name = $1 FOR UPDATE", self.name)
            head = await conn.fetchval("SELECT position FROM event_log_head")
            if head <= position:
                self.notifier.record(self.name, position)
                return False
            records = await self.store.read_log(position, self.batch_size, list(self.projection.topics)
                                                if self.projection.topics is not None else None, conn=conn)
            records = [r for r in records if r.position <= head]
            full = len(records) == self.batch_size
            if records:
                await self.projection.handle(conn, [
                    ProjectedEvent(r.position, r.stream_id, r.recorded_at, r.actor,
                                   self.codec.decode(r.stream_id, r.version, r.topic, r.data))
                    for r in records])
            new_position = records[-1].position if full else head
            await conn.execute("UPDATE projection_tracking SET position = $2 WHERE name = $1", self.name,
                               new_position)
            await conn.execute("SELECT pg_notify($1, $2)", PROJECTIONS_CHANNEL, f"{self.name}:{new_position}")
        self.notifier.record(self.name, new_position)
        return full


async def rebuild(pool: asyncpg.Pool, projection: Projection) -> None:
    """Empty the projection's tables and rewind it to 0, under its lock; the runner replays from there."""
    async with pool.acquire() as conn:
        await conn.execute("SELECT pg_advisory_lock($1)", lock_key(projection.name))
        try:
            async with conn.transaction():
                await projection.clear(conn)
                await conn.execute(
                    "INSERT INTO projection_tracking (name, position) VALUES ($1, 0) "
                    "ON CONFLICT (name) DO UPDATE SET position = 0", projection.name)
            projection.forget()
        finally:
            await conn.execute("SELECT pg_advisory_unlock($1)", lock_key(projection.name))
