"""The stored chart document (spc_series.chart), written and read here only.

Stored: JSON with short keys, one list per column, NaN as null, per-point variation and rules as integer codes (see
settings.VARIATIONS and settings.RULES). Read: a ChartView with snake_case fields and the domain's enum members;
its columns are decoded when first asked for, so a query that selects a few fields pays for those only.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from functools import cached_property
from typing import Any

import orjson

from domain.control.vocabulary import (
    AnnotationKind,
    AssuranceIcon,
    ChartType,
    PointVariation,
    SpcRule,
    VariationIcon,
)
from projections.spc.engine import ChartResult
from projections.spc.fold import Series, chart_series
from projections.spc.runs import RunAnalysis
from projections.spc.settings import RULES, VARIATIONS

# Every rule bitmask (6 rules: 64 masks) to its list of rules, built once.
_RULE_LISTS = [[rule for bit, rule in enumerate(RULES) if mask >> bit & 1] for mask in range(1 << len(RULES))]


def encode(series: Series, result: ChartResult) -> bytes:
    """The chart document of a series and its computed chart."""
    runs = result.runs
    return orjson.dumps({
        "chartType": series.chart_type,
        "variationIcon": result.variation_icon,
        "assurance": result.assurance_icon,
        "runs": None if runs is None else {
            "usefulObservations": runs.useful_observations, "longestRun": runs.longest_run,
            "longestRunMax": runs.longest_run_max, "crossings": runs.crossings,
            "crossingsMin": runs.crossings_min, "signal": runs.signal},
        "period": series.periods(),
        "value": result.values,
        "centre": result.centre,
        "upl": result.upper_limit,
        "lpl": result.lower_limit,
        "u2s": result.upper_two_sigma,
        "l2s": result.lower_two_sigma,
        "variation": result.variation,
        "rules": result.rules,
        "target": series.targets[-1][1] if series.targets else None,
        "annotations": series.annotations,
    }, option=orjson.OPT_SERIALIZE_NUMPY)


@dataclass(frozen=True, slots=True)
class Annotation:
    period: date | None  # None: the whole chart (a baseline)
    kind: AnnotationKind
    text: str
    at: datetime


class ChartView:
    """A stored chart as readers see it. `position` is the read model's position for it (0 for replays)."""

    def __init__(self, document: dict[str, Any], position: int = 0) -> None:
        self._doc = document
        self.position = position
        self.chart_type = ChartType(document["chartType"])
        icon, assurance, runs = document.get("variationIcon"), document.get("assurance"), document.get("runs")
        self.variation_icon = VariationIcon(icon) if icon else None
        self.assurance = AssuranceIcon(assurance) if assurance else None
        self.runs = RunAnalysis(runs["usefulObservations"], runs["longestRun"], runs["longestRunMax"],
                                runs["crossings"], runs["crossingsMin"], runs["signal"]) if runs else None
        self.target: float | None = document.get("target")

    @cached_property
    def periods(self) -> list[date]:
        return [date.fromisoformat(p) for p in self._doc["period"]]

    @property
    def values(self) -> list[float]:
        return self._doc["value"]

    @property
    def centre_line(self) -> list[float]:
        return self._doc["centre"]

    @property
    def upper_process_limit(self) -> list[float | None]:
        return self._doc["upl"]

    @property
    def lower_process_limit(self) -> list[float | None]:
        return self._doc["lpl"]

    @property
    def upper_two_sigma(self) -> list[float | None]:
        return self._doc["u2s"]

    @property
    def lower_two_sigma(self) -> list[float | None]:
        return self._doc["l2s"]

    @cached_property
    def variation(self) -> list[PointVariation]:
        return [VARIATIONS[code] for code in self._doc["variation"]]

    @cached_property
    def rules(self) -> list[list[SpcRule]]:
        return [_RULE_LISTS[mask] for mask in self._doc["rules"]]

    @cached_property
    def annotations(self) -> list[Annotation]:
        """Oldest first."""
        return [Annotation(date.fromisoformat(p) if p else None, AnnotationKind(kind), text,
                           datetime.fromisoformat(at)) for p, kind, text, at in self._doc.get("annotations", [])]


def decode(data: bytes, position: int = 0) -> ChartView:
    return ChartView(orjson.loads(data), position)


def empty(chart_type: str) -> ChartView:
    """The chart of a measure with no stored chart yet."""
    return ChartView({"chartType": chart_type, "period": [], "value": [], "centre": [], "upl": [], "lpl": [],
                      "u2s": [], "l2s": [], "variation": [], "rules": []})


def view_of(series: Series) -> ChartView:
    """The chart of one series, computed now (replays such as `measure(asOf:)`): a batch of one, stored nowhere,
    read as a stored chart is."""
    return decode(encode(series, chart_series([series]).result(0)))
