"""`qms import FILE.csv|FILE.ndjson`: a file posted to a server's intake in chunks of whole rows, each chunk under
an idempotency key derived from the import's key and the chunk's number, so a rerun after a failure resends
every chunk and the server stores only what it had not (a chunk it stored answers with its first result)."""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO

import httpx
import numpy as np
import orjson

from service.edge.chunks import cut_rows

CHUNK_BYTES = 4 << 20
READ_BYTES = 1 << 20
RETRIES = 3
KINDS = {".csv": "text/csv", ".ndjson": "application/x-ndjson", ".jsonl": "application/x-ndjson"}


class ImportFailed(Exception):
    """A chunk could not be stored; what came before it is stored, and a rerun with the same key resumes."""


@dataclass(slots=True)
class Totals:
    accepted: int = 0
    duplicates: int = 0
    corrected: int = 0
    rows: int = 0
    chunks: int = 0
    position: int = 0      # the log position of the last write: X-QMS-After for reading the import back
    errors: list[dict[str, Any]] = field(default_factory=list)  # indexes are the file's 0-based data rows


def kind_of(path: Path) -> str:
    kind = KINDS.get(path.suffix.lower())
    if kind is None:
        raise ValueError(f"{path.name}: the file must end in .csv or .ndjson")
    return kind


def file_key(path: Path) -> str:
    """The import's key when none is given: the file's content, so importing the same file again resumes."""
    digest = hashlib.sha256()
    with path.open("rb") as f:
        while block := f.read(READ_BYTES):
            digest.update(block)
    return f"import-{digest.hexdigest()[:32]}"


def chunks(f: BinaryIO, kind: str, size: int = CHUNK_BYTES) -> Iterator[tuple[bytes, int, int]]:
    """(body, data rows, file bytes) per chunk; for CSV every body starts with the file's header row."""
    quoted = kind == "text/csv"
    buf = bytearray(f.read(READ_BYTES))
    if buf.startswith(b"\xef\xbb\xbf"):
        del buf[:3]
    header = b""
    if quoted:
        end = cut_rows(buf, 1, True)
        while end < 0 and (more := f.read(READ_BYTES)):
            buf += more
            end = cut_rows(buf, 1, True)
        header = bytes(buf) if end < 0 else bytes(buf[:end])
        del buf[:len(header)]
        if not header.endswith(b"\n"):
            header += b"\n"
    done = False
    while buf or not done:
        cut = cut_rows(buf, size, quoted) if len(buf) >= size else -1
        if cut < 0 and not done:
            more = f.read(READ_BYTES)
            buf += more
            done = not more
            continue
        body = bytes(buf) if cut < 0 else bytes(buf[:cut])
        del buf[:len(body)]
        yield header + body, count_rows(body, quoted), len(body)


def count_rows(body: bytes, quoted: bool) -> int:
    """Rows (CSV, line breaks in quoted fields not ending one) or lines (NDJSON, blank ones too) in the body."""
    if not body:
        return 0
    data = np.frombuffer(body, dtype=np.uint8)
    breaks = data == 10
    if quoted and b'"' in body:
        breaks &= np.cumsum(data == 34) % 2 == 0
    return int(breaks.sum()) + (0 if body.endswith(b"\n") else 1)


def import_file(path: Path, url: str, token: str, key: str, *,
                on_chunk: Callable[[int, int], None] | None = None, size: int = CHUNK_BYTES,
                client: httpx.Client | None = None) -> Totals:
    """Post the file chunk by chunk; `on_chunk(number, file bytes)` after each chunk is stored."""
    kind = kind_of(path)
    totals = Totals()
    http = client or httpx.Client(timeout=600)
    try:
        with path.open("rb") as f:
            for number, (body, rows, consumed) in enumerate(chunks(f, kind, size)):
                answer, position = _post(http, url, token, kind, f"{key}.{number}", body)
                totals.position = max(totals.position, position)
                totals.accepted += answer["accepted"]
                totals.duplicates += answer["duplicates"]
                totals.corrected += answer["corrected"]
                totals.errors += [{**e, "index": totals.rows + e["index"]} for e in answer["errors"]]
                totals.rows += rows
                totals.chunks += 1
                if on_chunk is not None:
                    on_chunk(number, consumed)
    finally:
        if client is None:
            http.close()
    return totals


def _post(http: httpx.Client, url: str, token: str, kind: str, key: str, body: bytes) -> tuple[dict[str, Any], int]:
    headers = {"Content-Type": kind, "Authorization": f"Bearer {token}", "Idempotency-Key": key}
    for attempt in range(RETRIES):
        try:
            response = http.post(f"{url.rstrip('/')}/ingest/observations", content=body, headers=headers)
        except httpx.TransportError as e:
            problem = f"{type(e).__name__}: {e}"
        else:
            if response.status_code == 200:
                return orjson.loads(response.content), int(response.headers.get("x-qms-position", 0))
            problem = f"HTTP {response.status_code}: {response.text[:500]}"
            if response.status_code not in (429, 502, 503, 504):
                break
            wait = response.headers.get("retry-after", "")
            if wait.isdigit():
                time.sleep(min(int(wait), 60))
                continue
        time.sleep(0.5 * 2**attempt)
    raise ImportFailed(f"chunk {key}: {problem}")
