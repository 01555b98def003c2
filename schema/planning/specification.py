"""A measure fully defined, in GraphQL: `Measure.specification` and `Measure.codes`, and `specifyMeasure`, which
records each change of definition with its reason."""

from __future__ import annotations

from datetime import datetime

import strawberry
from strawberry.types import Info

from domain.errors import DomainError
from domain.planning.specification import Coding as CodingValue
from domain.planning.specification import Specification
from projections.catalog import CatalogProjection
from projections.planning.projection import PlanningProjection
from schema.context import Context
from schema.errors import UserError, user_error
from schema.measures import CodingInput, Measure
from service.commands import planning as commands
from service.reads import planning as reads
from service.reads.codes import codes_of_measure


@strawberry.type
class Coding:
    system: str = strawberry.field(description="e.g. http://snomed.info/sct, http://loinc.org, or a local URI.")
    code: str


@strawberry.type(description="Who owns the measure and exactly how it is counted.")
class MeasureSpecification:
    owner: str
    numerator: str
    denominator: str | None
    inclusions: list[str]
    exclusions: list[str]
    data_source: str
    codes: list[Coding]
    reason: str = strawberry.field(description="Why the definition was last set or changed.")
    specified_by: str
    specified_at: datetime


async def specification_of(ctx: Context, measure_id: str) -> MeasureSpecification | None:
    """Measure.specification: the definition as last specified, or null."""
    view = (await reads.specifications_by_measure(ctx.services.pool, [measure_id])).get(measure_id)
    ctx.depend(f"spec:{measure_id}", view.position if view else None)
    if view is None:
        return None
    s = view.specification
    return MeasureSpecification(owner=s["owner"], numerator=s["numerator"], denominator=s["denominator"],
                                inclusions=s["inclusions"], exclusions=s["exclusions"], data_source=s["data_source"],
                                codes=[Coding(system=c["system"], code=c["code"]) for c in s["codes"]],
                                reason=view.reason, specified_by=view.specified_by, specified_at=view.specified_at)


async def codes_of(ctx: Context, measure_id: str) -> list[Coding]:
    specification = await specification_of(ctx, measure_id)
    if specification is not None:
        return specification.codes
    # defined with codes and not yet specified: the codes it was defined with, which never change until then
    return [Coding(system=s, code=c) for s, c in await codes_of_measure(ctx.services.pool, measure_id)]


@strawberry.input
class SpecifyMeasureInput:
    measure_id: strawberry.ID
    owner: str = strawberry.field(description="The owner's subject.")
    numerator: str
    data_source: str
    reason: str
    denominator: str | None = None
    inclusions: list[str] = strawberry.field(default_factory=list)
    exclusions: list[str] = strawberry.field(default_factory=list)
    codes: list[CodingInput] = strawberry.field(default_factory=list)


@strawberry.type
class SpecifyMeasurePayload:
    measure: Measure | None
    errors: list[UserError]


@strawberry.type
class SpecificationMutations:
    @strawberry.mutation(description="Define a measure fully, or change its definition; the reason is kept.")
    async def specify_measure(self, info: Info[Context, None], input: SpecifyMeasureInput) -> SpecifyMeasurePayload:
        ctx = info.context
        specification = Specification(
            owner=input.owner, numerator=input.numerator, denominator=input.denominator, inclusions=input.inclusions,
            exclusions=input.exclusions, data_source=input.data_source,
            codes=[CodingValue(c.system, c.code) for c in input.codes])
        try:
            position = await commands.specify_measure(ctx.services, ctx.command(), str(input.measure_id),
                                                      specification, input.reason)
        except DomainError as e:
            return SpecifyMeasurePayload(measure=None, errors=[user_error(e)])
        await ctx.services.wait_for_projections(ctx.wrote(position), (CatalogProjection.name, PlanningProjection.name))
        view = await ctx.measures.load(str(input.measure_id))
        return SpecifyMeasurePayload(measure=Measure.from_view(view) if view else None, errors=[])
