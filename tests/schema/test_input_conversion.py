"""The compiled input converters build exactly what strawberry's own conversion builds."""

from __future__ import annotations

from datetime import date

import pytest
import strawberry
from strawberry.types.arguments import convert_argument

from schema.inputs import compile_inputs
from schema.measures import ObservationInput, RecordObservationsInput
from schema.root import build_schema
from schema.teams import CreateTeamInput

SAMPLES = [
    (RecordObservationsInput, {"measureId": "m-1", "observations": [
        {"period": date(2024, 1, 1), "value": 1.5, "numerator": None, "denominator": None, "sourceId": "a",
         "note": None},
        {"period": date(2024, 1, 2), "value": None, "numerator": 3.0, "denominator": 9.0, "sourceId": None,
         "note": "late"}]}),
    (RecordObservationsInput, {"measureId": "m-1", "observations": []}),
    (ObservationInput, {"period": date(2024, 1, 1)}),  # optional fields left out: their defaults
    (CreateTeamInput, {"name": "Ward 9"}),
    (CreateTeamInput, {"name": "Ward 9", "parentTeamId": None}),
]


def _as_domain(value: object) -> object:
    """What strawberry built, with each domain_input's value turned into the domain's own value."""
    domain = getattr(type(value), "__domain__", None)
    if domain is not None:
        return domain(**vars(value))
    if hasattr(value, "__strawberry_definition__"):
        for name, item in vars(value).items():
            setattr(value, name, [_as_domain(i) for i in item] if isinstance(item, list) else _as_domain(item))
    return value


def _strawberry_conversion(schema: strawberry.Schema, cls: type, value: dict) -> object:
    definition = cls.__strawberry_definition__  # type: ignore[attr-defined]
    ours, definition.from_input = definition.from_input, None
    try:
        return _as_domain(convert_argument(value, cls, schema.schema_converter.scalar_registry, schema.config))
    finally:
        definition.from_input = ours


@pytest.mark.parametrize(("cls", "value"), SAMPLES)
def test_compiled_conversion_builds_what_strawberry_builds(cls: type, value: dict) -> None:
    schema = build_schema()
    compile_inputs(schema)
    expected = _strawberry_conversion(schema, cls, value)
    got = convert_argument(value, cls, schema.schema_converter.scalar_registry, schema.config)
    assert cls.__strawberry_definition__.from_input is not None  # type: ignore[attr-defined]
    assert got == expected and type(got) is type(expected)


def test_every_input_type_of_the_schema_is_compiled() -> None:
    from graphql import GraphQLInputObjectType

    schema = build_schema()
    inputs = sorted(n for n, t in schema._schema.type_map.items() if isinstance(t, GraphQLInputObjectType))
    assert compile_inputs(schema) == inputs and len(inputs) >= 9


def test_a_domain_input_arrives_as_the_domains_own_value() -> None:
    from domain.control.observations import ObservationIn

    schema = build_schema()
    compile_inputs(schema)
    got = convert_argument({"measureId": "m", "observations": [{"period": date(2024, 1, 1), "value": 2.0}]},
                           RecordObservationsInput, schema.schema_converter.scalar_registry, schema.config)
    assert got.observations == [ObservationIn(date(2024, 1, 1), 2.0)]  # type: ignore[attr-defined]
    assert type(got.observations[0]) is ObservationIn  # type: ignore[attr-defined]


def test_a_list_value_is_copied_not_shared() -> None:
    schema = build_schema()
    compile_inputs(schema)
    value = {"measureId": "m", "observations": []}
    got = convert_argument(value, RecordObservationsInput, schema.schema_converter.scalar_registry, schema.config)
    assert got.observations == [] and got.observations is not value["observations"]  # type: ignore[attr-defined]
