"""SPC benchmark on the product's path: `chart_series`, the one kernel call that charts every measure a chart read
(projections/spc/document.py) or a signals-projection batch (projections/signals) needs, against a numpy-vectorised
XmR baseline in the same run; then the SPC projection's whole handle per chart (fold → stored bytes; charts are
computed when read), and cold start."""

from __future__ import annotations

import os

os.environ.setdefault("NUMBA_NUM_THREADS", "1")

import asyncio
import subprocess
import sys
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from uuid import uuid4

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from domain.control.measure import Measure  # noqa: E402
from domain.control.vocabulary import ChartType, Direction  # noqa: E402
from projections.base import ProjectedEvent  # noqa: E402
from projections.spc.columns import Columns  # noqa: E402
from projections.spc.fold import Series, chart_series  # noqa: E402
from projections.spc.projection import SpcProjection  # noqa: E402

SERIES, POINTS, RUN = 10_000, 100, 6
START = date(2015, 1, 1)
# The mix: (share, chart type, phases at these points, baseline points, target). XmR with four rules is what the
# numpy baseline computes; the others are there because the projection charts them in the same call.
MIX = [
    (0.40, ChartType.XMR, (), 0, None),
    (0.20, ChartType.XMR, (50,), 0, 52.0),
    (0.10, ChartType.XMR, (30, 70), 0, 55.0),
    (0.05, ChartType.XMR, (), 20, 48.0),
    (0.05, ChartType.P, (60,), 0, 0.5),
    (0.04, ChartType.U, (), 0, None),
    (0.04, ChartType.C, (), 0, None),
    (0.04, ChartType.G, (), 0, None),
    (0.04, ChartType.T, (), 0, None),
    (0.04, ChartType.RUN, (50,), 0, None),
]


def runs_of(mask: np.ndarray, length: int) -> np.ndarray:
    """Points inside a run of >= length consecutive True values along axis 1 (vectorised per rule)."""
    windows = np.lib.stride_tricks.sliding_window_view(mask, length, axis=1).all(axis=2)
    out = np.zeros_like(mask)
    for k in range(length):  # a loop over the window offset, not over points
        out[:, k : k + windows.shape[1]] |= windows
    return out


def numpy_xmr(x: np.ndarray, k: float = 2.66) -> tuple[np.ndarray, ...]:
    """XmR lines, the four rules, direction INCREASE, improvement wins, on a (series, points) matrix: one phase per
    series, no targets, no other chart types (less than the product path does)."""
    mean = x.mean(axis=1, keepdims=True)
    mrbar = np.abs(np.diff(x, axis=1)).mean(axis=1, keepdims=True)
    ucl, lcl = mean + k * mrbar, mean - k * mrbar
    u2, l2 = mean + 2 * (k / 3) * mrbar, mean - 2 * (k / 3) * mrbar
    lines = np.broadcast_to(np.stack([mean, ucl, lcl, u2, l2]), (5, *x.shape)).copy()  # per point, as stored
    above, below = x > mean, x < mean
    hi = (x > ucl).astype(np.uint8)
    lo = (x < lcl).astype(np.uint8)
    hi |= runs_of(above, RUN).astype(np.uint8) << 1
    lo |= runs_of(below, RUN).astype(np.uint8) << 1
    d = np.diff(x, axis=1)
    rising = np.zeros_like(above)
    falling = np.zeros_like(above)
    r, f = runs_of(d > 0, RUN - 1), runs_of(d < 0, RUN - 1)
    rising[:, 1:] |= r
    rising[:, :-1] |= r
    falling[:, 1:] |= f
    falling[:, :-1] |= f
    hi |= rising.astype(np.uint8) << 2
    lo |= falling.astype(np.uint8) << 2
    for side, near, out in ((above, (x > u2) & (x <= ucl), hi), (below, (x < l2) & (x >= lcl), lo)):
        same = np.lib.stride_tricks.sliding_window_view(side, 3, axis=1).all(axis=2)
        count = np.lib.stride_tricks.sliding_window_view(near, 3, axis=1).sum(axis=2)
        hit = same & (count >= 2)
        flag = np.zeros_like(side)
        for j in range(3):
            flag[:, j : j + hit.shape[1]] |= hit
        out |= (flag & near).astype(np.uint8) << 3
    rules = hi | lo
    variation = np.where(hi > 0, 1, np.where(lo > 0, 2, 0)).astype(np.int8)
    return lines, rules, variation


def periods(n: int, first: int = 0) -> list[str]:
    return [(START + timedelta(days=first + i)).isoformat() for i in range(n)]


def make_series(rng: np.random.Generator, points: int = POINTS) -> list[Series]:
    """SERIES fold states in the mix, built by the fold's own methods into one Columns, as the projection's cache
    holds them."""
    out = []
    columns = Columns()
    days = periods(points)
    recalc_days = {p: days[p] for _, _, phases, _, _ in MIX for p in phases}
    kinds = np.repeat(np.arange(len(MIX)), np.round(np.array([m[0] for m in MIX]) * SERIES).astype(int))
    for i, k in enumerate(kinds):
        _, chart, phases, baseline, target = MIX[k]
        s = Series(chart, Direction.INCREASE if i % 2 else Direction.DECREASE, 6, 6, columns)
        x = np.round(rng.normal(50, 5, points) + np.linspace(0, 3, points), 1)
        den = None
        if chart in (ChartType.P, ChartType.U):
            den = rng.integers(80, 120, points).astype(float).tolist()
            x = np.round(np.asarray(den) * rng.uniform(0.3, 0.6, points))
        elif chart in (ChartType.C, ChartType.G, ChartType.T):
            x = rng.poisson(8, points).astype(float) + (chart is ChartType.T)
        s.record(days, x.tolist(), den)
        s.set_recalculations([recalc_days[p] for p in phases])
        s.set_baseline(baseline)
        s.set_targets([("", target)] if target is not None else [])
        out.append(s)
    return out


