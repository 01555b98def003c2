"""SPC benchmark: compute_xmr_batch against a numpy-vectorised baseline, plus cold-start time."""

from __future__ import annotations

import os

os.environ.setdefault("NUMBA_NUM_THREADS", "1")

import subprocess
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from projections.spc import ChartSettings, Direction, compute_xmr_batch  # noqa: E402

SERIES, POINTS, RUN = 10_000, 100, 6


def runs_of(mask: np.ndarray, length: int) -> np.ndarray:
    """Points inside a run of >= length consecutive True values along axis 1 (vectorised per rule)."""
    windows = np.lib.stride_tricks.sliding_window_view(mask, length, axis=1).all(axis=2)
    out = np.zeros_like(mask)
    for k in range(length):  # a loop over the window offset, not over points
        out[:, k : k + windows.shape[1]] |= windows
    return out


def numpy_xmr(x: np.ndarray, k: float = 2.66) -> tuple[np.ndarray, np.ndarray]:
    """Same four rules, direction INCREASE, improvement wins, on a (series, points) matrix."""
    mean = x.mean(axis=1, keepdims=True)
    mrbar = np.abs(np.diff(x, axis=1)).mean(axis=1, keepdims=True)
    ucl, lcl = mean + k * mrbar, mean - k * mrbar
    u2, l2 = mean + 2 * (k / 3) * mrbar, mean - 2 * (k / 3) * mrbar
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
    return rules, variation


def best_of(fn, repeats: int) -> float:
    best = float("inf")
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t0)
    return best


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
    matrix = np.round(rng.normal(50, 5, (SERIES, POINTS)) + np.linspace(0, 3, POINTS), 1)
    values = matrix.ravel()
    offsets = np.arange(0, SERIES * POINTS + 1, POINTS)
    settings = ChartSettings(direction=Direction.INCREASE, min_points=13)
    rules, variation = compute_xmr_batch(values, offsets, settings)  # compile / load cache
    n_rules, n_var = numpy_xmr(matrix)
    # np.mean rounds differently: a point exactly on the engine's (exactly rounded) mean may not be on numpy's
    differ = np.count_nonzero((rules != n_rules.ravel()) | (variation != n_var.ravel()))
    t_numba = best_of(lambda: compute_xmr_batch(values, offsets, settings), 20)
    t_numpy = best_of(lambda: numpy_xmr(matrix), 5)
    points = SERIES * POINTS
    threads = os.environ["NUMBA_NUM_THREADS"]
    print(f"{SERIES} series x {POINTS} points, XmR, four rules, NUMBA_NUM_THREADS={threads}")
    print(f"flagged points {np.count_nonzero(rules)}; points differing from numpy (mean ties): {differ}")
    print(f"compute_xmr_batch : {t_numba * 1e3:8.2f} ms  {points / t_numba / 1e6:8.1f} M points/s")
    print(f"numpy vectorised  : {t_numpy * 1e3:8.2f} ms  {points / t_numpy / 1e6:8.1f} M points/s")
    print(f"speed-up          : {t_numpy / t_numba:8.1f} x")
    wall, inner = cold_start_seconds()
    print(
        f"first compute_chart in a fresh process (warm numba cache): {inner:.2f} s after start of imports, "
        f"{wall:.2f} s process wall time"
    )


if __name__ == "__main__":
    main()
