"""The catalogue as the API reads it: teams and measures by id, by team and by page, and their charts."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Generic, TypeVar

import asyncpg

from projections.spc import document
from projections.spc.document import ChartView
from service.auth.identity import Principal
from service.auth.permissions import allowed
from service.ids import valid_uuid
from service.reads.cursors import check_first, decode_text_cursor, encode_cursor


@dataclass(frozen=True, slots=True)
class MeasureView:
    id: str
    team_id: str
    name: str
    kind: str
    direction: str
    chart_type: str
    frequency: str
    unit: str | None
    target: float | None
    shift_run_length: int
    trend_run_length: int
    position: int = 0                     # of the catalogue row: the version an answer depends on
    chart: ChartView | None = None        # set for as-of views, computed from the events


@dataclass(frozen=True, slots=True)
class TeamView:
    id: str
    name: str
    parent_id: str | None
    position: int


T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Page(Generic[T]):
    items: list[T]
    cursors: list[str]
    has_next: bool
    version: int | None     # the whole table's latest position: what a cached answer built on the page checks


_MEASURE_COLUMNS = ("measure_id, team_id, name, kind, direction, chart_type, frequency, unit, target, "
                    "shift_run_length, trend_run_length, position")
_TEAM_COLUMNS = "team_id, name, parent_id, position"
_MEASURE_COLUMNS_OF_M = ", ".join(f"m.{c}" for c in _MEASURE_COLUMNS.split(", "))
_MEASURE_COLUMN_COUNT = len(_MEASURE_COLUMNS.split(", "))


async def measures_by_id(pool: asyncpg.Pool, ids: list[str]) -> dict[str, MeasureView]:
    ids = [i for i in ids if valid_uuid(i)]
    async with pool.acquire() as conn:
        rows = await conn.fetch(f"SELECT {_MEASURE_COLUMNS} FROM measures WHERE measure_id = ANY($1)", ids)
    return {r[0]: MeasureView(*r) for r in rows}


async def measures_with_charts(pool: asyncpg.Pool, ids: list[str]) -> dict[str, tuple[MeasureView, ChartView | None]]:
    """Each measure and its stored chart, in one statement: a chart query's two reads in one round trip."""
    ids = [i for i in ids if valid_uuid(i)]
    async with pool.acquire() as conn:
        rows = await conn.fetch(f"SELECT {_MEASURE_COLUMNS_OF_M}, {document.READ_BESIDE} WHERE m.measure_id = ANY($1)",
                                ids)
    charts = document.charts_beside(rows, _MEASURE_COLUMN_COUNT)
    return {r[0]: (MeasureView(*r[:_MEASURE_COLUMN_COUNT]), charts.get(r[0])) for r in rows}


async def measures_by_team(pool: asyncpg.Pool, team_ids: list[str]) -> dict[str, list[MeasureView]]:
    """Each team's own measures, by name."""
    return await _grouped(pool, f"SELECT {_MEASURE_COLUMNS} FROM measures WHERE team_id = ANY($1) "
                                "ORDER BY name, measure_id", team_ids, MeasureView, 1)


async def teams_by_id(pool: asyncpg.Pool, ids: list[str]) -> dict[str, TeamView]:
    ids = [i for i in ids if valid_uuid(i)]
    async with pool.acquire() as conn:
        rows = await conn.fetch(f"SELECT {_TEAM_COLUMNS} FROM teams WHERE team_id = ANY($1)", ids)
    return {r[0]: TeamView(*r) for r in rows}


async def teams_by_parent(pool: asyncpg.Pool, parent_ids: list[str]) -> dict[str, list[TeamView]]:
    """Each team's direct sub-teams, by name."""
    return await _grouped(pool, f"SELECT {_TEAM_COLUMNS} FROM teams WHERE parent_id = ANY($1) "
                                "ORDER BY name, team_id", parent_ids, TeamView, 2)


async def _grouped(pool: asyncpg.Pool, sql: str, ids: list[str], make: Callable[..., T], by: int) -> dict[str, list[T]]:
    """The rows `sql` finds for the ids, made into views and grouped by their column `by`, in the query's order."""
    async with pool.acquire() as conn:
        rows = await conn.fetch(sql, [i for i in ids if valid_uuid(i)])
    found: dict[str, list[T]] = {}
    for r in rows:
        found.setdefault(r[by], []).append(make(*r))
    return found


async def charts_by_measure(pool: asyncpg.Pool, ids: list[str]) -> dict[str, ChartView]:
    """Each stored chart, with the read model's position for it (charted now, all in one kernel call)."""
    async with pool.acquire() as conn:
        return await document.read(conn, ids)


# -- pages (keyset pagination by name, then id: stable while rows are added) ------------------------------------
def _after(after: str | None, kind: str) -> tuple[str, str]:
    if after is None:
        return "", ""
    name, _, row_id = decode_text_cursor(after, kind).rpartition("\x1f")
    return name, row_id


def _cursor(kind: str, name: str, row_id: str) -> str:
    return encode_cursor(f"{name}\x1f{row_id}", kind)


async def teams_page(pool: asyncpg.Pool, first: int, after: str | None) -> Page[TeamView]:
    """Every team, by name. Every role may read the organisation's teams (policy `team.read`)."""
    check_first(first)
    name, team_id = _after(after, "team")
    async with pool.acquire() as conn, conn.transaction(isolation="repeatable_read", readonly=True):
        rows = await conn.fetch(f"SELECT {_TEAM_COLUMNS} FROM teams WHERE (name, team_id) > ($1, $2) "
                                "ORDER BY name, team_id LIMIT $3", name, team_id, first + 1)
        version = await conn.fetchval("SELECT max(position) FROM teams")
    teams = [TeamView(*r) for r in rows[:first]]
    return Page(teams, [_cursor("team", t.name, t.id) for t in teams], len(rows) > first, version)


async def measures_page(pool: asyncpg.Pool, principal: Principal, team_id: str | None, first: int,
                        after: str | None) -> Page[MeasureView]:
    """The measures the caller may read (of one team, or of every team), by name."""
    check_first(first)
    name, measure_id = _after(after, "measure")
    if team_id is not None:
        teams: list[str] | None = [team_id] if allowed(principal, "measure.read", team_id) else []
    else:
        teams = None if allowed(principal, "measure.read", None) else sorted(principal.teams)
    async with pool.acquire() as conn, conn.transaction(isolation="repeatable_read", readonly=True):
        rows = await conn.fetch(
            f"SELECT {_MEASURE_COLUMNS} FROM measures WHERE (name, measure_id) > ($1, $2) "
            "AND ($3::text[] IS NULL OR team_id = ANY($3)) ORDER BY name, measure_id LIMIT $4",
            name, measure_id, teams, first + 1)
        version = await conn.fetchval("SELECT max(position) FROM measures")
    measures = [MeasureView(*r) for r in rows[:first]]
    return Page(measures, [_cursor("measure", m.name, m.id) for m in measures], len(rows) > first, version)
