"""One LISTEN connection per process: wakes projection runners on new events, read-your-writes waiters when a
projection commits a new position, and subscribers with what changed (which streams and teams), whichever
process wrote it.

A projection's notification is `name:position`, followed for a batch that changed something by a space and
`{"s": [stream ids], "t": [team ids]}` (a projection may name the streams it changed; by default they are the
streams of the events it applied). NOTIFY payloads are short (under 8,000 bytes), so a batch that changed more than
MAX_NAMED streams or teams says only `{"many": true}`: everything may have changed.

A commit to the log notifies `after before topics` (statements.notice). Every process keeps the recent ones, so a
projection's runner, and every process's waiters, know without a query that a projection which reads none of those
topics has nothing to apply there: `skippable` follows the chain of commits from a position while none concerns the
projection, and the positions of the projections the notifier follows move along it."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import asyncpg
import orjson

from service.eventstore.statements import CHANNEL as EVENTS_CHANNEL

log = logging.getLogger(__name__)
PROJECTIONS_CHANNEL = "qms_projections"
MAX_NAMED = 64        # streams, and teams, one notification names; beyond that it says "many"
QUEUE_LIMIT = 1000    # changes a subscriber may have unread before it is told it fell behind
RECENT_COMMITS = 4096  # commits whose topics are kept, to follow chains of commits of no interest
# A commit writing this much event data is bulk intake (a file, a backfill, a system catching up), whose writers
# the projections give way to (see ProjectionRunner). A feed's usual commit is a few kilobytes; a 1,000-observation
# JSON batch over 100 measures about 25 KiB; a 25,000-row CSV chunk over 100 measures about 480 KiB.
BULK_BYTES = 256 << 10


@dataclass(frozen=True, slots=True)
class Change:
    """What one projection batch changed: None for streams and teams means it may be anything (many)."""

    projection: str
    position: int
    streams: frozenset[str] | None
    teams: frozenset[str] | None

    def concerns(self, stream: str | None = None, team: str | None = None) -> bool:
        if stream is not None and self.streams is not None and stream not in self.streams:
            return False
        return team is None or self.teams is None or team in self.teams


class FellBehind(Exception):
    """A subscriber read too slowly and changes were dropped: it should re-read what it shows."""


def payload(name: str, position: int, streams: Iterable[str] = (), teams: Iterable[str] = ()) -> str:
    """The notification of a projection's new position, naming what changed (nothing named: nothing changed)."""
    named, team_set = set(streams), set(teams)
    if not named and not team_set:
        return f"{name}:{position}"
    if len(named) > MAX_NAMED or len(team_set) > MAX_NAMED:
        return f"{name}:{position} " + '{"many":true}'
    return f"{name}:{position} " + orjson.dumps({"s": sorted(named), "t": sorted(team_set)}).decode()


def parse(text: str) -> tuple[str, str, Change | None]:
    """(projection, position or "reset", what changed if said)."""
    head, _, detail = text.partition(" ")
    name, _, position = head.rpartition(":")
    if not detail or not position.isdigit():
        return name, position, None
    said = orjson.loads(detail)
    if said.get("many"):
        return name, position, Change(name, int(position), None, None)
    return name, position, Change(name, int(position), frozenset(said["s"]), frozenset(said["t"]))


def parse_commit(text: str) -> tuple[int, int | None, frozenset[str] | None, int | None]:
    """(head after, head before, the topics committed between, the bytes of event data written) of a commit's
    notification (statements.notice); None: not said."""
    after, _, rest = text.partition(" ")
    before, _, listed = rest.partition(" ")
    if not before.isdigit():
        return int(after), None, None, None
    topics, size = listed.split(",") if listed else [], None
    if topics and topics[-1].startswith("="):
        size = int(topics.pop()[1:])
    return int(after), int(before), frozenset(topics) if topics else None, size


