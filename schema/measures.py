"""Measures: the type and its chart, browsing, and the mutations that define, record and shape a chart."""

from __future__ import annotations

import math
from collections.abc import Awaitable
from datetime import date, datetime
from typing import TYPE_CHECKING, Annotated

import strawberry
from strawberry.types import Info

from domain.control.measure import MeasureDefinition
from domain.control.observations import ObservationIn
from domain.errors import DomainError, Forbidden
from projections.catalog import CatalogProjection
from projections.spc.document import ChartView, empty
from projections.spc.projection import SpcProjection
from schema.context import Context
from schema.errors import UserError, user_error, user_error_from_dict
from schema.inputs import domain_input
from schema.pagination import PageInfo, page_info
from schema.spc import ChartType, Frequency, ImprovementDirection, MeasureKind, SpcChart, spc_chart
from schema.teams import Team, load_team
from service.commands import measures as commands
from service.reads.as_of import measure_as_of
from service.reads.catalog import MeasureView, measures_page

if TYPE_CHECKING:
    from schema.planning.specification import Coding, MeasureSpecification

LazySpecification = Annotated["MeasureSpecification", strawberry.lazy("schema.planning.specification")]
LazyCoding = Annotated["Coding", strawberry.lazy("schema.planning.specification")]


@strawberry.type
class Measure:
    id: strawberry.ID
    name: str
    kind: MeasureKind
    improvement_direction: ImprovementDirection
    chart_type: ChartType
    frequency: Frequency
    unit: str | None
    target: float | None
    shift_run_length: int
    trend_run_length: int
    team_id: strawberry.Private[str]
    as_of_chart: strawberry.Private[ChartView | None] = None

    @strawberry.field
    async def team(self, info: Info[Context, None]) -> Team:
        return await load_team(info.context, self.team_id) or Team(id=strawberry.ID(self.team_id), name="")

    @strawberry.field
    async def spc(self, info: Info[Context, None]) -> SpcChart:
        if self.as_of_chart is not None:
            return spc_chart(self.as_of_chart, self.name)
        view = await info.context.charts.load(str(self.id))
        info.context.depend(f"s:{self.id}", view.position if view else None)
        return spc_chart(view or empty(self.chart_type), self.name)

    @strawberry.field(description="Its owner, how it is counted and its external codes; null until specified.")
    async def specification(self, info: Info[Context, None]) -> LazySpecification | None:
        from schema.planning.specification import specification_of  # the two types refer to each other

        return await specification_of(info.context, str(self.id))

    @strawberry.field(description="External codes (SNOMED CT, LOINC or local) that identify the measure.")
    async def codes(self, info: Info[Context, None]) -> list[LazyCoding]:
        from schema.planning.specification import codes_of

        return await codes_of(info.context, str(self.id))

    @classmethod
    def from_view(cls, v: MeasureView) -> Measure:
        target = v.target if v.target is None or math.isfinite(v.target) else None
        return cls(id=strawberry.ID(v.id), name=v.name, kind=MeasureKind(v.kind),
                   improvement_direction=ImprovementDirection(v.direction), chart_type=ChartType(v.chart_type),
                   frequency=Frequency(v.frequency), unit=v.unit, target=target,
                   shift_run_length=v.shift_run_length, trend_run_length=v.trend_run_length, team_id=v.team_id,
                   as_of_chart=v.chart)


@strawberry.type
class MeasureEdge:
    node: Measure
    cursor: str


@strawberry.type
class MeasureConnection:
    edges: list[MeasureEdge]
    page_info: PageInfo


@strawberry.input
class CodingInput:
    system: str = strawberry.field(description="e.g. http://snomed.info/sct, http://loinc.org, or a local URI.")
    code: str


