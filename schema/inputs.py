"""Input objects built by converters worked out once per type, not by reflection at every request.

strawberry turns each argument's GraphQL value into its input classes by inspecting the Python types again for
every value: resolving annotations, camel-casing field names, checking for generics, once per field of every
list item. For `recordObservations` that took about an eighth of the API's time per command. The conversion
depends only on the types, so `compile_inputs` works it out once, from the built schema, and installs it through
strawberry's `from_input` hook on each input type's definition. The result is what strawberry builds (the same
classes, defaults and nesting; graphql-core has already coerced scalars and enums). An input type with a field
this does not know how to build (a Maybe, a relay GlobalID) keeps strawberry's own conversion.

`domain_input` exposes a domain value type (a NamedTuple or dataclass) as a GraphQL input type with the same
fields, so the shape is written once, in the domain; the compiled converter builds the domain value itself.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import MISSING, fields, is_dataclass
from typing import Any, get_type_hints

import strawberry
from graphql import GraphQLInputObjectType
from strawberry.relay import GlobalID
from strawberry.scalars import is_scalar
from strawberry.schema.schema_converter import GraphQLCoreConverter
from strawberry.types.base import (
    StrawberryList,
    StrawberryMaybe,
    StrawberryOptional,
    StrawberryType,
    has_object_definition,
)
from strawberry.types.enum import StrawberryEnumDefinition, has_enum_definition
from strawberry.types.lazy_type import LazyType

Convert = Callable[[Any], Any] | None  # None: the value is used as graphql-core coerced it


class _Unsupported(Exception):
    pass


def domain_input(domain: type, name: str, description: str | None = None) -> type:
    """A GraphQL input type with the fields, types and defaults of the domain value type `domain`; its values
    arrive in resolvers as `domain` values (see compile_inputs)."""
    hints = get_type_hints(domain)
    if is_dataclass(domain):
        defaults = {f.name: f.default for f in fields(domain) if f.default is not MISSING}
    else:
        defaults = dict(getattr(domain, "_field_defaults", {}))
    namespace = {"__annotations__": hints, "__module__": domain.__module__, "__doc__": domain.__doc__,
                 "__domain__": domain, **defaults}
    return strawberry.input(type(name, (), namespace), name=name, description=description)


def compile_inputs(schema: strawberry.Schema) -> list[str]:
    """Install a compiled `from_input` on every input type of the schema it can build; returns their names."""
    compiled: dict[type, Callable[[Mapping[str, Any]], Any]] = {}
    done = []
    for graphql_type in schema._schema.type_map.values():
        if not isinstance(graphql_type, GraphQLInputObjectType):
            continue
        definition = (graphql_type.extensions or {}).get(GraphQLCoreConverter.DEFINITION_BACKREF)
        if definition is None or (definition.from_input is not None and not _is_ours(definition.from_input)):
            continue  # an integration's own hook (strawberry.pydantic) stays
        try:
            build = _builder(definition.origin, schema, compiled)
        except _Unsupported:
            continue

        def from_input(cls: type, value: Mapping[str, Any], _context: object, build: Any = build) -> Any:
            return build(value, getattr(cls, "__domain__", cls))

        from_input.compiled = True  # type: ignore[attr-defined]
        definition.from_input = from_input
        done.append(graphql_type.name)
    return sorted(done)


def argument_converter(type_: StrawberryType | type, schema: strawberry.Schema) -> Convert:
    """What strawberry's argument conversion does to a value of this type once compile_inputs has run: nothing
    (None) or this function; TypeError when strawberry's own conversion must run (an input type without the
    compiled hook, a Maybe, a GlobalID)."""
    inner = type_
    while isinstance(inner, StrawberryOptional | StrawberryList | LazyType):
        inner = inner.resolve_type() if isinstance(inner, LazyType) else inner.of_type
    definition = getattr(inner, "__strawberry_definition__", None) if has_object_definition(inner) else None
    if definition is not None and not _is_ours(definition.from_input):
        raise TypeError(inner)
    try:
        return _converter(type_, schema, {})
    except _Unsupported as e:
        raise TypeError(type_) from e


def _is_ours(hook: object) -> bool:
    return getattr(hook, "compiled", False) is True


def _builder(cls: type, schema: strawberry.Schema, compiled: dict[type, Any]) -> Callable[..., Any]:
    if cls in compiled:
        return compiled[cls]
    definition = cls.__strawberry_definition__  # type: ignore[attr-defined]
    fields: list[tuple[str, str, Convert]] = []
    implicit_none: dict[str, None] = {}
    made = getattr(cls, "__domain__", cls)  # a domain_input builds the domain's value
    compiled[cls] = lambda value, target=made: build(value, target)  # a recursive type refers to itself
    for f in definition.fields:
        name = schema.config.name_converter.from_field(f)
        fields.append((name, f.python_name, _converter(f.resolve_type(type_definition=definition), schema, compiled)))
        if f.default_value is MISSING and f.default_factory is MISSING:
            implicit_none[f.python_name] = None  # as strawberry: required fields are always present anyway

    def build(value: Mapping[str, Any], target: type = made) -> Any:
        kwargs: dict[str, Any] = dict(implicit_none)
        for name, python_name, convert in fields:
            if name in value:
                v = value[name]
                kwargs[python_name] = v if convert is None or v is None else convert(v)
        return target(**kwargs)

    compiled[cls] = build
    return build


def _converter(type_: StrawberryType | type, schema: strawberry.Schema, compiled: dict[type, Any]) -> Convert:
    if isinstance(type_, StrawberryMaybe) or type_ is GlobalID:
        raise _Unsupported(type_)
    if isinstance(type_, StrawberryOptional):
        return _converter(type_.of_type, schema, compiled)
    if isinstance(type_, LazyType):
        return _converter(type_.resolve_type(), schema, compiled)
    if isinstance(type_, StrawberryList):
        item = _converter(type_.of_type, schema, compiled)
        if item is None:
            return list  # a copy: graphql-core shares defaults between requests
        return lambda values: [None if v is None else item(v) for v in values]
    if (isinstance(type_, StrawberryEnumDefinition) or has_enum_definition(type_)
            or is_scalar(type_, schema.schema_converter.scalar_registry)):
        return None
    if has_object_definition(type_) and type_.__strawberry_definition__.is_input:  # type: ignore[union-attr]
        return _builder(type_, schema, compiled)  # type: ignore[arg-type]
    raise _Unsupported(type_)
