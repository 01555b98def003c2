"""An intake body cut into chunks of whole rows, by the bytes alone: not by how the network delivered them, so a
resend of the same body makes the same chunks (their idempotency keys are derived from them)."""

from __future__ import annotations

import codecs
from collections.abc import AsyncIterator

MAX_ROW_BYTES = 1 << 20         # a row (a CSV row with quoted line breaks, an NDJSON line) longer than this: 400
_BOM = codecs.BOM_UTF8


class BodyError(ValueError):
    """The body as a whole cannot be read (a header, an endless row): the request is refused with 400."""


async def row_chunks(stream: AsyncIterator[bytes], quoted: bool, size: int) -> AsyncIterator[list[bytes]]:
    """The body in chunks of whole rows (a leading UTF-8 BOM dropped), each as a list of parts whose join is the
    chunk. `quoted`: a line break inside a CSV quoted field does not end a row. A chunk cut from the middle of the
    body is joined here once, to find its end (a buffer grown part by part and copied out again cost three copies),
    and its end is looked for only when a line break has arrived; the body's last chunk (the whole of a body under
    `size`) comes as the parts received, for the reader to join: a copy of a few MiB costs the event loop about a
    millisecond a MiB, which a parse thread can spend instead."""
    pending: list[bytes] = []
    held = 0
    checked = False  # whether the body's first bytes were looked at for a BOM
    async for part in stream:
        if not part:
            continue
        pending.append(part)
        held += len(part)
        if not checked and held >= len(_BOM):
            checked = True
            pending = [_without_bom(b"".join(pending))]
            held = len(pending[0])
        if held < size or b"\n" not in part:
            continue
        buf = joined(pending)
        while held >= size:
            cut = cut_rows(buf, size, quoted)
            if cut < 0:
                if held > size + MAX_ROW_BYTES:
                    raise BodyError(f"A row is longer than {MAX_ROW_BYTES} bytes (an unclosed quote?).")
                break
            yield [buf[:cut]]
            buf = buf[cut:]
            held = len(buf)
        pending = [buf] if buf else []
    if not checked and pending:
        pending = [_without_bom(b"".join(pending))]
    if any(pending):
        yield pending


def joined(parts: list[bytes]) -> bytes:
    return parts[0] if len(parts) == 1 else b"".join(parts)


def _without_bom(data: bytes) -> bytes:
    return data[len(_BOM):] if data.startswith(_BOM) else data


def cut_rows(buf: bytes | bytearray, size: int, quoted: bool) -> int:
    """Where the first row ending at or after byte `size` ends (-1: not in `buf` yet)."""
    at = buf.find(b"\n", size - 1)
    while at >= 0:
        # RFC 4180 doubles a quote inside a quoted field, so an even count of quotes before a line break means
        # the break is outside every field.
        if not quoted or buf.count(b'"', 0, at) % 2 == 0:
            return at + 1
        at = buf.find(b"\n", at + 1)
    return -1
