"""Plain-Python XmR rules, written window by window from SPC-RULES.md, to check the numba kernels."""

from __future__ import annotations

import math


def reference_lines(values: list[float], k: float = 2.66) -> dict[str, float]:
    n = len(values)
    mean = math.fsum(values) / n
    mrbar = math.fsum(abs(values[i] - values[i - 1]) for i in range(1, n)) / (n - 1)
    return {
        "mean": mean,
        "ucl": mean + k * mrbar,
        "lcl": mean - k * mrbar,
        "u2": mean + (2 / 3) * k * mrbar,
        "l2": mean - (2 / 3) * k * mrbar,
        "mrbar": mrbar,
    }


def reference_flags(
    values: list[float],
    shift_n: int = 6,
    trend_n: int = 6,
    min_points: int = 13,
    count_beyond: bool = False,
    k: float = 2.66,
) -> tuple[list[set[str]], list[set[str]]]:
    """Per point, the rules that fired on the high side and on the low side."""
    n = len(values)
    high: list[set[str]] = [set() for _ in range(n)]
    low: list[set[str]] = [set() for _ in range(n)]
    if n < min_points:
        return high, low
    line = reference_lines(values, k)
    mean = line["mean"]
    for i, v in enumerate(values):
        if v > line["ucl"]:
            high[i].add("SINGLE_POINT")
        if v < line["lcl"]:
            low[i].add("SINGLE_POINT")
    for start in range(n - shift_n + 1):
        window = range(start, start + shift_n)
        if all(values[i] > mean for i in window):
            for i in window:
                high[i].add("SHIFT")
        if all(values[i] < mean for i in window):
            for i in window:
                low[i].add("SHIFT")
    for start in range(n - trend_n + 1):
        window = range(start + 1, start + trend_n)
        if all(values[i] > values[i - 1] for i in window):
            for i in range(start, start + trend_n):
                high[i].add("TREND")
        if all(values[i] < values[i - 1] for i in window):
            for i in range(start, start + trend_n):
                low[i].add("TREND")
    for start in range(n - 2):
        window = range(start, start + 3)
        if all(values[i] > mean for i in window):
            near = [i for i in window if values[i] > line["u2"]]
            near = [i for i in near if count_beyond or values[i] <= line["ucl"]]
            if len(near) >= 2:
                for i in near:
                    high[i].add("TWO_OF_THREE")
        if all(values[i] < mean for i in window):
            near = [i for i in window if values[i] < line["l2"]]
            near = [i for i in near if count_beyond or values[i] >= line["lcl"]]
            if len(near) >= 2:
                for i in near:
                    low[i].add("TWO_OF_THREE")
    return high, low


def reference_variation(high: set[str], low: set[str], direction: str, improvement_wins: bool = True) -> str:
    if not high and not low:
        return "COMMON_CAUSE"
    if direction == "NEITHER":
        return "NEITHER_HIGH" if high else "NEITHER_LOW"
    good, bad = (high, low) if direction == "INCREASE" else (low, high)
    if good and bad:
        return "IMPROVEMENT" if improvement_wins else "CONCERN"
    return "IMPROVEMENT" if good else "CONCERN"
