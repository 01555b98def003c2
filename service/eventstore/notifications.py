"""One LISTEN connection per process: wakes projection runners on new events and read-your-writes
waiters when a projection commits a new position."""

from __future__ import annotations

import asyncio
import contextlib
import logging

import asyncpg

from service.eventstore.store import CHANNEL as EVENTS_CHANNEL

log = logging.getLogger(__name__)
PROJECTIONS_CHANNEL = "qms_projections"


class Notifier:
    def __init__(self, url: str) -> None:
        self.url = url
        self.positions: dict[str, int] = {}
        self.generation = 0
        self._changed = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._conn: asyncpg.Connection | None = None

    async def start(self) -> None:
        await self._connect()
        self._task = asyncio.create_task(self._watch(), name="notifier")

    async def stop(self) -> None:
        if self._task:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        if self._conn is not None and not self._conn.is_closed():
            await self._conn.close()

    async def _connect(self) -> None:
        self._conn = await asyncpg.connect(self.url)
        await self._conn.add_listener(EVENTS_CHANNEL, self._on_event)
        await self._conn.add_listener(PROJECTIONS_CHANNEL, self._on_projection)
        self._wake()  # anything committed while we were not listening is found by the woken readers

    async def _watch(self) -> None:
        """Reconnect when the listening connection drops."""
        while True:
            await asyncio.sleep(1.0)
            if self._conn is None or self._conn.is_closed():
                try:
                    await self._connect()
                except (OSError, asyncpg.PostgresError) as e:
                    log.warning("notifier reconnect failed: %s", e)

    def _on_event(self, _conn: object, _pid: int, _channel: str, _payload: str) -> None:
        self._wake()

    def _on_projection(self, _conn: object, _pid: int, _channel: str, payload: str) -> None:
        name, _, position = payload.rpartition(":")
        if position == "reset":  # rebuilt: it replays from 0
            self.positions[name] = 0
            self._wake()
        else:
            self.record(name, int(position))

    def record(self, name: str, position: int) -> None:
        if position > self.positions.get(name, -1):
            self.positions[name] = position
            self._wake()

    def _wake(self) -> None:
        self.generation += 1
        changed, self._changed = self._changed, asyncio.Event()
        changed.set()

    async def wait_changed(self, timeout: float, seen: int | None = None) -> None:
        """Wait for a change after generation `seen` (or after now), at most `timeout` seconds."""
        if seen is not None and seen != self.generation:
            return
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._changed.wait(), timeout)

    async def wait_for(self, names: tuple[str, ...], position: int, timeout: float) -> bool:
        """Wait until every named projection has reached `position`; False on timeout."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            seen = self.generation
            if all(self.positions.get(n, 0) >= position for n in names):
                return True
            left = deadline - loop.time()
            if left <= 0:
                return False
            await self.wait_changed(min(left, 0.5), seen)
