"""What the control handlers share: finding the team a stream belongs to, and running a command on one aggregate
of a known type (load, one method, save with the expected version)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import date
from typing import Any, TypeVar

from domain.errors import NotFound
from service.bootstrap import Services
from service.clock import today
from service.ids import valid_uuid

T = TypeVar("T")


async def stream_origin(services: Services, stream_id: str) -> tuple[str, str | None] | None:
    """A stream's type and the team its first event was recorded for, or None if there is no such stream."""
    if not valid_uuid(stream_id):
        return None
    async with services.pool.acquire() as conn:
        row = await conn.fetchrow("SELECT s.type, e.team_id FROM streams s LEFT JOIN events e "
                                  "ON e.stream_id = s.stream_id AND e.version = 1 WHERE s.stream_id = $1", stream_id)
    return (row[0], row[1]) if row else None


async def require_team(services: Services, team_id: str) -> None:
    origin = await stream_origin(services, team_id)
    if origin is None or origin[0] != "Team":
        raise NotFound(f"No team has id {team_id}.", field="teamId")


async def on(services: Services, kind: type, stream_id: str, field: str, work: Callable[[Any], Awaitable[T]]) -> T:
    """Run a command on the aggregate of type `kind` (see Repository.update), or raise NotFound for `field`."""
    name = kind.__name__.lower()
    if not valid_uuid(stream_id):
        raise NotFound(f"No {name} has id {stream_id}.", field=field)

    async def checked(aggregate: Any) -> T:
        if not isinstance(aggregate, kind):
            raise NotFound(f"No {name} has id {stream_id}.", field=field)
        return await work(aggregate)

    return await services.repository.update(stream_id, checked)


def service_today(services: Services) -> date:
    """Today in the service's time zone: the day a command is decided on."""
    return today(services.settings.time_zone)
