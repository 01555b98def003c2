"""The published NHS England Making Data Count v5 scenarios: every point's colour and the variation icon."""

from __future__ import annotations

import json

import numpy as np
import pytest

from projections.spc import VARIATION_NAMES, ChartSettings, Direction, compute_chart

from .fixture_paths import FIXTURES

CASES = json.loads((FIXTURES / "mdc" / "cases.json").read_text())
COLOURS = {
    "COMMON_CAUSE": "grey",
    "IMPROVEMENT": "blue",
    "CONCERN": "orange",
    "NEITHER_HIGH": "purple",
    "NEITHER_LOW": "purple",
}
DIRECTIONS = {"up": Direction.INCREASE, "down": Direction.DECREASE, "neither": Direction.NEITHER}
# The published table shows point 15 (index 14, value 27) blue, but no rule fires on it in either
# direction and the same data under low-is-good is published grey: a transcription error.
TRANSCRIPTION_ERRORS = {("Special cause conflict - High is good", 14): "grey"}


def chart_case(case: dict):
    settings = ChartSettings(
        direction=DIRECTIONS[case["improvement"]],
        shift_run_length=case["shift_points"],
        trend_run_length=case["trend_points"],
        min_points=case["min_points"],
        two_sigma_counts_beyond_limits=case["two_sigma_counts_points_beyond_3sigma"],
        improvement_wins_conflict=case["conflict"] == "improvement_wins",
        screen_mr_outliers="mr" if case["screen_mr_outliers"] else "off",
    )
    recalc = [case["recalc_at_index"]] if "recalc_at_index" in case else []
    return compute_chart(
        settings, np.array(case["values"]), phase_starts=recalc, baseline_points=case.get("baseline_n", 0)
    )


def expected_colours(case: dict) -> list[str]:
    colours = list(case["expected_colour_published"])
    for (metric, index), colour in TRANSCRIPTION_ERRORS.items():
        if metric == case["metric"]:
            colours[index] = colour
    return colours


@pytest.mark.parametrize("case", CASES, ids=[c["metric"] for c in CASES])
def test_every_point_gets_the_published_colour(case: dict) -> None:
    result = chart_case(case)
    colours = [COLOURS[VARIATION_NAMES[v]] for v in result.variation]
    assert colours == expected_colours(case)


@pytest.mark.parametrize("case", CASES, ids=[c["metric"] for c in CASES])
def test_the_variation_icon_is_the_one_derived_from_the_last_point(case: dict) -> None:
    icon = chart_case(case).variation_icon
    assert (icon.lower() if icon else None) == case["derived_variation_icon"]


def test_the_transcription_error_is_the_only_published_colour_overridden() -> None:
    case = next(c for c in CASES if c["metric"] == "Special cause conflict - High is good")
    assert case["expected_colour_published"][14] == "blue"
    assert chart_case(case).variation[14] == 0


CROSSING = [c["metric"] for c in CASES if c["metric"].startswith("Special cause crossing")]


@pytest.mark.parametrize("metric", CROSSING)
def test_crossing_recalculation_scenarios_need_rules_to_run_across_phases(metric: str) -> None:
    case = next(c for c in CASES if c["metric"] == metric)
    settings = ChartSettings(direction=Direction.INCREASE, rules_cross_recalculation=False)
    result = compute_chart(settings, np.array(case["values"]), phase_starts=[case["recalc_at_index"]])
    colours = [COLOURS[VARIATION_NAMES[v]] for v in result.variation]
    if metric.endswith("trend"):
        # the SQL behaviour still lets a trend cross, so only shift and two-of-three scenarios change
        assert colours == case["expected_colour_published"]
    else:
        assert colours != case["expected_colour_published"]
