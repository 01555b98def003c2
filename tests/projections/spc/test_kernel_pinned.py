"""The chart kernel gives, bit for bit, what the implementation before its fused rewrite gave: on seeded random
batches of every chart type and setting (phases, baselines, targets, ties, short series, series read in place)
each series' points, lines, rules, variation, icons and run analysis hash to the digest recorded then.

Regenerate the digests only for a change meant to alter charts: `python -m tests.projections.spc.test_kernel_pinned`.
"""

from __future__ import annotations

import hashlib
import json
import sys

import numpy as np

from projections.spc import ChartSettings, ChartType, Direction, chart_batch
from tests.projections.spc.fixture_paths import FIXTURES

DIGESTS = FIXTURES / "kernel_digests.json"
SEEDS = range(6)
SERIES = 300
_KINDS = list(ChartType)


def _values(rng: np.random.Generator, kind: ChartType, n: int) -> tuple[np.ndarray, np.ndarray | None]:
    """Values of one of several shapes: noisy, trending, stepped, few levels (ties on the mean, the median and the
    previous point), with outliers."""
    shape = rng.integers(5)
    base = rng.normal(50, 5, n)
    if shape == 1:
        base += np.linspace(0, rng.normal(0, 15), n)
    elif shape == 2:
        base += np.where(np.arange(n) > rng.integers(max(n, 1)), rng.normal(0, 10), 0.0)
    elif shape == 3:
        base = rng.integers(48, 53, n).astype(float)
    elif shape == 4 and n:
        base[rng.integers(n, size=3)] += rng.normal(0, 40, 3)
    x = np.round(base, int(rng.integers(0, 3)))
    if kind in (ChartType.P, ChartType.U):
        den = rng.integers(1, 200, n).astype(float) + (rng.random(n) if kind is ChartType.U else 0.0)
        share = rng.uniform(0.0, 1.0) if rng.random() < 0.5 else rng.uniform(0.0, 0.05)
        num = np.minimum(np.round(den * np.clip(rng.normal(share, 0.1, n), 0, 1)), np.floor(den))
        return num, den
    if kind in (ChartType.C, ChartType.G, ChartType.T):
        x = rng.poisson(rng.uniform(0.2, 30), n).astype(float)
        if kind is ChartType.T and rng.random() < 0.3:
            x = np.round(rng.exponential(20, n), 2)
    return x, None


def random_batch(seed: int) -> tuple[list[dict], np.ndarray]:
    """SERIES random charts; answers their inputs and the batch's outputs per series as bytes."""
    rng = np.random.default_rng(seed)
    charts = []
    for _ in range(SERIES):
        kind = _KINDS[rng.integers(len(_KINDS))]
        n = int(rng.choice([0, 1, 2, 5, 12, 13, 14]) if rng.random() < 0.15 else rng.integers(15, 160))
        x, den = _values(rng, kind, n)
        settings = ChartSettings(chart_type=kind, direction=list(Direction)[rng.integers(3)],
                                 shift_run_length=int(rng.integers(6, 9)), trend_run_length=int(rng.integers(6, 9)),
                                 min_points=int(rng.choice([2, 5, 13, 13, 20])),
                                 two_sigma_counts_beyond_limits=bool(rng.integers(2)),
                                 improvement_wins_conflict=bool(rng.integers(2)),
                                 screen_mr_outliers=["off", "mr", "mr_and_mean"][rng.integers(3)],
                                 limit_constant=float(rng.choice([2.66, 3 / 1.128])),
                                 rules_cross_recalculation=bool(rng.integers(2)),
                                 assurance_target_on_limit_counts=bool(rng.integers(2)))
        days = np.cumsum(rng.integers(1, 4, n)).astype(np.int64)
        cuts = np.sort(rng.integers(0, int(days[-1]) + 3 if n else 3, int(rng.choice([0, 0, 1, 2, 3, 5]))))
        baseline = int(rng.choice([0, 0, 0, 0, 3, 13, 20, 500]))
        target = float(np.round(rng.normal(np.mean(x / den if den is not None else x) if n else 0, 5), 1))
        charts.append({"settings": settings, "x": x, "den": x if den is None else den, "days": days, "cuts": cuts,
                       "baseline": baseline, "target": target if rng.random() < 0.6 else np.nan})
    return charts, rng.permutation(SERIES)


def chart(charts: list[dict], order: np.ndarray):
    """The batch, with each series read in place from columns that hold them in another order, gaps between."""
    lengths = np.array([c["x"].size for c in charts], dtype=np.int64)
    offsets = np.concatenate(([0], np.cumsum(lengths))).astype(np.int64)
    sources = np.zeros(len(charts), dtype=np.int64)
    at = 0
    for t in order:
        sources[t] = at
        at += lengths[t] + 3
    values, den, days = np.full(at, 7.0), np.full(at, 7.0), np.zeros(at, dtype=np.int64)
    for t, c in enumerate(charts):
        s = slice(sources[t], sources[t] + lengths[t])
        values[s], den[s], days[s] = c["x"], c["den"], c["days"]
    cut_days = np.zeros((len(charts), max(c["cuts"].size for c in charts)), dtype=np.int64)
    for row, c in zip(cut_days, charts, strict=True):
        row[: c["cuts"].size] = c["cuts"]
    return chart_batch(values, den, offsets,
                       np.array([c["settings"].row(c["baseline"]) for c in charts], dtype=np.int64),
                       np.array([c["settings"].limit_constant for c in charts]),
                       np.array([c["target"] for c in charts]), cut_days,
                       np.array([c["cuts"].size for c in charts], dtype=np.int64), sources=sources, days=days)


def digests(seed: int) -> list[str]:
    batch = chart(*random_batch(seed))
    out = []
    for t in range(len(batch)):
        r = batch.result(t)
        runs = r.runs
        h = hashlib.sha256()
        for part in (r.values, r.lines, r.rules, r.variation, r.moving_range):
            h.update(np.ascontiguousarray(part).tobytes())
        h.update(repr((r.variation_icon, r.assurance_icon, runs)).encode())
        out.append(h.hexdigest()[:16])
    return out


def test_every_series_of_random_batches_charts_as_before_bit_for_bit() -> None:
    expected = json.loads(DIGESTS.read_text())
    for seed in SEEDS:
        got = digests(seed)
        differ = [t for t, (a, b) in enumerate(zip(got, expected[str(seed)], strict=True)) if a != b]
        assert not differ, f"seed {seed}: series {differ[:10]} chart differently ({len(differ)} in all)"


def test_the_random_batches_cover_every_chart_type_phases_baselines_and_flags() -> None:
    charts, order = random_batch(0)
    batch = chart(charts, order)
    assert {c["settings"].chart_type for c in charts} == set(ChartType)
    assert sum(c["cuts"].size > 0 for c in charts) > SERIES / 3
    assert sum(c["baseline"] > 0 for c in charts) > SERIES / 10
    assert set(np.unique(batch.rules).tolist()) >= {1, 2, 4, 8, 16, 32}
    assert set(np.unique(batch.variation).tolist()) == {0, 1, 2, 3, 4}


if __name__ == "__main__":
    DIGESTS.write_text(json.dumps({str(s): digests(s) for s in SEEDS}, indent=0) + "\n")
    print(f"wrote {DIGESTS}", file=sys.stderr)
