"""CSV and NDJSON intake bodies, a chunk at a time (service/edge/chunks.py cuts the stream into chunks of whole rows):
each chunk parsed into the columns bulk intake stores (plain values per measure) and the items that need the
item-by-item path.

CSV is parsed by pyarrow's reader and checked a column at a time with pyarrow compute and numpy, so the common
row (a measure, a date, a number, maybe a source id) never becomes Python objects until its measure's event is
made."""

from __future__ import annotations

import csv
import itertools
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import numpy as np
import orjson
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import pyarrow.json as pajson

from domain.control import sources
from domain.control.columns import SourceIds, grouped_periods, grouped_values
from domain.control.observations import ObservationIn
from domain.control.sources import digests_of, json_arrays
from service.commands.intake import Columns
from service.edge.chunks import BodyError, cut_rows
from service.edge.items import ItemError, columns_of, parse_item

FIELDS = ("measureId", "period", "value", "numerator", "denominator", "sourceId", "note")
NUMBERS = ("value", "numerator", "denominator")
# A chunk ends at the first row end at or after this many bytes. CSV chunks are read into columns (~20 MB of
# memory for 4 MiB); NDJSON chunks of plain lines too, other NDJSON lines become Python objects (~10 MB for
# 1 MiB), so NDJSON chunks stay small. Each measure's part of a chunk is one event, so larger chunks write fewer,
# larger events.
CSV_CHUNK_BYTES = 4 << 20
NDJSON_CHUNK_BYTES = 1 << 20
_NUMBER = r"^[+-]?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][+-]?[0-9]+)?$"  # what JSON and CSV writers write; no NaN or inf

# pyarrow's memory from the C library's allocator rather than its bundled mimalloc. With mimalloc, the first
# chunks a process read took about twice as long as later ones (a fresh server's first 25,000-row chunks 85-150 ms
# for four, then 35-65 ms); with the C allocator the first cost what the later do. A feed's first body, and a
# benchmark's, is no slower than its next (four concurrent spanning CSV bodies on a fresh server: 0.14-0.23 s
# against 0.21-0.29 s, and 0.18 against 0.25-0.26 core-seconds of the server's CPU).
pa.set_memory_pool(pa.system_memory_pool())


@dataclass(slots=True)
class Chunk:
    """One chunk's rows: plain values per measure for the column path, the rest item by item, and the rows that
    could not be read. Every index is the 0-based data row (or line) of the whole body."""

    rows: int
    groups: dict[str, Columns] = field(default_factory=dict)
    items: list[tuple[int, str, ObservationIn]] = field(default_factory=list)
    errors: list[dict[str, Any]] = field(default_factory=list)


def split_header(chunk: bytes) -> tuple[list[str], memoryview]:
    """The CSV header's column names and the rest of the chunk (a view, not a copy); BodyError naming an unknown
    or repeated column."""
    end = cut_rows(chunk, 1, True)
    line, rest = (chunk, memoryview(b"")) if end < 0 else (chunk[:end], memoryview(chunk)[end:])
    try:
        names = next(csv.reader([line.decode("utf-8").rstrip("\r\n")]), [])
    except (UnicodeDecodeError, csv.Error) as e:
        raise BodyError(f"The CSV header row cannot be read: {e}.") from None
    if not names or names == [""]:
        raise BodyError(f"The CSV body needs a header row naming its columns ({', '.join(FIELDS)}).")
    unknown = [n for n in names if n not in FIELDS]
    if unknown:
        raise BodyError(f"Unknown column {unknown[0]!r}; the columns are {', '.join(FIELDS)}.")
    repeated = sorted({n for n in names if names.count(n) > 1})
    if repeated:
        raise BodyError(f"Column {repeated[0]!r} appears more than once in the header.")
    return names, rest


