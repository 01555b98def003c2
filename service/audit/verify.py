"""Walk the hash chain and report the first event whose stored row no longer matches its link."""

from __future__ import annotations

from dataclasses import dataclass

import asyncpg

from service.eventstore.hashchain import GENESIS, event_hash


@dataclass(frozen=True, slots=True)
class ChainReport:
    checked: int
    ok: bool
    position: int | None = None   # the first position that fails
    problem: str | None = None


async def verify_chain(conn: asyncpg.Connection, batch: int = 10_000) -> ChainReport:
    previous, expected_position, checked = GENESIS, 1, 0
    head = await conn.fetchrow("SELECT position, hash FROM event_log_head")
    async with conn.transaction(isolation="repeatable_read", readonly=True):
        cursor = conn.cursor(
            "SELECT position, stream_id, version, topic, data, recorded_at, actor, role, team_id, reason, "
            "correlation_id, causation_id, source, hash FROM events ORDER BY position", prefetch=batch)
        async for r in cursor:
            if r["position"] != expected_position:
                problem = (f"position {expected_position} is missing (deleted?)"
                           if r["position"] > expected_position else f"position {r['position']} appears out of order")
                return ChainReport(checked, False, expected_position, problem)
            digest = event_hash(previous, r["position"], r["stream_id"], r["version"], r["topic"], bytes(r["data"]),
                                r["recorded_at"], r["actor"], r["role"], r["team_id"], r["reason"],
                                r["correlation_id"], r["causation_id"], r["source"])
            if digest != bytes(r["hash"]):
                return ChainReport(checked, False, r["position"],
                                   f"event at position {r['position']} (stream {r['stream_id']} version "
                                   f"{r['version']}) was altered, or an event before it was reordered")
            previous, expected_position, checked = digest, expected_position + 1, checked + 1
    if head["position"] != checked:
        return ChainReport(checked, False, checked + 1,
                           f"the log head says {head['position']} events but {checked} are stored "
                           "(deleted at the end?)")
    if checked and bytes(head["hash"]) != previous:
        return ChainReport(checked, False, checked, "the log head's hash does not match the last event")
    return ChainReport(checked, True)