@strawberry.input
class DefineMeasureInput:
    team_id: strawberry.ID
    name: str
    kind: MeasureKind
    improvement_direction: ImprovementDirection
    chart_type: ChartType | None = ChartType.XMR   # nullable with a default, as the contract writes them:
    frequency: Frequency | None = Frequency.MONTH  # an explicit null means the default
    unit: str | None = None
    target: float | None = None
    shift_run_length: int | None = 6
    trend_run_length: int | None = 6
    codes: list[CodingInput] | None = strawberry.field(
        default=None, description="Codes FHIR intake matches on; a pair identifies at most one measure.")


@strawberry.type
class MeasureAnswer:
    """A payload's measure is read only if the client asks for it; then the answer waits (read-your-writes)
    until the read models include this command's events."""

    measure_id: strawberry.Private[str | None]
    position: strawberry.Private[int]

    @strawberry.field
    async def measure(self, info: Info[Context, None]) -> Measure | None:
        if self.measure_id is None:
            return None
        return await fresh_measure(info.context, self.measure_id, self.position)


@strawberry.type
class DefineMeasurePayload(MeasureAnswer):
    errors: list[UserError]


ObservationInput = domain_input(ObservationIn, "ObservationInput")


@strawberry.input
class RecordObservationsInput:
    measure_id: strawberry.ID
    observations: list[ObservationInput]  # type: ignore[valid-type]
    idempotency_key: str | None = None


@strawberry.type
class RecordObservationsPayload(MeasureAnswer):
    accepted: int
    duplicates: int
    corrected: int
    errors: list[UserError]


@strawberry.input
class RecalculateLimitsInput:
    measure_id: strawberry.ID
    from_period: date
    reason: str


@strawberry.input
class SetBaselineInput:
    measure_id: strawberry.ID
    points: int
    reason: str


@strawberry.input
class SetTargetInput:
    measure_id: strawberry.ID
    target: float | None
    reason: str
    effective_from: date | None = strawberry.field(
        default=None, description="The first period the target applies to; earlier periods keep earlier targets.")


@strawberry.type
class MeasurePayload(MeasureAnswer):
    errors: list[UserError]


async def fresh_measure(ctx: Context, measure_id: str, position: int) -> Measure | None:
    """Read-your-writes: the measure once the read models include `position`."""
    await ctx.services.wait_for_projections(position, (CatalogProjection.name, SpcProjection.name))
    ctx.measures.clear_all()
    ctx.charts.clear_all()
    view = await ctx.measures.load(measure_id)
    return Measure.from_view(view) if view is not None else None


@strawberry.type
class MeasureQueries:
    @strawberry.field(description="asOf: the measure and its chart as they stood then, rebuilt from the events.")
    async def measure(self, info: Info[Context, None], id: strawberry.ID,
                      as_of: datetime | None = None) -> Measure | None:
        ctx = info.context
        if as_of is not None:
            ctx.uncacheable()  # an instant not yet past may still gain events
            try:
                view = await measure_as_of(ctx.services, ctx.principal, str(id), as_of)
            except Forbidden:
                return None
            return Measure.from_view(view) if view is not None else None
        if _selects_spc(info):  # the measure and its chart in one round trip
            both = await ctx.measures_and_charts.load(str(id))
            view = both[0] if both is not None else None
        else:
            view = await ctx.measures.load(str(id))
        ctx.depend(f"m:{id}", view.position if view else None)
        if view is None or not ctx.can("measure.read", view.team_id):
            return None
        return Measure.from_view(view)


def _selects_spc(info: Info[Context, None]) -> bool:
    """Whether the field's selection names `spc` at its top level (fragments are not looked into: a query that
    reaches the chart through one only costs a second round trip)."""
    selection_set = info._raw_info.field_nodes[0].selection_set
    return selection_set is not None and any(
        getattr(getattr(s, "name", None), "value", None) == "spc" for s in selection_set.selections)


