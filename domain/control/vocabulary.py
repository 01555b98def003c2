"""The words of a measure and its SPC chart, defined once: the domain checks with them, the engine and the
projection compute with them, the API exposes them.

They are `StrEnum`s so that a member equals the string stored in events and read models ("XMR" == ChartType.XMR).
The order of members is the order the API lists them in; stored codes never depend on it.
"""

from __future__ import annotations

from enum import StrEnum


class ChartType(StrEnum):
    XMR = "XMR"
    RUN = "RUN"
    P = "P"
    U = "U"
    C = "C"
    G = "G"
    T = "T"


class Direction(StrEnum):
    """Which way is improvement for a measure."""

    INCREASE = "INCREASE"
    DECREASE = "DECREASE"
    NEITHER = "NEITHER"


class MeasureKind(StrEnum):
    OUTCOME = "OUTCOME"
    PROCESS = "PROCESS"
    STRUCTURE = "STRUCTURE"
    BALANCING = "BALANCING"


class Frequency(StrEnum):
    DAY = "DAY"
    WEEK = "WEEK"
    MONTH = "MONTH"
    QUARTER = "QUARTER"


class SpcRule(StrEnum):
    """The special-cause rules: four for control charts, two (Anhøj) for run charts."""

    SINGLE_POINT = "SINGLE_POINT"
    SHIFT = "SHIFT"
    TREND = "TREND"
    TWO_OF_THREE = "TWO_OF_THREE"
    LONG_RUN = "LONG_RUN"
    FEW_CROSSINGS = "FEW_CROSSINGS"


class PointVariation(StrEnum):
    COMMON_CAUSE = "COMMON_CAUSE"
    IMPROVEMENT = "IMPROVEMENT"
    CONCERN = "CONCERN"
    NEITHER_HIGH = "NEITHER_HIGH"
    NEITHER_LOW = "NEITHER_LOW"


class VariationIcon(StrEnum):
    COMMON_CAUSE = "COMMON_CAUSE"
    IMPROVEMENT_HIGH = "IMPROVEMENT_HIGH"
    IMPROVEMENT_LOW = "IMPROVEMENT_LOW"
    CONCERN_HIGH = "CONCERN_HIGH"
    CONCERN_LOW = "CONCERN_LOW"
    NEITHER_HIGH = "NEITHER_HIGH"
    NEITHER_LOW = "NEITHER_LOW"


class AssuranceIcon(StrEnum):
    CONSISTENT_PASS = "CONSISTENT_PASS"
    CONSISTENT_FAIL = "CONSISTENT_FAIL"
    HIT_AND_MISS = "HIT_AND_MISS"


class AnnotationKind(StrEnum):
    """What put a note on a chart: a chart decision, or work linked to the measure (a PDSA cycle, an action)."""

    RECALCULATION = "RECALCULATION"
    BASELINE = "BASELINE"
    TARGET = "TARGET"
    PDSA = "PDSA"
    ACTION = "ACTION"
