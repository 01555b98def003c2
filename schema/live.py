"""Live updates' fan-out: per process, one notifier subscription per projection, one read per change shared by
every subscriber of what it changed, and a bounded queue per subscriber (a reader that falls behind is dropped)."""

from __future__ import annotations

import asyncio
import logging
import weakref
from collections import deque
from collections.abc import Awaitable, Callable
from typing import Any, Generic, TypeVar

import asyncpg

from service.eventstore.notifications import Change, FellBehind, Notifier, Subscription

log = logging.getLogger(__name__)
T = TypeVar("T")
# Updates one subscriber may have unread before it is dropped. Each update is a read-model state (not a delta), so
# a reader this far behind is better off re-subscribing than reading stale states one by one; the websocket's own
# send timeout catches a peer that stops reading, this catches one that reads slower than updates arrive.
QUEUE_LIMIT = 256
READ_ATTEMPTS = 3  # reads of a change before its watchers are told it failed
# What a change means for the watched keys: key -> the updates to hand that key's subscribers. `change` is None
# when anything may have changed (the notification named too much, or this feed fell behind the notifier). `seen`
# is the feed's memory, key -> the version last handed out (forgotten when nobody watches the key any more), so a
# resolve can leave out what did not move.
Resolve = Callable[[asyncpg.Pool, Change | None, frozenset[str], dict[str, int]], Awaitable[dict[str, list[Any]]]]


class Watcher(Generic[T]):
    """One subscriber's updates for one key, in order; bounded."""

    def __init__(self, feed: Feed[T], key: str) -> None:
        self.feed, self.key = feed, key
        self._items: deque[T] = deque()
        self._ready = asyncio.Event()
        self._failure: BaseException | None = None

    def offer(self, item: T) -> None:
        if self._failure is not None:
            return
        if len(self._items) >= QUEUE_LIMIT:  # never buffer without bound: the reader is told, then dropped
            self.fail(FellBehind(f"more than {QUEUE_LIMIT} updates were waiting to be read"))
            return
        self._items.append(item)
        self._ready.set()

    def fail(self, error: BaseException) -> None:
        self._items.clear()
        self._failure = error
        self._ready.set()

    async def next(self) -> T:
        while not self._items:
            if self._failure is not None:
                raise self._failure
            self._ready.clear()
            await self._ready.wait()
        return self._items.popleft()

    def close(self) -> None:
        self.feed.unwatch(self)

    def __enter__(self) -> Watcher[T]:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()


class Feed(Generic[T]):
    """One projection's changes, read once per change for everyone watching and handed to each watcher."""

    def __init__(self, notifier: Notifier, pool: asyncpg.Pool, projection: str, resolve: Resolve) -> None:
        self.notifier, self.pool, self.projection, self.resolve = notifier, pool, projection, resolve
        self.watchers: dict[str, set[Watcher[T]]] = {}
        self.seen: dict[str, int] = {}
        self._changes: Subscription | None = None
        self._pump: asyncio.Task[None] | None = None

    def watch(self, key: str, version: int | None = None) -> Watcher[T]:
        """Updates for `key` from now on: the notifier subscription is taken before this returns, so nothing
        committed after it is missed. `version`: what the subscriber already read, when the resolve compares."""
        watcher = Watcher(self, key)
        if version is not None:
            self.seen.setdefault(key, version)
        self.watchers.setdefault(key, set()).add(watcher)
        if self._changes is None:
            self._changes = self.notifier.subscribe(self.projection)
            self._pump = asyncio.create_task(self._run(self._changes), name=f"live:{self.projection}")
        return watcher

    def unwatch(self, watcher: Watcher[T]) -> None:
        same = self.watchers.get(watcher.key)
        if same is not None:
            same.discard(watcher)
            if not same:
                del self.watchers[watcher.key]
                self.seen.pop(watcher.key, None)
        if not self.watchers and self._changes is not None:  # nobody left: stop listening
            self._changes.close()
            self._changes = None
            if self._pump is not None:
                self._pump.cancel()
                self._pump = None

    async def _run(self, changes: Subscription) -> None:
        failures, retry = 0, False
        change: Change | None = None
        while True:
            if not retry:
                try:
                    change = await changes.next()
                except FellBehind:  # this feed read too slowly: re-read everything watched (states, not deltas)
                    change = None
            keys = frozenset(self.watchers)
            if not keys:
                retry = False
                continue
            try:
                updates = await self.resolve(self.pool, change, keys, self.seen)
            except asyncio.CancelledError:
                raise
            except Exception as e:
                failures += 1
                if failures < READ_ATTEMPTS:  # a passing fault (a connection refused): re-read everything soon
                    log.warning("live updates of %s: reading a change failed (%s); reading again", self.projection, e)
                    await asyncio.sleep(0.2 * failures)
                    change, retry = None, True
                    continue
                # Still failing: every watcher learns it (an error to its client), none is left waiting.
                log.exception("live updates of %s: reading a change failed %d times", self.projection, failures)
                for key in keys:
                    for watcher in tuple(self.watchers.get(key, ())):
                        watcher.fail(e)
                failures, retry = 0, False
                continue
            failures, retry = 0, False
            for key, items in updates.items():
                for watcher in tuple(self.watchers.get(key, ())):
                    for item in items:
                        watcher.offer(item)


# The feeds of each process, by its notifier: built on first use, so the composition root needs nothing new.
_FEEDS: weakref.WeakKeyDictionary[Notifier, dict[Resolve, Feed[Any]]] = weakref.WeakKeyDictionary()


def feed(notifier: Notifier, pool: asyncpg.Pool, projection: str, resolve: Resolve) -> Feed[Any]:
    """This process's feed of what `resolve` reads from `projection`'s changes (one per notifier)."""
    feeds = _FEEDS.setdefault(notifier, {})
    found = feeds.get(resolve)
    if found is None:
        found = feeds[resolve] = Feed(notifier, pool, projection, resolve)
    return found

