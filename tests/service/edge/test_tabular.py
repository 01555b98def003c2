"""CSV and NDJSON chunks read into columns per measure: plain rows as numpy columns, anything else as before."""

from __future__ import annotations

from uuid import uuid4

import orjson
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from domain.control.columns import PeriodColumn, SourceIds, ValueColumn
from domain.control.measure import Measure, MeasureDefinition
from service.edge import chunks, tabular
from service.edge.tabular import Chunk, parse_csv, parse_ndjson, split_header


def lines(*items: dict) -> bytes:
    return b"".join(orjson.dumps(i) + b"\n" for i in items)


def test_plain_ndjson_lines_become_columns_per_measure_in_the_order_sent() -> None:
    chunk = lines({"measureId": "a", "period": "2024-01-02", "value": 1, "sourceId": "x"},
                  {"measureId": "b", "period": "2024-01-01", "value": 2.5, "sourceId": "y"},
                  {"measureId": "a", "period": "2024-01-01", "value": 3.0, "sourceId": "z"})
    out = parse_ndjson(chunk, 10)
    assert (out.rows, out.items, out.errors) == (3, [], [])
    indexes, periods, values, sources = out.groups["a"]
    assert isinstance(periods, PeriodColumn) and periods == ["2024-01-02", "2024-01-01"]
    assert list(indexes) == [10, 12] and isinstance(values, ValueColumn) and values.tolist() == [1.0, 3.0]
    assert values.finite  # measured for the chunk: the measure need not check again
    assert sources == ["x", "z"]
    assert list(out.groups["b"][0]) == [11]


def test_ndjson_the_column_reader_would_misread_is_read_line_by_line() -> None:
    good = {"measureId": "a", "period": "2024-01-01", "value": 1}
    chunk = lines(good) + b'{"measureId": "a", "period": "2024-01-02", "value": NaN}\n' + \
        b'{"measureId": "a", "period": "2024-01-03", "value": 1}{"value": 2}\n' + lines({**good, "value": "5"})
    out = parse_ndjson(chunk, 0)
    assert [(e["index"], e["code"]) for e in out.errors] == [(1, "INVALID_JSON"), (2, "INVALID_JSON"),
                                                             (3, "NOT_A_NUMBER")]
    assert [i for i, _, _ in out.items] == [0]


def test_csv_rows_become_checked_day_and_value_columns() -> None:
    names, data = split_header(b"measureId,period,value\nm,2024-03-01,4\nm,2024-02-30,5\nm,2024-03-02,6\n")
    out = parse_csv(data, names, 0)
    assert [(e["index"], e["code"]) for e in out.errors] == [(1, "INVALID_DATE")]
    indexes, periods, values, sources = out.groups["m"]
    assert list(indexes) == [0, 2] and periods == ["2024-03-01", "2024-03-02"] and values.tolist() == [4.0, 6.0]
    assert sources is None


def test_a_part_holding_a_number_too_large_for_a_double_is_not_marked_finite_and_the_measure_checks_it() -> None:
    # "abc" makes the chunk read as text; "1e999" is then a number as written, which reads as infinity
    names, data = split_header(b"measureId,period,value\nm,2024-03-01,1e999\nm,2024-03-02,abc\nn,2024-03-01,4\n")
    out = parse_csv(data, names, 0)
    assert [(e["index"], e["code"]) for e in out.errors] == [(1, "NOT_A_NUMBER")]
    (_, periods, inf, _), (_, _, four, _) = out.groups["m"], out.groups["n"]
    assert isinstance(inf, ValueColumn) and not inf.finite and isinstance(four, ValueColumn) and four.finite
    m = Measure.define(measure_id=uuid4(), definition=MeasureDefinition("t", "M", "OUTCOME", "INCREASE",
                                                                                   frequency="DAY"))
    assert m.record_values(periods, inf, None) is None  # the item-by-item path then names the infinite value


def _as_data(out: Chunk) -> tuple:
    groups = {m: (list(i), list(p), list(v), s) for m, (i, p, v, s) in out.groups.items()}
    return out.rows, groups, out.items, out.errors


