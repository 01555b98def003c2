"""Persisted queries in the Apollo convention: a client sends a document's SHA-256 first and the document itself
only when the server asks for it (`PersistedQueryNotFound`), which saves bandwidth and lets GET requests (and so
HTTP caches) carry queries. In production an allow-list, a JSON file `{sha256: document}` that front-end builds
produce, can be the only documents the service runs."""

from __future__ import annotations

from collections import OrderedDict
from hashlib import sha256
from pathlib import Path
from typing import Any

import orjson


class PersistedQueryError(Exception):
    """The request's persisted-query part cannot be answered: `status` 200 for the convention's own signals (the
    client then sends the document), 400 for a request that is wrong or not allowed."""

    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status, self.code, self.message = status, code, message


class PersistedDocuments:
    """The allow-list (from a file) and, unless only it is allowed, documents clients registered, bounded."""

    def __init__(self, allowed: dict[str, str] | None = None, *, only: bool = False, max_registered: int = 10_000):
        for digest, document in (allowed or {}).items():
            if sha256(document.encode()).hexdigest() != digest:
                raise ValueError(f"persisted document {digest[:12]}… does not hash to its key")
        self.allowed, self.only, self.max_registered = dict(allowed or {}), only, max_registered
        self._registered: OrderedDict[str, str] = OrderedDict()

    @classmethod
    def from_file(cls, path: Path | None, *, only: bool = False) -> PersistedDocuments:
        if path is None:
            return cls(only=only)
        try:
            allowed = orjson.loads(path.read_bytes())
        except (OSError, orjson.JSONDecodeError) as e:
            raise ValueError(f"the persisted-queries file {path} cannot be read: {e}") from None
        if not isinstance(allowed, dict) or not all(isinstance(k, str) and isinstance(v, str)
                                                     for k, v in allowed.items()):
            raise ValueError(f"the persisted-queries file {path} must be a JSON object of sha256 → document")
        return cls(allowed, only=only)

    def resolve(self, query: Any, extensions: Any) -> str:
        """The document to run: the one sent, or the one its hash names."""
        persisted = extensions.get("persistedQuery") if isinstance(extensions, dict) else None
        if persisted is None:
            if not isinstance(query, str):
                raise PersistedQueryError(400, "BAD_REQUEST", 'The body must be JSON: {"query": "...", '
                                                              '"variables": {...}}.')
            if self.only and sha256(query.encode()).hexdigest() not in self.allowed:
                raise PersistedQueryError(400, "PERSISTED_QUERY_NOT_ALLOWED",
                                          "Only the service's persisted documents may run here.")
            return query
        digest = persisted.get("sha256Hash") if isinstance(persisted, dict) else None
        if not isinstance(persisted, dict) or persisted.get("version") != 1 or not isinstance(digest, str):
            raise PersistedQueryError(400, "PERSISTED_QUERY_INVALID",
                                      'extensions.persistedQuery must be {"version": 1, "sha256Hash": "<hex>"}.')
        known = self.allowed.get(digest) or self._registered.get(digest)
        if query is None:
            if known is None:
                raise PersistedQueryError(200, "PERSISTED_QUERY_NOT_FOUND", "PersistedQueryNotFound")
            return known
        if not isinstance(query, str) or sha256(query.encode()).hexdigest() != digest:
            raise PersistedQueryError(400, "PERSISTED_QUERY_HASH_MISMATCH", "provided sha does not match query")
        if known is None:
            if self.only:
                raise PersistedQueryError(400, "PERSISTED_QUERY_NOT_ALLOWED",
                                          "Only the service's persisted documents may run here.")
            self._registered[digest] = query
            if len(self._registered) > self.max_registered:
                self._registered.popitem(last=False)
        return query
