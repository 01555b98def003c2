"""The SPC chart's GraphQL types and the measure vocabulary's enums."""

from __future__ import annotations

from datetime import date, datetime
from enum import Enum
from typing import Any

import strawberry

from projections.spc import RULE_NAMES, VARIATION_NAMES


@strawberry.enum
class MeasureKind(Enum):
    OUTCOME = "OUTCOME"
    PROCESS = "PROCESS"
    STRUCTURE = "STRUCTURE"
    BALANCING = "BALANCING"


@strawberry.enum
class ImprovementDirection(Enum):
    INCREASE = "INCREASE"
    DECREASE = "DECREASE"
    NEITHER = "NEITHER"


@strawberry.enum
class ChartType(Enum):
    XMR = "XMR"
    RUN = "RUN"
    P = "P"
    U = "U"
    C = "C"
    G = "G"
    T = "T"


@strawberry.enum
class Frequency(Enum):
    DAY = "DAY"
    WEEK = "WEEK"
    MONTH = "MONTH"
    QUARTER = "QUARTER"


@strawberry.enum
class SpcRule(Enum):
    SINGLE_POINT = "SINGLE_POINT"
    SHIFT = "SHIFT"
    TREND = "TREND"
    TWO_OF_THREE = "TWO_OF_THREE"
    LONG_RUN = "LONG_RUN"
    FEW_CROSSINGS = "FEW_CROSSINGS"


@strawberry.enum
class PointVariation(Enum):
    COMMON_CAUSE = "COMMON_CAUSE"
    IMPROVEMENT = "IMPROVEMENT"
    CONCERN = "CONCERN"
    NEITHER_HIGH = "NEITHER_HIGH"
    NEITHER_LOW = "NEITHER_LOW"


@strawberry.enum
class VariationIcon(Enum):
    COMMON_CAUSE = "COMMON_CAUSE"
    IMPROVEMENT_HIGH = "IMPROVEMENT_HIGH"
    IMPROVEMENT_LOW = "IMPROVEMENT_LOW"
    CONCERN_HIGH = "CONCERN_HIGH"
    CONCERN_LOW = "CONCERN_LOW"
    NEITHER_HIGH = "NEITHER_HIGH"
    NEITHER_LOW = "NEITHER_LOW"


@strawberry.enum
class AssuranceIcon(Enum):
    CONSISTENT_PASS = "CONSISTENT_PASS"
    CONSISTENT_FAIL = "CONSISTENT_FAIL"
    HIT_AND_MISS = "HIT_AND_MISS"


@strawberry.type
class RunAnalysis:
    useful_observations: int
    longest_run: int
    longest_run_max: int
    crossings: int
    crossings_min: int
    signal: bool


@strawberry.enum
class AnnotationKind(Enum):
    RECALCULATION = "RECALCULATION"
    BASELINE = "BASELINE"
    TARGET = "TARGET"


@strawberry.type(description="Something that happened to the chart, and why: shown at its period.")
class SpcAnnotation:
    period: date | None = strawberry.field(description="null when it concerns the whole chart (a baseline)")
    kind: AnnotationKind
    text: str
    at: datetime


@strawberry.type
class SpcPoint:
    period: date
    value: float
    centre_line: float
    upper_process_limit: float | None
    lower_process_limit: float | None
    upper_two_sigma: float | None
    lower_two_sigma: float | None
    variation: PointVariation
    rules: list[SpcRule]


_VARIATIONS = [PointVariation[name] for name in VARIATION_NAMES]
# Every rule bitmask (6 rules: 64 masks) to its list of rules, built once.
_RULES = [[SpcRule[name] for bit, name in enumerate(RULE_NAMES) if mask >> bit & 1] for mask in range(64)]


@strawberry.type(description="The chart's columns, one list per column, for charting libraries; "
                             "null where a point has no limit.")
class SpcSeries:
    periods: list[date]
    values: list[float]
    centre_line: list[float]
    upper_process_limit: list[float | None]
    lower_process_limit: list[float | None]
    upper_two_sigma: list[float | None]
    lower_two_sigma: list[float | None]
    variation: list[PointVariation]


@strawberry.type
class SpcChart:
    chart_type: ChartType
    variation: VariationIcon | None
    assurance: AssuranceIcon | None
    runs: RunAnalysis | None
    _doc: strawberry.Private[dict[str, Any]]

    @strawberry.field
    def points(self) -> list[SpcPoint]:
        d = self._doc
        return [SpcPoint(period=date.fromisoformat(p), value=v, centre_line=c, upper_process_limit=u,
                         lower_process_limit=lo, upper_two_sigma=u2, lower_two_sigma=l2,
                         variation=_VARIATIONS[var], rules=_RULES[r])
                for p, v, c, u, lo, u2, l2, var, r in zip(
                    d["period"], d["value"], d["centre"], d["upl"], d["lpl"], d["u2s"], d["l2s"],
                    d["variation"], d["rules"], strict=True)]

    @strawberry.field(description="Chart decisions (recalculations, baselines, targets), oldest first.")
    def annotations(self) -> list[SpcAnnotation]:
        return [SpcAnnotation(period=date.fromisoformat(p) if p else None, kind=AnnotationKind[kind], text=text,
                              at=datetime.fromisoformat(at)) for p, kind, text, at in self._doc.get("annotations", [])]

    @strawberry.field(description="The same points as columns: far cheaper to serve for long charts.")
    def series(self) -> SpcSeries:
        d = self._doc
        return SpcSeries(periods=[date.fromisoformat(p) for p in d["period"]], values=d["value"],
                         centre_line=d["centre"], upper_process_limit=d["upl"], lower_process_limit=d["lpl"],
                         upper_two_sigma=d["u2s"], lower_two_sigma=d["l2s"],
                         variation=[_VARIATIONS[v] for v in d["variation"]])


def empty_chart(chart_type: str) -> dict[str, Any]:
    return {"chartType": chart_type, "variationIcon": None, "assurance": None, "runs": None, "period": [],
            "value": [], "centre": [], "upl": [], "lpl": [], "u2s": [], "l2s": [], "variation": [], "rules": []}


def spc_chart(doc: dict[str, Any]) -> SpcChart:
    runs = doc.get("runs")
    return SpcChart(chart_type=ChartType[doc["chartType"]],
                    variation=VariationIcon[doc["variationIcon"]] if doc.get("variationIcon") else None,
                    assurance=AssuranceIcon[doc["assurance"]] if doc.get("assurance") else None,
                    runs=RunAnalysis(**_snake(runs)) if runs else None, _doc=doc)


def _snake(d: dict[str, Any]) -> dict[str, Any]:
    return {"".join("_" + c.lower() if c.isupper() else c for c in k): v for k, v in d.items()}
