"""Measures by their codes (the planning projection's measure_codes): what FHIR intake matches on."""

from __future__ import annotations

from collections.abc import Iterable

import asyncpg


async def measures_by_code(pool: asyncpg.Pool, wanted: Iterable[tuple[str, str]]) -> dict[tuple[str, str], str]:
    """(system, code) -> measure id, for those of the pairs that identify a measure."""
    systems, codes = [], []
    for system, code in set(wanted):
        systems.append(system)
        codes.append(code)
    if not systems:
        return {}
    async with pool.acquire() as conn:
        rows = await conn.fetch("SELECT system, code, measure_id FROM measure_codes WHERE (system, code) IN "
                                "(SELECT * FROM unnest($1::text[], $2::text[]))", systems, codes)
    return {(r[0], r[1]): r[2] for r in rows}


async def measures_by_bare_code(pool: asyncpg.Pool, codes: Iterable[str]) -> dict[str, list[str]]:
    """code -> the measures with that code in any system (a MeasureReport names its measure by a canonical URL,
    whose last segment is a code without a system)."""
    wanted = sorted(set(codes))
    if not wanted:
        return {}
    async with pool.acquire() as conn:
        rows = await conn.fetch("SELECT code, measure_id FROM measure_codes WHERE code = ANY($1::text[])", wanted)
    found: dict[str, list[str]] = {}
    for r in rows:
        found.setdefault(r[0], []).append(r[1])
    return found


async def codes_of_measure(pool: asyncpg.Pool, measure_id: str) -> list[tuple[str, str]]:
    async with pool.acquire() as conn:
        rows = await conn.fetch("SELECT system, code FROM measure_codes WHERE measure_id = $1 ORDER BY system, code",
                                measure_id)
    return [(r[0], r[1]) for r in rows]
