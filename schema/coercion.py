"""An operation's variables coerced by functions compiled once per document, for schema/direct.py.

graphql-core's `get_variable_values` works out each variable's type from the document and walks the value
against it generically, asking at every step what kind of type it holds, and first walks it once more to guard
against values nested too deep for the interpreter: for a one-observation command, more time than the command's
own checks. Here the walk is written out once per variable type. It covers the values graphql-core accepts without
remark: anything else (null where the type forbids it, an unknown input field, a non-list where a list belongs, a
missing variable with a default, a value a scalar refuses) answers None, and graphql-core's own function then
decides and words the errors, so the coerced values, and the errors, are always graphql-core's.
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from typing import Any

from graphql import GraphQLError, GraphQLSchema, Undefined, VariableDefinitionNode
from graphql.execution.get_variable_signature import get_variable_signature
from graphql.execution.values import VariableValues, VariableValueSource
from graphql.type import (
    GraphQLInputObjectType,
    GraphQLList,
    GraphQLNonNull,
    is_leaf_type,
    is_required_input_field,
)
from graphql.utilities.coerce_input_value import coerce_default_value

Coerce = Callable[[Any], Any]  # raises _Refused for anything graphql-core should judge


class _Refused(Exception):
    pass


class _Unsupported(Exception):
    pass


def compile_variables(schema: GraphQLSchema, definitions: Collection[VariableDefinitionNode]
                      ) -> Callable[[dict[str, Any]], VariableValues | None] | None:
    """The coercion of this operation's variables, answering what `get_variable_values` answers for values it
    accepts and None for any other; None when a variable's type is beyond it (a oneOf input)."""
    variables = []
    try:
        for definition in definitions:
            signature = get_variable_signature(schema, definition)
            if isinstance(signature, GraphQLError):
                return None
            variables.append((signature.name, signature, _coercer(signature.type, {}),
                              definition.default_value is not None, isinstance(signature.type, GraphQLNonNull)))
    except _Unsupported:
        return None

    def coerce(inputs: dict[str, Any]) -> VariableValues | None:
        sources: dict[str, VariableValueSource] = {}
        coerced: dict[str, Any] = {}
        try:
            for name, signature, convert, has_default, required in variables:
                value = inputs.get(name, Undefined)
                if value is Undefined:
                    if has_default or required:
                        return None
                    sources[name] = VariableValueSource(signature)
                    continue
                sources[name] = VariableValueSource(signature, value)
                coerced[name] = convert(value)
        except Exception:  # _Refused, or anything else graphql-core should word
            return None
        return VariableValues(sources, coerced)

    return coerce


def _coercer(type_: Any, made: dict[Any, Coerce]) -> Coerce:
    """coerce_input_value(value, type_) for values it accepts, written out for this type."""
    if isinstance(type_, GraphQLNonNull):
        inner = _coercer(type_.of_type, made)

        def non_null(value: Any) -> Any:
            if value is None:
                raise _Refused
            return inner(value)
        return non_null
    if isinstance(type_, GraphQLList):
        item = _coercer(type_.of_type, made)

        def list_of(value: Any) -> Any:
            if value is None:
                return None
            if type(value) is not list:  # a single value as a list of one, or an iterable: graphql-core's
                raise _Refused
            return [item(v) for v in value]
        return list_of
    if isinstance(type_, GraphQLInputObjectType):
        return _object_coercer(type_, made)
    if is_leaf_type(type_):
        parse = type_.coerce_input_value

        def leaf(value: Any) -> Any:
            if value is None:
                return None
            try:
                out = parse(value)
            except Exception:
                raise _Refused from None
            if out is Undefined:
                raise _Refused
            return out
        return leaf
    raise _Unsupported(type_)


def _object_coercer(type_: GraphQLInputObjectType, made: dict[Any, Coerce]) -> Coerce:
    if type_.is_one_of:
        raise _Unsupported(type_)
    if type_ in made:
        return made[type_]
    fields: list[tuple[str, str, Coerce | None, Any]] = []

    def input_object(value: Any) -> Any:
        if value is None:
            return None
        if type(value) is not dict or any(k not in type_.fields for k in value):
            raise _Refused
        out: dict[str, Any] = {}
        for name, out_name, convert, field in fields:
            v = value.get(name, Undefined)
            if v is Undefined:
                if field is None:
                    raise _Refused  # required
                default = coerce_default_value(field)
                if default is not Undefined:
                    out[out_name] = default
            else:
                out[out_name] = convert(v)  # type: ignore[misc]
        return type_.out_type(out)

    made[type_] = input_object  # a recursive type refers to itself
    for name, field in type_.fields.items():
        fields.append((name, field.out_name or name, _coercer(field.type, made),
                       None if is_required_input_field(field) else field))
    return input_object