class Subscription:
    """Changes to one projection's read model, in order, as they are committed anywhere."""

    def __init__(self, notifier: Notifier, projection: str) -> None:
        self.notifier, self.projection = notifier, projection
        self._queue: asyncio.Queue[Change | None] = asyncio.Queue(QUEUE_LIMIT)

    def offer(self, change: Change) -> None:
        try:
            self._queue.put_nowait(change)
        except asyncio.QueueFull:  # never buffer without bound: the reader learns it missed something
            self._queue = asyncio.Queue(QUEUE_LIMIT)
            self._queue.put_nowait(None)

    async def next(self) -> Change:
        change = await self._queue.get()
        if change is None:
            raise FellBehind(f"changes to {self.projection} came faster than they were read")
        return change

    def close(self) -> None:
        self.notifier.unsubscribe(self)

    def __enter__(self) -> Subscription:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()


class Notifier:
    def __init__(self, url: str, follows: Mapping[str, Iterable[str] | None] | None = None) -> None:
        """`follows`: the projections (name: the topics each reads; None: every topic) whose positions move on
        past commits of no interest to them as soon as those are heard."""
        self.url = url
        self.positions: dict[str, int] = {}
        self.generation = 0
        self.head = 0  # the log's head as the last commit heard left it
        self.bulk_heard = float("-inf")  # when a commit of bulk intake (BULK_BYTES or more) was last heard
        self.resets: dict[str, int] = {}  # rebuilds heard, per projection
        self._follows = {name: frozenset(t) for name, t in (follows or {}).items() if t is not None}
        self._commits: dict[int, tuple[int, frozenset[str] | None]] = {}  # head before -> (head after, topics)
        self._changed = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._conn: asyncpg.Connection | None = None
        self._subscribers: dict[str, set[Subscription]] = {}

    def subscribe(self, projection: str) -> Subscription:
        """Changes the named projection commits from now on (use as a context manager, or close())."""
        subscription = Subscription(self, projection)
        self._subscribers.setdefault(projection, set()).add(subscription)
        return subscription

    def unsubscribe(self, subscription: Subscription) -> None:
        self._subscribers.get(subscription.projection, set()).discard(subscription)

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

    def _on_event(self, _conn: object, _pid: int, _channel: str, text: str) -> None:
        after, before, topics, size = parse_commit(text)
        self.head = max(self.head, after)
        if size is not None and size >= BULK_BYTES:
            self.bulk_heard = time.monotonic()
        if before is not None:
            self._commits[before] = (after, topics)
            if len(self._commits) > RECENT_COMMITS:
                del self._commits[next(iter(self._commits))]  # the oldest heard
            for name, reads in self._follows.items():  # a projection never heard of has applied nothing: 0
                self.positions[name] = self.skippable(self.positions.get(name, 0), reads)
        self._wake()

    def skippable(self, position: int, reads: frozenset[str]) -> int:
        """How far a projection that has applied everything up to `position` and reads only the topics `reads`
        may move on with nothing to apply: along the commits heard from there, while none carries those topics."""
        while (commit := self._commits.get(position)) is not None:
            after, topics = commit
            if topics is None or not reads.isdisjoint(topics):
                break
            position = after
        return position

    def _on_projection(self, _conn: object, _pid: int, _channel: str, text: str) -> None:
        name, position, change = parse(text)
        if position == "reset":  # rebuilt: it replays from 0
            self.positions[name] = 0
            self.resets[name] = self.resets.get(name, 0) + 1
            self._wake()
            return
        self.record(name, int(position))
        if change is not None:
            for subscription in tuple(self._subscribers.get(name, ())):
                subscription.offer(change)

    def record(self, name: str, position: int) -> None:
        reads = self._follows.get(name)
        if reads is not None:  # and past the commits heard after it that it does not read
            position = self.skippable(position, reads)
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
        # Not asyncio.wait_for: on Python 3.11 it swallows a cancel that arrives in the same turn as the wake-up
        # (a notification), so a runner stopped just as it was woken ran on, and shutdown waited for its timeout.
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(timeout):
                await self._changed.wait()

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
