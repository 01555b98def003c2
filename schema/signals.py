"""Signals: the Signal type, the signals of a team (or of every readable team), acknowledging one, and the
signalRaised subscription. Signals are raised by the service itself (projections/signals), never by a mutation."""

from __future__ import annotations

from collections.abc import AsyncGenerator
from datetime import UTC, date, datetime
from typing import TYPE_CHECKING, Annotated

import asyncpg
import strawberry
from strawberry.types import Info

from domain.control.signal import SignalKind, SignalStatus
from domain.control.vocabulary import SpcRule
from domain.errors import DomainError, Forbidden, NotFound
from projections.signals.projection import SignalProjection
from schema.actions import Action, person
from schema.context import Context
from schema.errors import UserError, user_error
from schema.huddles import actions_for
from schema.live import feed
from schema.loaders import loader
from schema.teams import Team, load_team
from service.auth.permissions import allowed
from service.clock import now
from service.commands import signals as commands
from service.eventstore.notifications import Change
from service.reads.signals import SignalView, signals_by_id, signals_of, signals_raised_since

if TYPE_CHECKING:
    from schema.measures import Measure

LazyMeasure = Annotated["Measure", strawberry.lazy("schema.measures")]
strawberry.enum(SignalKind, name="SignalKind")
strawberry.enum(SignalStatus, name="SignalStatus")


@strawberry.type
class Signal:
    id: strawberry.ID
    period: date = strawberry.field(description="The point that raised it.")
    kind: SignalKind
    rules: list[SpcRule]
    raised_at: datetime
    status: SignalStatus
    note: str | None = strawberry.field(description="The acknowledgement's note.")
    basis: str = strawberry.field(description="VARIATION (a special cause) or ASSURANCE (the assurance icon "
                                              "turned).")
    detail: str = strawberry.field(description="What turned, in words.")
    acknowledged_at: datetime | None
    acknowledged_by: str | None
    action_id: strawberry.ID | None = strawberry.field(description="The first action agreed on it (which counts "
                                                                   "as attending to it).")
    team_id: strawberry.Private[str]
    measure_id: strawberry.Private[str]

    @classmethod
    def of(cls, ctx: Context, v: SignalView) -> Signal:
        return cls(id=strawberry.ID(v.id), period=v.period, kind=SignalKind(v.kind),
                   rules=[SpcRule(r) for r in v.rules], raised_at=v.raised_at, status=SignalStatus(v.status),
                   note=v.note, basis=v.basis, detail=v.detail, acknowledged_at=v.acknowledged_at,
                   acknowledged_by=person(ctx, v.team_id, v.acknowledged_by) if v.acknowledged_by else None,
                   action_id=strawberry.ID(v.action_id) if v.action_id else None, team_id=v.team_id,
                   measure_id=v.measure_id)

    @strawberry.field
    async def measure(self, info: Info[Context, None]) -> LazyMeasure:
        from schema.measures import Measure  # the two types refer to each other

        view = await info.context.measures.load(self.measure_id)
        if view is None:
            raise NotFound(f"No measure has id {self.measure_id}.", field="measure")
        return Measure.from_view(view)

    @strawberry.field
    async def team(self, info: Info[Context, None]) -> Team:
        return await load_team(info.context, self.team_id) or Team(id=strawberry.ID(self.team_id), name="")

    @strawberry.field(description="The actions agreed for this signal (actions whose source it is).")
    async def actions(self, info: Info[Context, None]) -> list[Action]:
        return await actions_for(info.context, [str(self.id)])


def _latest(views: list[SignalView]) -> int | None:
    return max((v.position for v in views), default=None)


async def team_signals(ctx: Context, team_id: str, open_only: bool | None) -> list[Signal]:
    """Team.signals: newest first; [] for a caller who may not read the team's signals."""
    views = await signals_of(ctx.services.pool, ctx.principal, team_id, open_only)
    ctx.depend(f"signals_of:{team_id}", _latest(views))
    return [Signal.of(ctx, v) for v in views]


async def load_signal(ctx: Context, signal_id: str) -> Signal | None:
    view = await loader(ctx, signals_by_id).load(signal_id)
    if view is None or not ctx.can("signal.read", view.team_id):
        return None
    return Signal.of(ctx, view)


@strawberry.input
class AcknowledgeSignalInput:
    signal_id: strawberry.ID
    note: str


