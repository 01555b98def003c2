"""Measures by their codes (the planning projection's measure_codes, with the catalogue's chart settings): what
FHIR intake matches on."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import asyncpg


@dataclass(frozen=True, slots=True)
class CodedMeasure:
    measure_id: str
    team_id: str
    chart_type: str
    frequency: str


_SELECT = ("SELECT c.system, c.code, m.measure_id, m.team_id, m.chart_type, m.frequency FROM measure_codes c "
           "JOIN measures m USING (measure_id) ")


async def coded_measures(pool: asyncpg.Pool, pairs: Iterable[tuple[str, str]], bare_codes: Iterable[str] = ()
                         ) -> tuple[dict[tuple[str, str], CodedMeasure], dict[str, list[CodedMeasure]]]:
    """(system, code) -> its measure, for the pairs that identify one; and code -> the measures having that code
    in any system, for the bare codes (a MeasureReport may name its measure by a canonical URL only). One round
    trip."""
    wanted = sorted(set(pairs))
    bare = sorted(set(bare_codes))
    by_pair: dict[tuple[str, str], CodedMeasure] = {}
    by_code: dict[str, list[CodedMeasure]] = {}
    if not wanted and not bare:
        return by_pair, by_code
    async with pool.acquire() as conn:
        rows = await conn.fetch(
            f"{_SELECT} WHERE (c.system, c.code) IN (SELECT * FROM unnest($1::text[], $2::text[])) "
            f"UNION ALL {_SELECT} WHERE c.code = ANY($3::text[])",
            [p[0] for p in wanted], [p[1] for p in wanted], bare)
    pair_set = set(wanted)
    bare_set = set(bare)
    for system, code, *rest in rows:
        measure = CodedMeasure(*rest)
        if (system, code) in pair_set:
            by_pair[(system, code)] = measure
        if code in bare_set and measure not in by_code.get(code, []):
            by_code.setdefault(code, []).append(measure)
    return by_pair, by_code


async def codes_of_measure(pool: asyncpg.Pool, measure_id: str) -> list[tuple[str, str]]:
    async with pool.acquire() as conn:
        rows = await conn.fetch("SELECT system, code FROM measure_codes WHERE measure_id = $1 ORDER BY system, code",
                                measure_id)
    return [(r[0], r[1]) for r in rows]