def parse_csv(chunk: bytes | memoryview, names: list[str], offset: int) -> Chunk:
    """A chunk of CSV data rows (no header), its first row being data row `offset` of the body."""
    if not chunk:
        return Chunk(0)
    invalid: dict[int, int] = {}

    def on_invalid(row: Any) -> str:
        invalid[row.number] = row.actual_columns
        return "skip"

    table = _read_typed(chunk, names, on_invalid)
    if table is None:  # some value is not what its column holds: read as text, each problem then named per row
        invalid.clear()
        try:
            table = pacsv.read_csv(pa.py_buffer(chunk), read_options=_read_options(names, chunk),
                                   parse_options=_parse_options(on_invalid),
                                   convert_options=pacsv.ConvertOptions(column_types=dict.fromkeys(names, pa.string()),
                                                                        **_NULLS))
        except pa.ArrowInvalid as e:
            raise BodyError(f"The CSV cannot be read near data row {offset}: {e}.") from None
    n = table.num_rows
    rows = n + len(invalid)
    if invalid:  # rows with the wrong number of fields: reported, and the table's rows are the others
        numbers = np.arange(1, rows + 1)
        index = offset + numbers[~np.isin(numbers, list(invalid))] - 1
    else:
        index = np.arange(offset, offset + n)
    out = Chunk(rows, errors=[{"index": offset + number - 1, "code": "INVALID_ROW", "field": None,
                               "message": f"The row has {count} fields; the header names {len(names)}."}
                              for number, count in invalid.items()])
    if n:
        _columns(table, index, out)
    out.errors.sort(key=lambda e: e["index"])
    return out


# Empty fields are missing values; nothing else is (pyarrow would also read "NA", "null", "NaN" as missing).
_NULLS: dict[str, Any] = {"null_values": [""], "strings_can_be_null": True, "quoted_strings_can_be_null": True}
# The usual chunk's columns as pyarrow reads them in one pass: measure ids dictionary-encoded (grouped by code),
# numbers as float64 (what the text read's checks accept, surrounding spaces included). Periods stay text: the
# reader's dates would accept " 2024-01-01", which the strict cast in _columns refuses.
_TYPES = {"measureId": pa.dictionary(pa.int32(), pa.string()), "period": pa.string(), "value": pa.float64(),
          "numerator": pa.float64(), "denominator": pa.float64(), "sourceId": pa.string(), "note": pa.string()}


def _read_options(names: list[str], chunk: bytes | memoryview) -> pacsv.ReadOptions:
    return pacsv.ReadOptions(column_names=names, use_threads=False, block_size=len(chunk) + 1)


def _parse_options(on_invalid: Any) -> pacsv.ParseOptions:
    return pacsv.ParseOptions(newlines_in_values=True, ignore_empty_lines=False, invalid_row_handler=on_invalid)


def _read_typed(chunk: bytes | memoryview, names: list[str], on_invalid: Any) -> pa.Table | None:
    """The chunk read straight into typed columns, or None when a number does not convert or is not finite: the
    text read then names each such row."""
    try:
        table = pacsv.read_csv(pa.py_buffer(chunk), read_options=_read_options(names, chunk),
                               parse_options=_parse_options(on_invalid),
                               convert_options=pacsv.ConvertOptions(column_types=_TYPES, **_NULLS))
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        return None
    for name in NUMBERS:
        if name in names and not pc.all(pc.is_finite(table.column(name))).as_py():  # nulls skipped
            return None
    return table


_JSON_SCHEMA = pa.schema([(name, pa.float64() if name in NUMBERS else pa.string()) for name in FIELDS])