@strawberry.type
class SignalPayload:
    signal_id: strawberry.Private[str | None]
    position: strawberry.Private[int]
    errors: list[UserError]

    @strawberry.field
    async def signal(self, info: Info[Context, None]) -> Signal | None:
        """Read-your-writes: the signal once the signals read model includes this command."""
        if self.signal_id is None:
            return None
        await info.context.services.wait_for_projections(self.position, (SignalProjection.name,))
        loader(info.context, signals_by_id).clear_all()
        return await load_signal(info.context, self.signal_id)


@strawberry.type
class SignalQueries:
    @strawberry.field(description="Signals newest first, of one team or of every team the caller may read. open: "
                                  "true = OPEN only, false = ACKNOWLEDGED only, null = all.")
    async def signals(self, info: Info[Context, None], team_id: strawberry.ID | None = None,
                      open: bool | None = True) -> list[Signal]:
        ctx = info.context
        if team_id is not None:
            return await team_signals(ctx, str(team_id), open)
        ctx.uncacheable()  # every readable team: no one row version covers teams that gain their first signal
        views = await signals_of(ctx.services.pool, ctx.principal, None, open)
        return [Signal.of(ctx, v) for v in views]

    @strawberry.field
    async def signal(self, info: Info[Context, None], id: strawberry.ID) -> Signal | None:
        info.context.uncacheable()
        return await load_signal(info.context, str(id))


@strawberry.type
class SignalMutations:
    @strawberry.mutation(description="Acknowledge a signal with a note (team leaders and senior clinicians); a "
                                     "second acknowledgement: INVALID_STATE.")
    async def acknowledge_signal(self, info: Info[Context, None], input: AcknowledgeSignalInput) -> SignalPayload:
        ctx = info.context
        try:
            signal_id, position = await commands.acknowledge_signal(ctx.services, ctx.command(), str(input.signal_id),
                                                                    input.note)
        except DomainError as e:
            return SignalPayload(signal_id=None, position=0, errors=[user_error(e)])
        return SignalPayload(signal_id=signal_id, position=ctx.wrote(position), errors=[])


ALL_TEAMS = "*"  # the feed's key for subscribers to every team they may read


def _micros(t: datetime) -> int:
    return int(t.timestamp() * 1_000_000)


async def raised_signals(pool: asyncpg.Pool, change: Change | None, watched: frozenset[str],
                         since: dict[str, int]) -> dict[str, list[SignalView]]:
    """The signals a change raised or touched in the watched teams (ALL_TEAMS: in any), oldest first: one read for
    every subscriber in this process. `since` holds, per key, the instant (microseconds) its earliest subscriber
    began: a change that names too much re-reads what was raised since then. Each subscriber keeps only what is
    new to it and what it may read."""
    teams = None if ALL_TEAMS in watched else sorted(watched)
    if change is None or change.streams is None:
        begun = datetime.fromtimestamp(min(since.get(k, 0) for k in watched) / 1_000_000, UTC)
        views = await signals_raised_since(pool, teams, begun)
    elif change.streams and (teams is None or change.teams is None or not change.teams.isdisjoint(watched)):
        found = await signals_by_id(pool, sorted(change.streams))
        views = sorted(found.values(), key=lambda v: (v.raised_at, v.id))
    else:
        return {}
    out: dict[str, list[SignalView]] = {}
    for v in views:
        for key in (v.team_id, ALL_TEAMS):
            if key in watched:
                out.setdefault(key, []).append(v)
    return out


async def signals_raised(ctx: Context, team_id: str | None) -> AsyncGenerator[Signal, None]:
    """Each signal raised from now on, once, in the teams the caller may read (one team, or all)."""
    ctx.uncacheable()
    if team_id is not None and not allowed(ctx.principal, "signal.read", team_id):
        raise Forbidden("Not allowed: the caller may not read this team's signals.")
    since, seen = now(), set[str]()
    services = ctx.services
    # Listening starts in the same step as `since` is taken, so nothing raised after `since` is missed.
    watch = feed(services.notifier, services.pool, SignalProjection.name, raised_signals)
    with watch.watch(team_id or ALL_TEAMS, _micros(since)) as updates:
        while True:
            v = await updates.next()
            # An older signal acknowledged now is named by the change too: only what was raised since counts.
            if v.id in seen or v.raised_at < since or not ctx.can("signal.read", v.team_id):
                continue
            seen.add(v.id)
            yield Signal.of(ctx, v)
