"""A measure's source ids for the fast path's duplicate check: a set of 64-bit digests in an open-addressing table
(numba), instead of a Python set of strings.

A feed names each observation with its source system's id, and an id already recorded is a duplicate. The check
runs for every batch, and as a Python set it cost tens of microseconds a batch of a few hundred ids (hashing each
new string, growing the set) and a Python string per id kept for as long as the measure is in memory. Here a
batch's ids are digests the reader computed for its whole chunk at once, and the check is one compiled pass
that inserts them all or, if any is already there or repeated within the batch, none.

Equal ids have equal digests, so a duplicate is never missed. Two different ids may share a digest (about one
chance in 10^7 for a million ids): the batch is then refused here and decided item by item against the measure's
exact set of ids, which gives the right answer, so a shared digest costs time, never correctness."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import numba
import numpy as np

_FNV_OFFSET = np.uint64(0xCBF29CE484222325)
_FNV_PRIME = np.uint64(0x100000001B3)
_MIN_SLOTS = 1 << 10


@numba.njit(cache=True, nogil=True)
def _digests(starts: np.ndarray, ends: np.ndarray, data: np.ndarray) -> np.ndarray:  # pragma: no cover - compiled
    """The digest of each string data[starts[i]:ends[i]]: FNV-1a over its UTF-8 bytes, then splitmix64's finaliser
    to spread the bits over a table's slots. Never 0 (an empty slot)."""
    out = np.empty(starts.size, np.uint64)
    for i in range(starts.size):
        h = _FNV_OFFSET
        for k in range(starts[i], ends[i]):
            h = (h ^ np.uint64(data[k])) * _FNV_PRIME
        h = (h ^ (h >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
        h = (h ^ (h >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
        h = h ^ (h >> np.uint64(31))
        out[i] = h if h != 0 else np.uint64(1)
    return out


@numba.njit(cache=True)
def _insert_new(table: np.ndarray, digests: np.ndarray) -> int:  # pragma: no cover - compiled
    """Insert every digest, or none: -1 when one is in the table already or repeated among them (the slots
    filled by this call are emptied again, which restores the table exactly: with linear probing, an earlier
    entry's probe never crosses a slot that was empty when it was placed)."""
    mask = np.uint64(table.size - 1)
    filled = np.empty(digests.size, np.int64)
    for i in range(digests.size):
        h = digests[i]
        j = h & mask
        while True:
            t = table[j]
            if t == 0:
                table[j] = h
                filled[i] = j
                break
            if t == h:
                for k in range(i):
                    table[filled[k]] = 0
                return -1
            j = (j + np.uint64(1)) & mask
    return digests.size


@numba.njit(cache=True)
def _insert_all(table: np.ndarray, digests: np.ndarray) -> int:  # pragma: no cover - compiled
    """Insert the digests not in the table yet; how many were."""
    mask = np.uint64(table.size - 1)
    added = 0
    for i in range(digests.size):
        h = digests[i]
        if h == 0:
            continue
        j = h & mask
        while True:
            t = table[j]
            if t == 0:
                table[j] = h
                added += 1
                break
            if t == h:
                break
            j = (j + np.uint64(1)) & mask
    return added


def digests_of(offsets: np.ndarray, data: np.ndarray) -> np.ndarray:
    """The digests of strings laid out as Arrow lays out a string column: `data` their UTF-8 bytes end to end,
    string i being data[offsets[i]:offsets[i + 1]] (a column reader's whole chunk at once, without the GIL)."""
    offsets = offsets.astype(np.int64, copy=False)
    return _digests(offsets[:-1], offsets[1:], data)


def digests(ids: Sequence[str]) -> np.ndarray:
    """The digests of Python strings: the same as digests_of for the same text."""
    if not ids:
        return np.empty(0, np.uint64)
    joined = "\x00".join(ids)
    if joined.count("\x00") != len(ids) - 1:  # an id holds NUL (which the fast path refuses): one at a time
        return np.concatenate([digests_of(np.array([0, len(b)]), np.frombuffer(b, dtype=np.uint8))
                               for b in (i.encode("utf-8") for i in ids)])
    data = np.frombuffer(joined.encode("utf-8"), dtype=np.uint8)  # UTF-8 writes a 0 byte for NUL only
    ends = np.flatnonzero(data == 0)
    return _digests(np.concatenate(([0], ends + 1)), np.concatenate((ends, [data.size])), data)


@numba.njit(cache=True, nogil=True)
def _json_arrays(offsets: np.ndarray, data: np.ndarray, parts: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Each part's strings (strings parts[j]:parts[j+1], laid out as in digests_of) as a JSON array: `out` holds
    them end to end, part j being out[bounds[j]:bounds[j + 1]]. The text is copied as it is (valid UTF-8, as an
    Arrow string column holds), but for a quote, a backslash and the control characters, which are escaped as
    JSON requires."""  # pragma: no cover - compiled
    size = 0
    for k in range(offsets[0], offsets[offsets.size - 1]):
        c = data[k]
        size += 6 if c < 0x20 else 2 if c == 0x22 or c == 0x5C else 1
    n = offsets.size - 1
    out = np.empty(size + 3 * n + 2 * (parts.size - 1), np.uint8)  # quotes and commas; brackets
    bounds = np.empty(parts.size, np.int64)
    at = 0
    for j in range(parts.size - 1):
        bounds[j] = at
        out[at] = 0x5B  # [
        at += 1
        for i in range(parts[j], parts[j + 1]):
            if i > parts[j]:
                out[at] = 0x2C  # ,
                at += 1
            out[at] = 0x22
            at += 1
            for k in range(offsets[i], offsets[i + 1]):
                c = data[k]
                if c < 0x20:  # \u00XX
                    out[at], out[at + 1], out[at + 2], out[at + 3] = 0x5C, 0x75, 0x30, 0x30
                    out[at + 4] = 0x30 + (c >> 4)
                    low = c & 15
                    out[at + 5] = 0x30 + low if low < 10 else 0x57 + low
                    at += 6
                elif c == 0x22 or c == 0x5C:
                    out[at] = 0x5C
                    out[at + 1] = c
                    at += 2
                else:
                    out[at] = c
                    at += 1
            out[at] = 0x22
            at += 1
        out[at] = 0x5D  # ]
        at += 1
    bounds[parts.size - 1] = at
    return out[:at], bounds


def json_arrays(offsets: np.ndarray, data: np.ndarray, parts: Sequence[int]) -> list[bytes]:
    """Each part's strings as the JSON array of them (see _json_arrays): a column reader's whole chunk at once,
    without the GIL and without a Python string per id."""
    out, bounds = _json_arrays(offsets.astype(np.int64, copy=False), data, np.asarray(parts, dtype=np.int64))
    text = out.tobytes()
    return [text[a:b] for a, b in zip(bounds[:-1].tolist(), bounds[1:].tolist(), strict=True)]


class SourceIndex:
    """The digests of every source id a measure has recorded, in a table at most half full (it doubles as it
    fills, so adding a batch costs in proportion to the batch, not to the ids known)."""

    __slots__ = ("_count", "_table")

    def __init__(self, parts: Iterable[np.ndarray] = ()) -> None:
        self._table = np.zeros(_MIN_SLOTS, np.uint64)
        self._count = 0
        for part in parts:
            self.add(part)

    def __len__(self) -> int:
        return self._count

    def add_new(self, digests: np.ndarray) -> bool:
        """Add the batch's digests if none is known or repeated (True); otherwise add none (False)."""
        self._room(digests.size)
        added = _insert_new(self._table, digests)
        if added < 0:
            return False
        self._count += added
        return True

    def add(self, digests: np.ndarray) -> None:
        """Add the digests not known yet."""
        self._room(digests.size)
        self._count += _insert_all(self._table, digests)

    def _room(self, more: int) -> None:
        if 2 * (self._count + more) <= self._table.size:
            return
        size = self._table.size
        while 2 * (self._count + more) > size:
            size *= 2
        old, self._table = self._table, np.zeros(size, np.uint64)
        _insert_all(self._table, old[old != 0])


def warm_up() -> None:
    """Each kernel once (loaded from numba's cache, or compiled into it: about a second of CPU when cold), so that
    the first request does not pay for it."""
    ids = ["a", "b"]
    found = digests(ids)
    json_arrays(np.array([0, 1, 2]), np.frombuffer(b"ab", dtype=np.uint8), [0, 2])
    index = SourceIndex([found])
    index.add_new(found)
