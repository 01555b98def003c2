"""The pool's sessions: statements planned for their values, never JIT-compiled, and the group commit's look-ups of
streams and idempotency keys taking the primary keys in a table too young to have statistics."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from service.commands.idempotency import _FIRST_RESULTS
from service.eventstore.database import create_pool, migrate
from service.eventstore.statements import READ_STATE


async def test_the_pool_s_sessions_plan_each_execution_and_never_compile(
        make_database: Callable[[], Awaitable[str]]) -> None:
    pool = await create_pool(await make_database(), min_size=1, max_size=1)
    try:
        async with pool.acquire() as conn:
            assert await conn.fetchval("SHOW jit") == "off"
            assert await conn.fetchval("SHOW plan_cache_mode") == "force_custom_plan"
    finally:
        await pool.close()


async def test_streams_and_keys_are_looked_up_by_primary_key_in_a_table_without_statistics(
        make_database: Callable[[], Awaitable[str]]) -> None:
    pool = await create_pool(await make_database(), min_size=1, max_size=1)
    try:
        async with pool.acquire() as conn:
            await migrate(conn)
            for table in ("idempotency_keys", "streams"):  # no ANALYZE while the test runs
                await conn.execute(f"ALTER TABLE {table} SET (autovacuum_enabled = false)")
            await conn.execute("INSERT INTO idempotency_keys (key, result, position) "
                               "SELECT 'key-' || g, '{}'::bytea, g FROM generate_series(1, 20000) g")
            await conn.execute("INSERT INTO streams SELECT 'stream-' || g, 'Thing', 1 FROM generate_series(1, 20000) g")
            keys = [f"key-{i}" for i in range(0, 1000, 2)]
            streams = [f"stream-{i}" for i in range(500)]
            plans = ["\n".join(r[0] for r in await conn.fetch("EXPLAIN " + sql, *args))
                     for sql, args in ((READ_STATE, (streams, keys)), (_FIRST_RESULTS, (keys,)))]
            state = await conn.fetch(READ_STATE, ["stream-1", "stream-none"], ["key-2", "key-none"])
            first = await conn.fetch(_FIRST_RESULTS, ["key-3", "key-none"])
    finally:
        await pool.close()
    for plan in plans:
        assert "Seq Scan on idempotency_keys" not in plan and "Seq Scan on streams" not in plan, plan
    assert sorted((r[0], r[1]) for r in state) == [("h", None), ("k", "key-2"), ("s", "stream-1")]
    assert [r[0] for r in first] == ["key-3"]
