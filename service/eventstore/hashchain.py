"""The hash chain: each event's hash covers the previous event's hash, so any edit, deletion or
reordering of stored rows breaks the chain from that row on."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from hashlib import sha256

import orjson

GENESIS = bytes(32)
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
ONE_MICROSECOND = timedelta(microseconds=1)


def to_micros(instant: datetime) -> int:
    return (instant - EPOCH) // ONE_MICROSECOND


def from_micros(micros: int) -> datetime:
    return EPOCH + timedelta(microseconds=micros)


def envelope(position: int, stream_id: str, version: int, topic: str, recorded_at: datetime, actor: str, role: str,
             team_id: str | None, reason: str | None, correlation_id: str | None, causation_id: str | None,
             source: str | None) -> bytes:
    """Everything about an event but its data, as a compact canonical JSON array."""
    return orjson.dumps([position, stream_id, version, topic, to_micros(recorded_at), actor, role, team_id, reason,
                         correlation_id, causation_id, source])


def link(previous: bytes, envelope: bytes, data: bytes) -> bytes:
    """SHA-256(previous hash ‖ length of the envelope as 4 big-endian bytes ‖ envelope ‖ data)."""
    digest = sha256(previous)
    digest.update(len(envelope).to_bytes(4, "big"))
    digest.update(envelope)
    digest.update(data)
    return digest.digest()


def event_hash(previous: bytes, position: int, stream_id: str, version: int, topic: str, data: bytes,
               recorded_at: datetime, actor: str, role: str, team_id: str | None, reason: str | None,
               correlation_id: str | None, causation_id: str | None, source: str | None) -> bytes:
    return link(previous, envelope(position, stream_id, version, topic, recorded_at, actor, role, team_id, reason,
                                   correlation_id, causation_id, source), data)
