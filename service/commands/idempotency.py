"""Idempotency keys: the first results of keys already used, and a bulk request's key for each measure's part."""

from __future__ import annotations

import contextlib
from collections.abc import Iterable

from domain.errors import DomainError
from service.bootstrap import Services
from service.commands.context import CommandContext


async def first_results(services: Services, keys: list[str]) -> dict[str, bytes]:
    """The first results of the (scoped) idempotency keys already used, in one round trip."""
    async with services.pool.acquire() as conn:
        return dict(await conn.fetch(_FIRST_RESULTS, keys))


# Each key looked up on its own by the primary key (a LATERAL subquery with a LIMIT is never flattened into a join),
# whatever the table's statistics say: a young table's estimates could make `= ANY(...)` read every key.
_FIRST_RESULTS = ("SELECT n, r FROM unnest($1::text[]) AS n CROSS JOIN LATERAL "
                  "(SELECT result FROM idempotency_keys WHERE key = n LIMIT 1) AS k(r)")


async def used_part_keys(services: Services, ctx: CommandContext, idempotency_key: str | None,
                          measure_ids: Iterable[str]) -> dict[str, bytes] | None:
    """A bulk request's key names one part per measure (`key/measureId`); those already used, looked up at once."""
    if idempotency_key is None:
        return None
    keys: list[str | None] = []
    for measure_id in measure_ids:
        with contextlib.suppress(DomainError):  # a key no part can have: that part answers with the error
            keys.append(ctx.scoped_key(part_key(idempotency_key, measure_id)))
    return await first_results(services, [k for k in keys if k is not None])


def part_key(idempotency_key: str | None, measure_id: str) -> str | None:
    """A bulk request's key for its part for one measure."""
    return None if idempotency_key is None else f"{idempotency_key}/{measure_id}"


async def remember(services: Services, key: str, result: bytes, position: int) -> None:
    """Keep a request's answer under its (scoped) key, unless a concurrent request with the key kept one first."""
    async with services.pool.acquire() as conn:
        await conn.execute("INSERT INTO idempotency_keys (key, result, position) VALUES ($1, $2, $3) "
                           "ON CONFLICT (key) DO NOTHING", key, result, position)
