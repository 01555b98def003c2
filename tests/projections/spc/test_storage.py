"""The stored chart on the real PostgreSQL: a header per measure and its points in chunks, written a batch at a time
and read back in one statement as the chart the series gives."""

from __future__ import annotations

from collections.abc import AsyncIterator

import asyncpg
import numpy as np
import pytest

from domain.control.vocabulary import ChartType, Direction
from projections.spc import document
from projections.spc.fold import Series
from service.eventstore.database import migrate


@pytest.fixture
async def conn(make_database) -> AsyncIterator[asyncpg.Connection]:  # type: ignore[no-untyped-def]
    url = await make_database()
    connection = await asyncpg.connect(url)
    await migrate(connection)
    yield connection
    await connection.close()


def days(first: int, n: int) -> list[str]:
    return np.datetime_as_string(np.arange(first, first + n).astype("datetime64[D]")).tolist()


async def test_appended_batches_read_back_as_the_chart_of_the_whole_series(conn: asyncpg.Connection) -> None:
    series = Series(ChartType.XMR, Direction.INCREASE, 6, 6)
    rng = np.random.default_rng(7)
    written = 0
    for size in (5, 200, 1, 130, 60):  # across chunk boundaries, and a chunk filled exactly later
        series.record(days(18_000 + written, size), rng.normal(50, 5, size).tolist(), None)
        written += size
        await document.write(conn, [("m", written, series)])
    chunks = await conn.fetchval("SELECT count(*) FROM spc_points WHERE measure_id = 'm'")
    stored = (await document.read(conn, ["m", "unknown"]))
    assert set(stored) == {"m"} and chunks == -(-written // document.CHUNK)
    assert stored["m"].values == series.values.tolist() and stored["m"].position == written
    expected = document.view_of(series)
    for column in ("periods", "centre_line", "upper_process_limit", "lower_two_sigma", "variation", "rules"):
        assert getattr(stored["m"], column) == getattr(expected, column), column
    assert stored["m"].variation_icon == expected.variation_icon


async def test_a_correction_and_a_ratio_chart_keep_every_column(conn: asyncpg.Connection) -> None:
    series = Series(ChartType.P, Direction.DECREASE, 6, 6)
    series.record(days(19_000, 300), [float(i % 7) for i in range(300)], [20.0 + i % 5 for i in range(300)])
    await document.write(conn, [("p", 1, series)])
    series.record(days(19_000 + 10, 1), [19.0], [19.0])  # a correction early in the first chunk
    series.set_recalculations([days(19_000 + 150, 1)[0]])
    series.set_baseline(20)
    series.set_targets([("", 0.5), (days(19_000 + 200, 1)[0], 0.2), (days(19_000 + 400, 1)[0], 0.9)])
    await document.write(conn, [("p", 2, series)])
    again = (await document.read_series(conn, ["p"]))["p"]
    assert again.values[10] == 19.0 and again.denominators.tolist() == series.denominators.tolist()
    assert again.recalculations == series.recalculations and again.saved == again.size == 300
    plain = Series(ChartType.XMR, Direction.NEITHER, 6, 6)
    plain.record(days(19_000, 40), [float(i % 5) for i in range(40)], None)
    await document.write(conn, [("x", 3, plain)])
    both = await document.read(conn, ["x", "p"])  # one kernel call for a P chart and an XmR chart
    assert both["x"].upper_process_limit == document.view_of(plain).upper_process_limit
    stored, expected = both["p"], document.view_of(series)
    for column in ("values", "centre_line", "upper_process_limit", "lower_process_limit", "variation", "rules"):
        assert getattr(stored, column) == getattr(expected, column), column
    assert (stored.assurance, stored.variation_icon, stored.target) == (expected.assurance, expected.variation_icon,
                                                                        0.9)


async def test_a_header_that_counts_other_points_than_the_chunks_hold_is_refused(conn: asyncpg.Connection) -> None:
    series = Series(ChartType.C, Direction.NEITHER, 6, 6)
    series.record(days(18_000, 10), [1.0] * 10, None)
    await document.write(conn, [("c", 1, series)])
    await conn.execute("UPDATE spc_series SET points = 11")
    with pytest.raises(ValueError, match="10 points stored"):
        await document.read(conn, ["c"])
