"""POST /ingest/observations with a CSV or NDJSON body: read as a stream in chunks of whole rows, each chunk stored
as the JSON body's batch is (one event per measure per chunk), in bounded memory whatever the length.

An `Idempotency-Key` header names the request: its answer is kept with a digest of the body, so a resend replays
the answer and a different body under the key is refused with 422, neither storing anything. Each chunk's parts
are stored under keys derived from the key, the chunk's number and the digest of the body up to its end, so a
resend after an interrupted request stores only what the first did not. The digests are one pass over the
chunks (a leading byte order mark is not part of them), taken with each chunk's parsing in a worker thread, so
that parsing a chunk of several MiB does not hold up the event loop's other requests."""

from __future__ import annotations

import asyncio
import hashlib
from collections.abc import AsyncIterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import orjson

from domain.errors import DomainError, Forbidden
from service.commands.context import CommandContext
from service.commands.idempotency import first_results, remember
from service.commands.intake import record_columns, record_many
from service.commands.results import RecordResult
from service.edge import tabular
from service.edge.chunks import BodyError, joined, row_chunks
from service.edge.http import Answer, Call, Refusal, too_large
from service.edge.tabular import Chunk, parse_csv, parse_ndjson, split_header

# Two threads parse the requests' chunks (a request's own chunks one at a time, in order), so that a loop answering
# other requests is not held up by a large chunk. Most of a chunk's parse lets go of the GIL: pyarrow's reading,
# hashlib's digest and the numba kernels that make its source ids' digests and JSON. So two chunks of concurrent
# requests are parsed side by side: four spanning CSV bodies at once took 5-14% less time a round than with one
# thread (three alternating runs of 16-20 rounds, server against server), for the same CPU.
_PARSER = ThreadPoolExecutor(max_workers=2, thread_name_prefix="qms-parse")
IDEMPOTENCY_HEADER = "idempotency-key"
MAX_KEY = 100  # leaves room for the derived part keys (chunk, digest, measure) within the 200 a key may have
CSV = "text/csv"
NDJSON = "application/x-ndjson"


async def ingest_stream(call: Call, kind: str) -> Answer:
    key = call.request.headers.get(IDEMPOTENCY_HEADER)
    if key is not None and not (0 < len(key) <= MAX_KEY and key.isprintable()):
        raise Refusal(400, "BAD_REQUEST", f"Idempotency-Key must be 1 to {MAX_KEY} printable characters.")
    limit = call.services.settings.max_stream_bytes
    declared = call.request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > limit:
        raise too_large(limit)
    ctx = CommandContext(call.principal, correlation_id=call.request_id,
                         source=call.request.headers.get("x-source-system") or "ingest")
    digest = hashlib.sha256() if key is not None else None
    body = _counted(call.request.stream(), limit)
    size = tabular.CSV_CHUNK_BYTES if kind == CSV else tabular.NDJSON_CHUNK_BYTES
    chunks = row_chunks(body, kind == CSV, size)
    try:
        kept = f"{ctx.scoped_key(key)}#stream" if key is not None else None
    except DomainError as e:
        raise Refusal(400, "BAD_REQUEST", f"Idempotency-Key: {e.message}") from None
    if kept is not None:
        first = (await first_results(call.services, [kept])).get(kept)
        if first is not None:
            return await _replay(chunks, orjson.loads(first))
    try:
        total, errors, attempted = await _store(call, ctx, kind, chunks, key, digest)
    except BodyError as e:
        raise Refusal(400, "BAD_REQUEST", str(e)) from None
    call.metrics.intake(total.accepted + total.corrected, total.duplicates, len(errors))
    denied = [e for e in errors if e["code"] == Forbidden.code]
    if denied and len(denied) == attempted:
        raise Refusal(403, "FORBIDDEN", denied[0]["message"])
    answer = orjson.dumps({"accepted": total.accepted, "duplicates": total.duplicates, "corrected": total.corrected,
                           "errors": errors})
    if kept is not None and digest is not None:
        await remember(call.services, kept, orjson.dumps({"digest": digest.hexdigest(), "position": total.position,
                                                          "answer": orjson.Fragment(answer)}), total.position)
    return Answer(answer, position=total.position)


