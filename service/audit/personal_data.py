"""Crypto-shredding: personal details in events are sealed with a key kept per person (AES-256-GCM). Erasure
deletes the key (projections/erasures.py); the events, and so the hash chain, stay untouched, and the details
can never be read again. Keys are read per request, never cached, so every process sees an erasure at once."""

from __future__ import annotations

import base64
import contextlib
import os

import asyncpg
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

PREFIX = "pd1:"
ERASED = "[erased]"


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def is_sealed(value: object) -> bool:
    return isinstance(value, str) and value.startswith(PREFIX)


def _parts(value: str) -> tuple[str, bytes] | None:
    try:
        who, blob = value[len(PREFIX):].split(":", 1)
        return _unb64(who).decode(), _unb64(blob)
    except (ValueError, UnicodeDecodeError):
        return None


class ErasedSubject(Exception):
    """No new personal data is kept for a person whose erasure was honoured."""


class PersonalDataVault:
    def __init__(self, pool: asyncpg.Pool) -> None:
        self.pool = pool

    async def seal_all(self, subject: str, texts: list[str | None]) -> list[str | None]:
        """Each text encrypted under the person's key (made on first use), tagged with whose key it is."""
        async with self.pool.acquire() as conn:
            if await conn.fetchval("SELECT 1 FROM erased_subjects WHERE subject = $1", subject):
                raise ErasedSubject(f"Personal data of {subject} was erased; no new personal data is kept for them.")
            key = await conn.fetchval(
                "INSERT INTO person_keys (subject, key) VALUES ($1, $2) ON CONFLICT (subject) "
                "DO UPDATE SET subject = EXCLUDED.subject RETURNING key", subject, AESGCM.generate_key(256))
        cipher = AESGCM(bytes(key))
        sealed: list[str | None] = []
        for text in texts:
            if text is None:
                sealed.append(None)
                continue
            nonce = os.urandom(12)
            blob = cipher.encrypt(nonce, text.encode(), subject.encode())
            sealed.append(f"{PREFIX}{_b64(subject.encode())}:{_b64(nonce + blob)}")
        return sealed

    async def unseal_all(self, values: list[str | None]) -> list[str | None]:
        """The plain texts, "[erased]" where the person's key is gone; one query for all of them."""
        parts = {i: _parts(v) for i, v in enumerate(values) if v is not None and is_sealed(v)}
        subjects = list({p[0] for p in parts.values() if p is not None})
        keys: dict[str, bytes] = {}
        if subjects:
            async with self.pool.acquire() as conn:
                keys = {r[0]: bytes(r[1]) for r in await conn.fetch(
                    "SELECT subject, key FROM person_keys WHERE subject = ANY($1)", subjects)}
        out = list(values)
        for i, p in parts.items():
            out[i] = ERASED
            if p is not None and p[0] in keys:
                with contextlib.suppress(InvalidTag):
                    out[i] = AESGCM(keys[p[0]]).decrypt(p[1][:12], p[1][12:], p[0].encode()).decode()
        return out
