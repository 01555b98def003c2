"""What kind of stream an id names, for commands that refer to another aggregate (a measure's team, say)."""

from __future__ import annotations

from service.bootstrap import Services
from service.ids import valid_uuid


async def stream_is(services: Services, stream_id: str, kind: str) -> bool:
    if not valid_uuid(stream_id):
        return False
    found = await services.store.stream_type(stream_id)
    return found is not None and found[0] == kind
