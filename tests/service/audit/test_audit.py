"""The auditor's tools: `qms verify` on a tampered database, the export a third party verifies, and signed
checkpoints of the chain head."""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path

import asyncpg
import pytest

from service.audit.export import check_checkpoint, export_lines, make_checkpoint, verify_export
from service.eventstore import EventStore
from service.eventstore.database import create_pool, migrate
from service.eventstore.hashchain import event_hash
from tests.service.eventstore.test_store import request

ROOT = Path(__file__).resolve().parents[3]


@pytest.fixture
async def db(make_database: Callable[[], Awaitable[str]]) -> AsyncIterator[tuple[str, asyncpg.Connection]]:
    url = await make_database()
    pool = await create_pool(url, min_size=1, max_size=2)
    async with pool.acquire() as conn:
        await migrate(conn)
    store = EventStore(pool)
    await store.start()
    for _ in range(4):
        await store.append(request(str(uuid.uuid4()), 0, n=2))
    await store.stop()
    await pool.close()
    conn = await asyncpg.connect(url)
    yield url, conn
    await conn.close()


def qms(url: str, *args: str, data_dir: Path | None = None) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "DATABASE_URL": url, "QMS_JWT_SECRET": "x" * 40, "PYTHONPATH": str(ROOT)}
    if data_dir is not None:
        env["QMS_DATA_DIR"] = str(data_dir)
    return subprocess.run([sys.executable, "-m", "service.edge.cli", *args], env=env, cwd=ROOT, capture_output=True,
                          text=True, timeout=120)


@pytest.mark.parametrize(("tamper", "expected"), [
    ("UPDATE events SET reason = 'nobody asked' WHERE position = 5", "TAMPERED at position 5"),
    ("DELETE FROM events WHERE position = 2", "TAMPERED at position 2"),
    ("UPDATE events SET position = 100 WHERE position = 3; UPDATE events SET position = 3 WHERE position = 4; "
     "UPDATE events SET position = 4 WHERE position = 100", "TAMPERED at position 3"),
])
async def test_qms_verify_names_the_first_tampered_row(db: tuple[str, asyncpg.Connection], tamper: str,
                                                       expected: str) -> None:
    url, conn = db
    assert qms(url, "verify").returncode == 0
    await conn.execute(tamper)
    result = qms(url, "verify")
    assert result.returncode == 1
    assert expected in result.stdout


async def test_an_export_verifies_on_its_own_and_an_edited_line_is_named(db: tuple[str, asyncpg.Connection]) -> None:
    _, conn = db
    lines = [line async for line in export_lines(conn)]
    report = verify_export(lines)
    assert report.ok and report.checked == 8
    lines[5] = lines[5].replace(b"TEAM_MEMBER", b"AUDITOR")
    assert lines[5] != lines[4]
    report = verify_export(lines)
    assert not report.ok and report.line == 6


async def test_a_checkpoint_holds_until_history_before_it_is_rewritten(db: tuple[str, asyncpg.Connection],
                                                                       tmp_path: Path) -> None:
    from service.audit.export import load_or_create_signing_key

    _, conn = db
    key = load_or_create_signing_key(tmp_path)
    checkpoint = await make_checkpoint(conn, key)
    assert checkpoint["position"] == 8
    assert await check_checkpoint(conn, checkpoint) is None
    forged = {**checkpoint, "position": 7}
    assert "signature" in (await check_checkpoint(conn, forged) or "")
    # A forger who edits event 2 and recomputes every later hash passes the plain chain walk,
    # but not the signed checkpoint.
    await conn.execute("UPDATE events SET actor = 'forger' WHERE position = 2")
    rows = await conn.fetch("SELECT * FROM events ORDER BY position")
    previous = bytes(32)
    for r in rows:
        previous = event_hash(previous, r["position"], r["stream_id"], r["version"], r["topic"], bytes(r["data"]),
                              r["recorded_at"], r["actor"], r["role"], r["team_id"], r["reason"], r["correlation_id"],
                              r["causation_id"], r["source"])
        await conn.execute("UPDATE events SET hash = $1 WHERE position = $2", previous, r["position"])
    await conn.execute("UPDATE event_log_head SET hash = $1", previous)
    assert "differs from the checkpoint" in (await check_checkpoint(conn, checkpoint) or "")
