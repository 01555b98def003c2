"""What the assurance handlers share: the clock, a team check, and running a command on an existing aggregate."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Any, TypeVar

from eventsourcing.domain import Aggregate

from domain.errors import InvalidInput, NotFound
from service.bootstrap import Services
from service.commands.context import CommandContext
from service.commands.streams import stream_is
from service.ids import valid_uuid

A = TypeVar("A", bound=Aggregate)


def now() -> str:
    return datetime.now(UTC).isoformat()


async def require_team(services: Services, team_id: str, field: str = "teamId") -> None:
    if not await stream_is(services, team_id, "Team"):
        raise InvalidInput(f"No team has id {team_id}.", field=field, code="NOT_FOUND")


async def load_as(services: Services, stream_id: str, kind: type[A], field: str) -> A:
    """An existing aggregate of `kind` read for a rule (not changed), or INVALID with code NOT_FOUND."""
    found = await services.repository.load(stream_id) if valid_uuid(stream_id) else None
    if not isinstance(found, kind):
        raise InvalidInput(f"No {kind.__name__.lower()} has id {stream_id}.", field=field, code="NOT_FOUND")
    return found


async def on(services: Services, ctx: CommandContext, stream_id: str, kind: type[A], field: str,
             decide: Callable[[A], Awaitable[None] | None], reason: str | None = None) -> int:
    """Load the aggregate of `kind` (NotFound otherwise), let `decide` authorize and call one method, save it
    with its expected version; return the position written."""
    what = kind.__name__.lower()
    if not valid_uuid(stream_id):
        raise NotFound(f"No {what} has id {stream_id}.", field=field)

    async def work(aggregate: Any) -> int:
        if not isinstance(aggregate, kind):
            raise NotFound(f"No {what} has id {stream_id}.", field=field)
        decided = decide(aggregate)
        if decided is not None:
            await decided
        meta = ctx.meta(team_id=aggregate.team_id, reason=reason)  # type: ignore[attr-defined]
        saved = await services.repository.save(aggregate, meta)
        return saved.position

    return int(await services.repository.update(stream_id, work))