def _plain_ndjson(chunk: bytes, offset: int) -> Chunk | None:
    """The usual NDJSON chunk, read by pyarrow's JSON reader straight into columns: every line an object of known
    fields with a measureId, a YYYY-MM-DD period and a finite value (no numerator, denominator or note), and no
    blank line. None for anything else, which is then read line by line, each line's problem named as in a
    JSON body (the column reader would name them differently, or not at all: it reads NaN, and two objects on
    one line)."""
    lines = chunk.count(b"\n") + (0 if chunk.endswith(b"\n") else 1)
    try:
        table = pajson.read_json(pa.py_buffer(chunk), read_options=pajson.ReadOptions(
            use_threads=False, block_size=len(chunk) + 1), parse_options=pajson.ParseOptions(
            explicit_schema=_JSON_SCHEMA, unexpected_field_behavior="error"))
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        return None
    cols = {name: table.column(name).combine_chunks() for name in FIELDS}
    if table.num_rows != lines or any(cols[name].null_count for name in ("measureId", "period", "value")) or any(
            cols[name].null_count != lines for name in ("numerator", "denominator", "note")):
        return None
    values = np.asarray(cols["value"].to_numpy(zero_copy_only=False))
    if not np.isfinite(values).all() or pc.min(pc.utf8_length(cols["measureId"])).as_py() == 0:
        return None
    try:
        pc.cast(cols["period"], pa.date32())
    except pa.ArrowInvalid:
        return None
    out = Chunk(lines)
    _columns(table.drop_columns(["numerator", "denominator", "note"]), np.arange(offset, offset + lines), out)
    return out


def _columns(table: pa.Table, index: np.ndarray, out: Chunk) -> None:
    n = table.num_rows
    cols = {name: table.column(name).combine_chunks() for name in table.column_names}
    given = {name: ~np.asarray(col.is_null().to_numpy(zero_copy_only=False)) for name, col in cols.items()}
    none = np.zeros(n, dtype=bool)
    blank = ~np.logical_or.reduce([given[name] for name in cols]) if cols else ~none  # skipped, still counted
    bad = blank.copy()

    def fail(mask: np.ndarray, code: str, field_name: str, message: Any) -> None:
        nonlocal bad
        mask = mask & ~bad
        for i in np.flatnonzero(mask):
            out.errors.append({"index": int(index[i]), "code": code, "field": field_name, "message": message(i)})
        bad = bad | mask

    fail(~given.get("measureId", none), "MISSING_MEASURE", "measureId",
         lambda i: "measureId is required.")
    period = cols.get("period")
    dates = None  # the periods as days, where they are calendar dates (NaT elsewhere)
    if period is None:
        period_ok = none
    else:
        try:  # strict: a date written YYYY-MM-DD that exists
            cast = pc.cast(period, pa.date32())
            period_ok = np.asarray(pc.is_valid(cast).to_numpy(zero_copy_only=False))
            dates = np.asarray(cast.to_numpy(zero_copy_only=False))
        except pa.ArrowInvalid:  # some are not: strptime reads them all (rolling 2024-02-30 into March, reading
            # 2024-1-1), and only a date written back as it was sent counts
            days = pc.cast(pc.strptime(period, format="%Y-%m-%d", unit="s", error_is_null=True), pa.date32())
            period_ok = np.asarray(pc.fill_null(pc.equal(pc.cast(days, pa.string()), period), False)
                                   .to_numpy(zero_copy_only=False))
            dates = np.asarray(days.to_numpy(zero_copy_only=False))
    texts = period.to_pylist() if period is not None and not period_ok[~bad].all() else None
    fail(~period_ok, "INVALID_DATE", "period",
         lambda i: "period is required: a calendar date written YYYY-MM-DD." if texts is None or texts[i] is None
         else f"period {texts[i]!r} is not a calendar date (YYYY-MM-DD).")
    numbers: dict[str, np.ndarray] = {}
    for name in NUMBERS:
        col = cols.get(name)
        if col is None:
            continue
        try:  # the usual column: every value a finite number as written
            column = np.asarray(pc.cast(col, pa.float64()).to_numpy(zero_copy_only=False))
            if np.isfinite(column[given[name]]).all():
                numbers[name] = column
                continue
        except pa.ArrowInvalid:
            pass
        trimmed = pc.utf8_trim_whitespace(col)
        ok = np.asarray(pc.fill_null(pc.match_substring_regex(trimmed, _NUMBER), True).to_numpy(zero_copy_only=False))
        if not ok.all():
            raw = col.to_pylist()
            fail(~ok, "NOT_A_NUMBER", name, lambda i, raw=raw, name=name: f"{name} must be a number, not {raw[i]!r}.")
            trimmed = pc.if_else(pa.array(ok), trimmed, pa.nulls(n, pa.string()))
        numbers[name] = np.asarray(pc.cast(trimmed, pa.float64()).to_numpy(zero_copy_only=False))
    good = ~bad
    plain = good & given.get("value", none)
    for name in ("numerator", "denominator", "note"):
        plain &= ~given.get(name, none)
    if good.any():
        _route(cols, given, numbers, dates, index, good, plain, out)