def best_of(fn: Any, repeats: int) -> float:
    best = float("inf")
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t0)
    return best


class FakeConnection:
    """Takes the projection's writes without a database: the handle's own cost, not PostgreSQL's."""

    async def fetch(self, *args: Any) -> list[Any]:
        return []

    async def executemany(self, sql: str, rows: list[Any]) -> None:
        self.rows = rows


def handle_per_chart(rng: np.random.Generator) -> tuple[float, int]:
    """One batch of SERIES events, one new observation per measure whose 99 earlier points are in the cache."""
    projection = SpcProjection(cache_size=10 * SERIES)
    many = make_series(rng, POINTS - 1)
    projection._columns = many[0].columns
    for i, s in enumerate(many):
        projection._cache[f"m{i}"] = s
    now = datetime.now(UTC)
    day = periods(1, POINTS - 1)
    events = [ProjectedEvent(i + 1, f"m{i}", now, "bench", Measure.ObservationsRecorded(
        originator_id=uuid4(), originator_version=2, timestamp=now, periods=day, values=[50.0], numerators=[50.0],
        denominators=[100.0], source_ids=None, notes=None, corrected=[])) for i in range(SERIES)]
    conn = FakeConnection()
    t0 = time.perf_counter()
    asyncio.run(projection.handle(conn, events))  # type: ignore[arg-type]
    took = time.perf_counter() - t0
    return took / SERIES, sum(len(r[2]) + len(r[3]) for r in conn.rows) // SERIES


def cold_start_seconds() -> tuple[float, float]:
    code = (
        f"import time; t0 = time.perf_counter(); import numpy as np, sys; sys.path.insert(0, {str(ROOT)!r});"
        "from projections.spc import ChartSettings, compute_chart;"
        "compute_chart(ChartSettings(), np.arange(20.0)); print(time.perf_counter() - t0)"
    )
    subprocess.run([sys.executable, "-c", code], check=True, capture_output=True)  # warm the cache
    t0 = time.perf_counter()
    out = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, text=True)
    return time.perf_counter() - t0, float(out.stdout)


def main() -> None:
    rng = np.random.default_rng(7)
    many = make_series(rng)
    points = sum(s.days.size for s in many)
    batch = chart_series(many)  # compile / load the cache
    xmr = [s for s in many if s.chart_type is ChartType.XMR and not s.recalculations and not s.baseline_points]
    matrix = np.stack([s.values for s in xmr])
    _, n_rules, n_var = numpy_xmr(matrix)
    one = chart_series([s for s in xmr if s.direction is Direction.INCREASE])
    same = np.stack([s.direction is Direction.INCREASE for s in xmr])
    differ = np.count_nonzero((one.rules != n_rules[same].ravel()) | (one.variation != n_var[same].ravel()))
    # interleaved, so that on a shared machine both see the same load: four product calls beside each numpy call
    t_product, t_numpy = float("inf"), float("inf")
    for _ in range(5):
        t_product = min(t_product, best_of(lambda: chart_series(many), 4))
        t_numpy = min(t_numpy, best_of(lambda: numpy_xmr(matrix), 1))
    numpy_rate = matrix.size / t_numpy
    threads = os.environ["NUMBA_NUM_THREADS"]
    print(f"{len(many)} series x {POINTS} points: {', '.join(f'{m[0]:.0%} {m[1].value}' for m in MIX)}; "
          f"{sum(bool(s.recalculations) for s in many)} with phases, {sum(bool(s.targets) for s in many)} with "
          f"targets, {sum(s.baseline_points > 0 for s in many)} with a baseline; NUMBA_NUM_THREADS={threads}")
    print(f"flagged points {np.count_nonzero(batch.rules)}; plain XmR points differing from numpy (mean ties): "
          f"{differ} of {one.rules.size}")
    print(f"chart_series (reads' and signals' chart call): {t_product * 1e3:8.2f} ms  "
          f"{points / t_product / 1e6:8.1f} M points/s")
    print(f"numpy vectorised, plain XmR only   : {t_numpy * 1e3:8.2f} ms  {numpy_rate / 1e6:8.1f} M points/s "
          f"({matrix.shape[0]} series)")
    print(f"ratio                              : {points / t_product / numpy_rate:8.1f} x")
    per_chart, stored = handle_per_chart(rng)
    print(f"whole SPC handle per chart (fold one event into a 99-point series, encode what is stored): "
          f"{per_chart * 1e6:.1f} us ({1 / per_chart:,.0f} charts/s, {POINTS / per_chart / 1e6:.2f} M points/s); "
          f"{stored:,} bytes stored per chart")
    wall, inner = cold_start_seconds()
    print(f"first compute_chart in a fresh process (warm numba cache): {inner:.2f} s after start of imports, "
          f"{wall:.2f} s process wall time")


if __name__ == "__main__":
    main()
