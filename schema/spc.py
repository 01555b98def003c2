"""SPC chart types of the API: the domain's chart vocabulary exposed as GraphQL enums, and a stored chart's typed
view (projections.spc.document) mapped to SpcChart, its points, columns and annotations."""

from __future__ import annotations

from datetime import date, datetime

import strawberry

from domain.control.vocabulary import (
    AnnotationKind,
    AssuranceIcon,
    ChartType,
    Direction,
    Frequency,
    MeasureKind,
    PointVariation,
    SpcRule,
    VariationIcon,
)
from projections.spc.document import ChartView
from projections.spc.runs import RunAnalysis
from projections.spc.svg import render_svg

# The domain's enums and the engine's run analysis, exposed under the API's names: strawberry marks the classes
# themselves, so the members and values are the domain's own.
for _enum in (MeasureKind, ChartType, Frequency, SpcRule, PointVariation, VariationIcon, AssuranceIcon, AnnotationKind):
    strawberry.enum(_enum, name=_enum.__name__)
strawberry.enum(Direction, name="ImprovementDirection")
strawberry.type(RunAnalysis, name="RunAnalysis")
ImprovementDirection = Direction


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
    _view: strawberry.Private[ChartView]
    _title: strawberry.Private[str] = ""

    @strawberry.field
    def points(self) -> list[SpcPoint]:
        c = self._view
        return [SpcPoint(period=p, value=val, centre_line=centre, upper_process_limit=u, lower_process_limit=lo,
                         upper_two_sigma=u2, lower_two_sigma=l2, variation=var, rules=r)
                for p, val, centre, u, lo, u2, l2, var, r in zip(
                    c.periods, c.values, c.centre_line, c.upper_process_limit, c.lower_process_limit,
                    c.upper_two_sigma, c.lower_two_sigma, c.variation, c.rules, strict=True)]

    @strawberry.field(description="Chart decisions (recalculations, baselines, targets), oldest first.")
    def annotations(self) -> list[SpcAnnotation]:
        return [SpcAnnotation(period=a.period, kind=a.kind, text=a.text, at=a.at) for a in self._view.annotations]

    @strawberry.field(description="The chart drawn as Making Data Count does, as an SVG document (the same as "
                                  "GET /charts/{measureId}.svg).")
    def svg(self) -> str:
        return render_svg(self._view, self._title)

    @strawberry.field(description="The same points as columns: far cheaper to serve for long charts.")
    def series(self) -> SpcSeries:
        c = self._view
        return SpcSeries(periods=c.periods, values=c.values, centre_line=c.centre_line,
                         upper_process_limit=c.upper_process_limit, lower_process_limit=c.lower_process_limit,
                         upper_two_sigma=c.upper_two_sigma, lower_two_sigma=c.lower_two_sigma,
                         variation=c.variation)


def spc_chart(view: ChartView, title: str = "") -> SpcChart:
    return SpcChart(chart_type=view.chart_type, variation=view.variation_icon, assurance=view.assurance,
                    runs=view.runs, _view=view, _title=title)