async def _counted(stream: AsyncIterator[bytes], limit: int) -> AsyncIterator[bytes]:
    size = 0
    async for part in stream:
        size += len(part)
        if size > limit:
            raise too_large(limit)
        yield part


async def _replay(chunks: AsyncIterator[list[bytes]], first: dict[str, Any]) -> Answer:
    digest = hashlib.sha256()
    async for parts in chunks:  # the whole body, for its digest; nothing of it is stored
        for part in parts:
            digest.update(part)
    if digest.hexdigest() != first["digest"]:
        raise Refusal(422, "IDEMPOTENCY_KEY_REUSED", "This Idempotency-Key was used for a different body; "
                                                     "nothing was stored.")
    return Answer(orjson.dumps(first["answer"]), position=first["position"])


async def _store(call: Call, ctx: CommandContext, kind: str, chunks: AsyncIterator[list[bytes]], key: str | None,
                 digest: Any) -> tuple[RecordResult, list[dict[str, Any]], int]:
    """Each chunk parsed while the one before it is being stored (one at a time, in order, so a measure's rows
    are decided in the order they were sent). `digest`: the body's, brought up to each chunk's end (None when the
    request has no key)."""
    total = RecordResult()
    errors: list[dict[str, Any]] = []
    names: list[str] | None = None
    offset = attempted = number = 0
    storing: asyncio.Task[RecordResult] | None = None

    async def stored() -> None:
        nonlocal storing
        if storing is not None:
            result, storing = await storing, None
            errors.extend(result.errors)
            result.errors = []
            total.add(result)

    try:
        async for parts in chunks:
            parsed, prefix, names = await asyncio.get_running_loop().run_in_executor(
                _PARSER, _parse, parts, kind, names, offset, digest)
            part = f"{key}#{number}.{prefix}" if key is not None else None
            attempted += sum(len(g[0]) for g in parsed.groups.values()) + len(parsed.items)
            errors.extend(parsed.errors)
            offset += parsed.rows
            number += 1
            await stored()
            storing = asyncio.create_task(_record(call, ctx, parsed, part))
        await stored()
    finally:
        if storing is not None:  # the body failed (too large, unreadable): what was being stored finishes
            await asyncio.wait([storing])
    if kind == CSV and names is None:
        raise BodyError("The CSV body needs a header row naming its columns.")
    errors.sort(key=lambda e: e["index"])
    return total, errors, attempted


def _parse(parts: list[bytes], kind: str, names: list[str] | None, offset: int,
           digest: Any) -> tuple[Chunk, str, list[str] | None]:
    """A chunk's rows, the digest of the body up to its end (for the part keys) and, for CSV, the header's column
    names (read from the first chunk), in a worker thread: a request's chunks are parsed one at a time, so its
    digest is brought up to date in order. The chunk's parts are joined here, off the event loop."""
    chunk = joined(parts)
    data: bytes | memoryview = chunk
    if kind == CSV and names is None:
        names, data = split_header(chunk)
    parsed = parse_csv(data, names, offset) if names is not None else parse_ndjson(chunk, offset)
    if digest is None:
        return parsed, "", names
    digest.update(chunk)
    return parsed, digest.copy().hexdigest()[:16], names


async def _record(call: Call, ctx: CommandContext, parsed: Chunk, part: str | None) -> RecordResult:
    result = RecordResult()
    if parsed.groups:
        result.add(await record_columns(call.services, ctx, parsed.groups, part))
    if parsed.items:
        result.add(await record_many(call.services, ctx, parsed.items, None if part is None else part + "~"))
    return result