def _route(cols: dict[str, pa.Array], given: dict[str, np.ndarray], numbers: dict[str, np.ndarray],
           dates: np.ndarray | None, index: np.ndarray, good: np.ndarray, plain: np.ndarray, out: Chunk) -> None:
    """The good rows: a measure whose rows are all plain values goes on the column path, the others item by item
    (a measure's rows stay on one path, so their order within the chunk is kept)."""
    encoded = cols["measureId"].dictionary_encode()
    codes = np.asarray(pc.fill_null(encoded.indices, -1).to_numpy(zero_copy_only=False))
    ids: list[str] = encoded.dictionary.to_pylist()
    slow = np.zeros(len(ids), dtype=bool)
    slow[codes[good & ~plain]] = True
    source = given.get("sourceId")
    if source is not None:  # a measure's plain rows either all carry a source id or none does
        with_source = np.bincount(codes[plain & source], minlength=len(ids))
        without = np.bincount(codes[plain & ~source], minlength=len(ids))
        slow |= (with_source > 0) & (without > 0)
    fast = plain & ~slow[np.maximum(codes, 0)]
    rows = np.flatnonzero(fast)
    if len(rows):
        # One stable sort groups the rows by measure (keeping each measure's rows in the order sent); each
        # measure's part is then slices of numpy columns: checked days and float64 values, and its source ids'
        # digests and JSON (no Python object per value or per id).
        rows = rows[np.argsort(codes[rows], kind="stable")]
        taken = pa.array(rows)
        assert dates is not None  # a plain row has a period, which is a date (else it is not good)
        days = dates[rows]
        values = numbers["value"][rows]
        indexes = index[rows]
        sorted_codes = codes[rows]
        starts = [0, *(np.flatnonzero(sorted_codes[1:] != sorted_codes[:-1]) + 1).tolist(), len(rows)]
        sources = _source_ids(cols["sourceId"].take(taken), starts) if "sourceId" in cols else None
        periods, parts = grouped_periods(days, starts), grouped_values(values, starts)
        for j, (a, b) in enumerate(itertools.pairwise(starts)):
            part_sources = sources(j, a, b) if sources is not None else None
            out.groups[ids[sorted_codes[a]]] = (indexes[a:b], periods[j], parts[j], part_sources)
    rows = np.flatnonzero(good & ~fast)
    if len(rows):
        taken = pa.array(rows)
        listed = {name: cols[name].take(taken).to_pylist() for name in ("measureId", "period", "sourceId", "note")
                  if name in cols}
        nums = {name: [None if not given[name][r] else float(column[r]) for r in rows]
                for name, column in numbers.items()}
        empty = [None] * len(rows)
        for j, r in enumerate(rows.tolist()):
            out.items.append((int(index[r]), listed["measureId"][j], ObservationIn(
                date.fromisoformat(listed["period"][j]), nums.get("value", empty)[j],
                nums.get("numerator", empty)[j], nums.get("denominator", empty)[j],
                listed.get("sourceId", empty)[j], listed.get("note", empty)[j])))


