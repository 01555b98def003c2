"""The PostgreSQL server (embedded or external), the connection pool, and forward-only migrations."""

from __future__ import annotations

import logging
from pathlib import Path

import asyncpg

log = logging.getLogger(__name__)

MIGRATIONS_LOCK = 0x716D735F6D6967  # advisory lock key: one migrator at a time


def embedded_database_url(data_dir: Path) -> str:
    """Start (or join) the embedded PostgreSQL server in data_dir/pg and return its URL; it stops when the last
    process that joined it exits."""
    from service.eventstore.embedded import join

    return join(data_dir)


def migration_files() -> list[tuple[str, str]]:
    """The numbered SQL files, in order, from the migrations/ folder beside the packages."""
    folder = Path(__file__).resolve().parents[2] / "migrations"
    if not folder.is_dir():
        raise FileNotFoundError(f"{folder} is missing: install qms from its source tree (pip install -e .)")
    return [(p.name, p.read_text()) for p in sorted(folder.glob("[0-9]*.sql"))]


async def migrate(conn: asyncpg.Connection) -> list[str]:
    """Apply the migrations not yet applied, each in its own transaction; return their names."""
    await conn.execute("SELECT pg_advisory_lock($1)", MIGRATIONS_LOCK)
    try:
        await conn.execute("CREATE TABLE IF NOT EXISTS schema_migrations "
                           "(name text PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())")
        done = {r[0] for r in await conn.fetch("SELECT name FROM schema_migrations")}
        applied = []
        for name, sql in migration_files():
            if name in done:
                continue
            async with conn.transaction():
                await conn.execute(sql)
                await conn.execute("INSERT INTO schema_migrations (name) VALUES ($1)", name)
            applied.append(name)
            log.info("applied migration %s", name)
        return applied
    finally:
        await conn.execute("SELECT pg_advisory_unlock($1)", MIGRATIONS_LOCK)


class Connection(asyncpg.Connection):
    """Released to the pool without the default reset round trip (UNLISTEN, RESET ALL, unlock advisory locks):
    no pooled connection keeps session state, and each advisory lock is released by the code that took it."""

    def get_reset_query(self) -> str:
        return ""


async def create_pool(url: str, *, min_size: int = 2, max_size: int = 10) -> asyncpg.Pool:
    # Plans fitted to each execution's values: asyncpg prepares every statement once per connection, and
    # PostgreSQL's generic plan for it, made while a table is young and small, stays a sequential scan as the table
    # grows (until an ANALYZE, up to a minute away): the group commit's look-up of used idempotency keys then read
    # every key at every commit, and sustained intake slowed as the log grew. Planning these short statements anew
    # costs less than one such scan.
    # No JIT compilation: it pays only for long analytical queries, and the service runs none. A young table's
    # estimates (a never-analysed event_log_head reads as 1,180 rows) made a projection's one-row look for events
    # cost past jit_above_cost, and the estimate grows with the log, so each look compiled its expressions (60 ms
    # at 20,000 events) and then optimised them too (past jit_optimize_above_cost): the database's CPU per
    # observation grew with the log while the statement itself ran in a tenth of a millisecond.
    pool = await asyncpg.create_pool(url, min_size=min_size, max_size=max_size, command_timeout=60,
                                     connection_class=Connection,
                                     server_settings={"plan_cache_mode": "force_custom_plan", "jit": "off"})
    assert pool is not None
    return pool
