"""The auditor's tools: an export of the log that a third party can verify alone, and signed checkpoints of
the chain head (Ed25519) that prove later that nothing before them was changed.

Verifying an export needs only SHA-256: for each line in order, with `previous` starting as 32 zero bytes,
  envelope = the JSON array [position, stream_id, version, topic, recorded_at_us, actor, role, team_id, reason,
             correlation_id, causation_id, source], written compactly (no spaces) as in the line's "envelope"
  hash     = SHA-256(previous ‖ len(envelope) as 4 big-endian bytes ‖ envelope ‖ base64-decoded "data")
and check that it equals the line's "hash"; then previous = hash."""

from __future__ import annotations

import base64
from collections.abc import AsyncIterator, Iterable
from dataclasses import dataclass
from pathlib import Path

import asyncpg
import orjson
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from service.eventstore.hashchain import GENESIS, envelope, link


async def export_lines(conn: asyncpg.Connection, batch: int = 5000) -> AsyncIterator[bytes]:
    """The whole log as JSON lines, each with its envelope, data and hash."""
    async with conn.transaction(isolation="repeatable_read", readonly=True):
        async for r in conn.cursor(
                "SELECT position, stream_id, version, topic, data, recorded_at, actor, role, team_id, reason, "
                "correlation_id, causation_id, source, hash FROM events ORDER BY position", prefetch=batch):
            head = envelope(r["position"], r["stream_id"], r["version"], r["topic"], r["recorded_at"], r["actor"],
                            r["role"], r["team_id"], r["reason"], r["correlation_id"], r["causation_id"], r["source"])
            yield orjson.dumps({"envelope": head.decode(), "data": base64.b64encode(bytes(r["data"])).decode(),
                                "hash": bytes(r["hash"]).hex()}) + b"\n"


@dataclass(frozen=True, slots=True)
class ExportReport:
    ok: bool
    checked: int
    line: int | None = None
    problem: str | None = None
    head: str | None = None


def verify_export(lines: Iterable[bytes]) -> ExportReport:
    """Recompute the chain of an export, independent of any database."""
    previous, checked = GENESIS, 0
    for number, raw in enumerate(lines, start=1):
        if not raw.strip():
            continue
        try:
            line = orjson.loads(raw)
            head = line["envelope"].encode()
            data = base64.b64decode(line["data"])
            position = orjson.loads(head)[0]
        except (orjson.JSONDecodeError, KeyError, ValueError, TypeError, IndexError) as e:
            return ExportReport(False, checked, number, f"line {number} is not an export line: {e}")
        if position != checked + 1:
            problem = f"line {number} has position {position}, expected {checked + 1}"
            return ExportReport(False, checked, number, problem)
        digest = link(previous, head, data)
        if digest.hex() != line["hash"]:
            problem = f"line {number} (position {position}) does not match its hash"
            return ExportReport(False, checked, number, problem)
        previous, checked = digest, checked + 1
    return ExportReport(True, checked, head=previous.hex())


# -- signed checkpoints ----------------------------------------------------------------------------------
def load_or_create_signing_key(data_dir: Path) -> Ed25519PrivateKey:
    path = data_dir / "checkpoint-key.pem"
    if path.exists():
        key = serialization.load_pem_private_key(path.read_bytes(), password=None)
        assert isinstance(key, Ed25519PrivateKey)
        return key
    data_dir.mkdir(parents=True, exist_ok=True)
    key = Ed25519PrivateKey.generate()
    path.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                       serialization.NoEncryption()))
    path.chmod(0o600)
    return key


def public_key_pem(key: Ed25519PrivateKey) -> str:
    return key.public_key().public_bytes(serialization.Encoding.PEM,
                                         serialization.PublicFormat.SubjectPublicKeyInfo).decode()


def _message(position: int, head_hash: str) -> bytes:
    return orjson.dumps({"position": position, "hash": head_hash})


async def make_checkpoint(conn: asyncpg.Connection, key: Ed25519PrivateKey) -> dict[str, object]:
    """Sign the chain head as it stands: {position, hash, signature, publicKey}."""
    head = await conn.fetchrow("SELECT position, hash FROM event_log_head")
    head_hash = bytes(head["hash"]).hex()
    signature = key.sign(_message(head["position"], head_hash))
    return {"position": head["position"], "hash": head_hash, "signature": signature.hex(),
            "publicKey": public_key_pem(key)}


async def check_checkpoint(conn: asyncpg.Connection, checkpoint: dict[str, object]) -> str | None:
    """None if the checkpoint's signature holds and the log still has that hash at that position; else why not."""
    try:
        public = serialization.load_pem_public_key(str(checkpoint["publicKey"]).encode())
        assert isinstance(public, Ed25519PublicKey)
        public.verify(bytes.fromhex(str(checkpoint["signature"])),
                      _message(int(checkpoint["position"]), str(checkpoint["hash"])))  # type: ignore[call-overload]
    except (InvalidSignature, KeyError, ValueError, AssertionError) as e:
        return f"the checkpoint's signature does not verify ({type(e).__name__})"
    position = int(checkpoint["position"])  # type: ignore[call-overload]
    if position == 0:
        return None
    stored = await conn.fetchval("SELECT hash FROM events WHERE position = $1", position)
    if stored is None:
        return f"position {position} is no longer in the log"
    if bytes(stored).hex() != checkpoint["hash"]:
        return f"the log's hash at position {position} differs from the checkpoint: history before it was changed"
    return None
