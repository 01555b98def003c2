"""NHS A&E attendances (OGL v3): one trust's type-1 four-hour performance, charted two ways."""

from __future__ import annotations

import csv
import math

import numpy as np

from projections.spc import ChartSettings, ChartType, Direction, compute_chart

from .fixture_paths import FIXTURES
from .reference import reference_flags, reference_lines


def trust_type1(org: str) -> tuple[np.ndarray, np.ndarray]:
    with (FIXTURES / "nhsr" / "ae_attendances.csv").open() as f:
        rows = sorted(
            (r for r in csv.DictReader(f) if r["org_code"] == org and r["type"] == "1"),
            key=lambda r: r["period"],
        )
    attendances = np.array([float(r["attendances"]) for r in rows])
    breaches = np.array([float(r["breaches"]) for r in rows])
    return attendances, breaches


def test_rf4_four_hour_performance_as_an_xmr_chart_matches_the_reference_rules() -> None:
    attendances, breaches = trust_type1("RF4")
    assert attendances.size == 36  # April 2016 to March 2019
    within = 1 - breaches / attendances
    r = compute_chart(ChartSettings(direction=Direction.INCREASE), within)
    line = reference_lines(within.tolist())
    assert math.isclose(r.centre[0], line["mean"], rel_tol=1e-15)
    assert math.isclose(r.lower_limit[0], line["lcl"], rel_tol=1e-12)
    high, low = reference_flags(within.tolist())
    assert [bool(h or lo) for h, lo in zip(high, low, strict=True)] == list(r.rules.astype(bool))
    # winter 2018-19 is well below the mean: the last months are special cause concern
    assert r.variation_icon == "CONCERN_LOW"


def test_rf4_as_a_p_chart_pools_the_proportion_and_shows_overdispersion() -> None:
    attendances, breaches = trust_type1("RF4")
    r = compute_chart(
        ChartSettings(chart_type=ChartType.P, direction=Direction.INCREASE),
        attendances - breaches,
        attendances,
    )
    pbar = math.fsum(attendances - breaches) / math.fsum(attendances)
    assert math.isclose(r.centre[0], pbar)
    assert math.isclose(r.upper_limit[0], pbar + 3 * math.sqrt(pbar * (1 - pbar) / attendances[0]))
    # with ~20,000 attendances a month the binomial limits are tight: most months fall outside them,
    # which is why MDC charts performance on an XmR chart instead
    assert (r.rules & 1).astype(bool).mean() > 0.5
