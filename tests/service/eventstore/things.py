"""A minimal aggregate whose events the store tests append."""

from __future__ import annotations

from eventsourcing.domain import Aggregate, event


class Thing(Aggregate):
    @event("Happened")
    def happen(self, n: int) -> None:
        self.n = n

    @event("Vanished")
    def vanish(self) -> None:
        self.n = 0
