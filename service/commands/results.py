"""What a recording command answers: counts and per-item errors, stored with an idempotency key as the first
result a retry is answered with."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import orjson

from domain.errors import DomainError


@dataclass(slots=True)
class RecordResult:
    accepted: int = 0
    duplicates: int = 0
    corrected: int = 0
    errors: list[dict[str, Any]] = field(default_factory=list)
    position: int = 0

    def to_bytes(self) -> bytes:
        return orjson.dumps({"accepted": self.accepted, "duplicates": self.duplicates, "corrected": self.corrected,
                             "errors": self.errors})

    @classmethod
    def from_bytes(cls, data: bytes) -> RecordResult:
        return cls(**orjson.loads(data))

    def add(self, other: RecordResult, index_of: Callable[[int], int] | None = None) -> None:
        self.accepted += other.accepted
        self.duplicates += other.duplicates
        self.corrected += other.corrected
        for e in other.errors:
            self.errors.append({**e, "index": index_of(e["index"])} if index_of and e.get("index") is not None
                               else e)
        self.position = max(self.position, other.position)


def error_dict(e: DomainError) -> dict[str, Any]:
    return {"code": e.code, "message": e.message, "field": e.field, "index": e.index}
