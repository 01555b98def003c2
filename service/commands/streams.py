"""What kind of stream an id names, for commands that refer to another aggregate (a measure's team, say)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from service.bootstrap import Services
from service.ids import valid_uuid


async def stream_is(services: Services, stream_id: str, kind: str) -> bool:
    if not valid_uuid(stream_id):
        return False
    found = await services.store.stream_type(stream_id)
    return found is not None and found[0] == kind


_NEVER = datetime(9999, 1, 1, tzinfo=UTC)


async def current(services: Services, stream_id: str) -> Any:
    """The aggregate as it stands now, under its stream's lock: the repository's cached copy is brought up to date
    by one command at a time, so two concurrent reads never apply the same events to it twice."""
    async with services.repository.open(stream_id) as aggregate:
        return aggregate


async def fresh(services: Services, stream_id: str) -> Any:
    """The aggregate read whole from the log, apart from the cache and without its lock (for small streams read
    while another stream's lock is held, where taking a second lock could deadlock)."""
    return await services.repository.load(stream_id, until=_NEVER)