def test_a_csv_chunk_read_typed_reads_as_the_text_read_would(monkeypatch: pytest.MonkeyPatch) -> None:
    """The usual chunk is read straight into typed columns; anything it cannot convert is read as text. Both
    reads give the same rows, groups, items and errors."""
    names, data = split_header(b"measureId,period,value,numerator,denominator,sourceId,note\n"
                               b"a,2024-03-01,4,,,s1,\n"
                               b"b,2024-03-01,,3,10,s2,\n"       # a ratio: item by item
                               b"a,2024-03-02,5.5,,,s3,\n"
                               b",2024-03-02,1,,,s4,\n"         # no measure
                               b"c,,2,,,s5,\n"                  # no period
                               b"c,2024-03-03,7,,,,\"a note\"\n"  # a note: item by item
                               b"a, 2024-03-04, 8 ,,,s7,\n"     # a period written with spaces is not a date
                               b"a,2024-03-03,1e2,,,s6,\n")
    assert tabular._read_typed(data, names, lambda row: "skip") is not None
    typed = parse_csv(data, names, 5)
    monkeypatch.setattr(tabular, "_read_typed", lambda *_: None)
    text = parse_csv(data, names, 5)
    assert _as_data(typed) == _as_data(text)
    assert list(typed.groups["a"][2]) == [4.0, 5.5, 100.0] and [i for i, _, _ in typed.items] == [6, 10]
    assert [(e["index"], e["code"]) for e in typed.errors] == [(8, "MISSING_MEASURE"), (9, "INVALID_DATE"),
                                                              (11, "INVALID_DATE")]


source_texts = st.one_of(st.sampled_from(["lab-1", "lab-2", "x" * 200, "y" * 201, "n\x00ul", "é" * 3]),
                         st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters='"\r\n,'),
                                 min_size=1, max_size=6))


@settings(max_examples=150, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(["m1", "m2", "m3"]), source_texts), min_size=1, max_size=30))
def test_a_chunk_s_source_ids_come_measured_as_python_would_measure_them(rows: list[tuple[str, str]]) -> None:
    body = "".join(f"{m},2024-01-{i % 28 + 1:02d},{i},{s}\n" for i, (m, s) in enumerate(rows)).encode()
    out = parse_csv(body, ["measureId", "period", "value", "sourceId"], 0)
    for _, _, _, ids in out.groups.values():
        assert isinstance(ids, SourceIds)
        python = SourceIds.measured(orjson.loads(ids.json_bytes()))  # the reader's JSON is the ids' JSON
        assert (ids.shortest, ids.longest, ids.nul) == (python.shortest, python.longest, python.nul)
        assert ids.digests.tolist() == python.digests.tolist()
    sent = {}
    for m, s in rows:
        sent.setdefault(m, []).append(s)
    assert {m: list(part[3]) for m, part in out.groups.items()} == {m: sent[m] for m in out.groups}


async def _chunks(body: bytes, cuts: list[int], quoted: bool, size: int) -> list[bytes]:
    async def stream():  # the body as the network delivered it: pieces cut at `cuts`
        at = 0
        for cut in sorted(set(cuts)):
            yield body[at:cut]
            at = cut
        yield body[at:]

    return [b"".join(c) async for c in chunks.row_chunks(stream(), quoted, size)]


rows_text = st.lists(st.one_of(st.sampled_from(["a,1\n", "bb,22\n", '"q\nq",3\n', "\n", '"x""y",4\n']),
                               st.text("ab,\n", max_size=6).map(lambda t: t + "\n")), max_size=25)


@settings(max_examples=300, deadline=None)
@given(rows_text, st.booleans(), st.lists(st.integers(0, 200), max_size=12), st.integers(1, 40))
def test_chunks_are_whole_rows_cut_by_the_bytes_alone_whatever_pieces_arrive(rows: list[str], bom: bool,
                                                                             cuts: list[int], size: int) -> None:
    import asyncio

    text = "".join(rows).encode()
    body = (b"\xef\xbb\xbf" if bom else b"") + text
    cuts = [c for c in cuts if c <= len(body)]
    got = asyncio.run(_chunks(body, cuts, True, size))
    assert got == asyncio.run(_chunks(body, [], True, size))  # as if it came in one piece
    assert b"".join(got) == text and all(got)  # the BOM dropped, nothing else lost or added
    for chunk in got[:-1]:  # each but the last: at least `size` bytes, ending at a row's end outside quotes
        assert len(chunk) >= size and chunk.endswith(b"\n") and chunk.count(b'"') % 2 == 0
        assert chunks.cut_rows(chunk, size, True) == len(chunk)  # and at the first such end