@strawberry.type
class MeasureBrowsing:
    @strawberry.field(description="The measures the caller may read, of one team or of every team, by name.")
    async def measures(self, info: Info[Context, None], team_id: strawberry.ID | None = None, first: int | None = 50,
                       after: str | None = None) -> MeasureConnection:
        ctx = info.context
        page = await measures_page(ctx.services.pool, ctx.principal, str(team_id) if team_id else None,
                                   50 if first is None else first, after)
        ctx.depend("measures:", page.version)
        return MeasureConnection(
            edges=[MeasureEdge(node=Measure.from_view(v), cursor=c) for v, c in zip(page.items, page.cursors,
                                                                                     strict=True)],
            page_info=page_info(page.cursors, page.has_next))


async def _decision(ctx: Context, measure_id: str, run: Awaitable[int]) -> MeasurePayload:
    try:
        position = ctx.wrote(await run)
    except DomainError as e:
        return MeasurePayload(measure_id=None, position=0, errors=[user_error(e)])
    return MeasurePayload(measure_id=measure_id, position=position, errors=[])


@strawberry.type
class MeasureMutations:
    @strawberry.mutation
    async def define_measure(self, info: Info[Context, None], input: DefineMeasureInput) -> DefineMeasurePayload:
        ctx = info.context
        definition = MeasureDefinition(
            team_id=str(input.team_id), name=input.name, kind=input.kind.value,
            direction=input.improvement_direction.value, chart_type=(input.chart_type or ChartType.XMR).value,
            frequency=(input.frequency or Frequency.MONTH).value, unit=input.unit, target=input.target,
            shift_run_length=6 if input.shift_run_length is None else input.shift_run_length,
            trend_run_length=6 if input.trend_run_length is None else input.trend_run_length,
            codes=tuple({"system": c.system, "code": c.code} for c in input.codes or ()))
        try:
            measure_id, position = await commands.define_measure(ctx.services, ctx.command(), definition)
        except DomainError as e:
            return DefineMeasurePayload(measure_id=None, position=0, errors=[user_error(e)])
        return DefineMeasurePayload(measure_id=measure_id, position=ctx.wrote(position), errors=[])

    @strawberry.mutation
    async def record_observations(self, info: Info[Context, None],
                                  input: RecordObservationsInput) -> RecordObservationsPayload:
        ctx = info.context
        observations: list[ObservationIn] = input.observations  # built as the domain's values (schema/inputs.py)
        try:
            result = await commands.record_observations(ctx.services, ctx.command(), str(input.measure_id),
                                                        observations, input.idempotency_key)
        except DomainError as e:
            return RecordObservationsPayload(measure_id=None, position=0, accepted=0, duplicates=0, corrected=0,
                                             errors=[user_error(e)])
        return RecordObservationsPayload(
            measure_id=str(input.measure_id), position=ctx.wrote(result.position), accepted=result.accepted,
            duplicates=result.duplicates, corrected=result.corrected,
            errors=[user_error_from_dict(e) for e in result.errors])

    @strawberry.mutation
    async def recalculate_limits(self, info: Info[Context, None], input: RecalculateLimitsInput) -> MeasurePayload:
        ctx = info.context
        return await _decision(ctx, str(input.measure_id), commands.recalculate_limits(
            ctx.services, ctx.command(), str(input.measure_id), input.from_period, input.reason))

    @strawberry.mutation
    async def set_baseline(self, info: Info[Context, None], input: SetBaselineInput) -> MeasurePayload:
        ctx = info.context
        return await _decision(ctx, str(input.measure_id), commands.set_baseline(
            ctx.services, ctx.command(), str(input.measure_id), input.points, input.reason))

    @strawberry.mutation
    async def set_target(self, info: Info[Context, None], input: SetTargetInput) -> MeasurePayload:
        ctx = info.context
        return await _decision(ctx, str(input.measure_id), commands.set_target(
            ctx.services, ctx.command(), str(input.measure_id), input.target, input.reason, input.effective_from))