def _source_ids(column: pa.Array, starts: list[int]) -> Callable[[int, int, int], SourceIds | None]:
    """Each measure's source ids (rows starts[j]:starts[j+1] of the column, grouped by measure) as SourceIds, their
    lengths, NUL, digests and JSON measured a column at a time, with no Python string per id. None for a part
    without source ids."""
    if column.null_count == len(column):
        return lambda j, a, b: None
    buffers = column.buffers()
    offsets = np.frombuffer(buffers[1], dtype=np.int32)[column.offset:column.offset + len(column) + 1]
    text = np.frombuffer(buffers[2] or b"", dtype=np.uint8)
    found = digests_of(offsets, text)
    arrays = json_arrays(offsets, text, starts)
    given = np.asarray(column.is_valid().to_numpy(zero_copy_only=False))
    lengths = np.asarray(pc.fill_null(pc.utf8_length(column), 0).to_numpy(zero_copy_only=False))
    heads = starts[:-1]
    shortest, longest = np.minimum.reduceat(lengths, heads).tolist(), np.maximum.reduceat(lengths, heads).tolist()
    if not text[offsets[0]:offsets[-1]].all():  # a NUL in the column's text: find whose
        with_nul = np.asarray(pc.fill_null(pc.match_substring(column, "\x00"), False).to_numpy(zero_copy_only=False))
        nul = np.logical_or.reduceat(with_nul, heads).tolist()
    else:
        nul = [False] * len(heads)

    def part(j: int, a: int, b: int) -> SourceIds | None:
        if not given[a]:  # a measure's plain rows all carry a source id or none does (see _route)
            return None
        return SourceIds(arrays[j], found[a:b], shortest=shortest[j], longest=longest[j], nul=nul[j])

    return part


def parse_ndjson(chunk: bytes, offset: int) -> Chunk:
    """A chunk of NDJSON lines, its first line being line `offset` of the body; blank lines are skipped but
    counted. Each line is an item of the JSON body's shape, and the items are stored as the JSON body's are."""
    plain = _plain_ndjson(chunk, offset)
    if plain is not None:
        return plain
    lines = chunk.split(b"\n")
    if chunk.endswith(b"\n"):
        lines.pop()  # the last line's terminator, not a blank line
    out = Chunk(len(lines))
    found: list[Any] = []
    where: list[int] = []
    for i, line in enumerate(lines):
        if not line.strip():
            continue
        try:
            found.append(orjson.loads(line))
        except orjson.JSONDecodeError as e:
            out.errors.append({"index": offset + i, "code": "INVALID_JSON", "field": None,
                               "message": f"The line is not valid JSON: {e}."})
            continue
        where.append(offset + i)
    groups = columns_of(found)
    if groups is not None:
        out.groups = {m: ([where[j] for j in part[0]], *part[1:]) for m, part in groups.items()}  # type: ignore[misc]
        return out
    for j, raw in enumerate(found):
        try:
            measure_id, obs = parse_item(raw)
        except ItemError as e:
            out.errors.append({"index": where[j], "code": e.code, "message": e.message, "field": e.field})
            continue
        out.items.append((where[j], measure_id, obs))
    out.errors.sort(key=lambda e: e["index"])
    return out


def warm_up() -> None:
    """Each reader and the period column's JSON once on a tiny body: their first calls cost tens of milliseconds
    (pyarrow's readers and casts, the date table, numba's kernels), which the first request would otherwise pay."""
    names, data = split_header(b"measureId,period,value,sourceId\nm,2024-01-01,1,s\n")
    for part in parse_csv(data, names, 0).groups.values():
        part[1].json_bytes()  # type: ignore[union-attr]
    parse_ndjson(b'{"measureId": "m", "period": "2024-01-01", "value": 1}\n', 0)
    sources.warm_up()  # the measures' source-id kernels (the reader above ran its own)


warm_up()  # at import: the server imports this module as it starts
