"""Runs GraphQL operations against the strawberry schema with each distinct document prepared once.

strawberry's `Schema.execute` builds a fresh set of extension objects, an extensions runner and an execution
context for every request, and runs every hook of every extension around parsing, validation and execution,
even when the parse and validation results come from a cache. For a small mutation that machinery cost more
than the command itself. Here the same steps are done by graphql-core directly, on the graphql-core schema that
strawberry built (so the types, resolvers, argument conversion and field extensions are all strawberry's):

  * parse, with the token limit, and validate, with graphql-core's rules, the depth and alias limits, strawberry's
    own rules, and no introspection in production: once per distinct (document, operation name), kept in an LRU;
  * execute with strawberry's execution context class, so resolvers see strawberry's `info`, extended with one
    shortcut: a list of scalars or enums (a chart's columns) is completed by one pass of the type's own output
    coercion over the list instead of graphql-core's full completion step per item. Any item that coercion
    refuses, or a null where the type forbids one, sends the list down graphql-core's own path, so errors and
    their paths are exactly graphql-core's.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from datetime import date, datetime, time
from enum import Enum
from functools import lru_cache
from math import isfinite
from operator import attrgetter
from typing import Any

import strawberry
from graphql import (
    DocumentNode,
    ExecutionResult,
    GraphQLError,
    NoSchemaIntrospectionCustomRule,
    OperationType,
    execute,
    get_operation_ast,
    parse,
    specified_rules,
    subscribe,
)
from graphql.type import (
    GraphQLBoolean,
    GraphQLEnumType,
    GraphQLFloat,
    GraphQLID,
    GraphQLInt,
    GraphQLLeafType,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLString,
    is_leaf_type,
)
from strawberry.execution import optimized_is_awaitable
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext, validate_document
from strawberry.schema.schema_converter import GraphQLCoreConverter
from strawberry.schema.types import base_scalars

from schema.direct import DirectPlan, compile_direct, run_direct


class ExecutionContext(StrawberryGraphQLCoreExecutionContext):
    def execute_fields(self, parent_type: GraphQLObjectType, source_value: Any, path: Any,
                       grouped_field_set: Any, position_context: Any) -> Any:
        # An object whose selected fields are all plain is completed here at once, by a plan made once per
        # selection (graphql-core hands every item of a list the same grouped field set), without a path or a
        # resolve info per field. A field that is not plain, or a value refused, sends the whole object down
        # graphql-core's path (plain fields only read attributes, so reading them again is harmless).
        if self.middleware_manager is None:
            plan = self._plan(parent_type, grouped_field_set)
            if plan is not None:
                results = _complete_object(plan, source_value)
                if results is not _REFUSED:
                    return results
        return super().execute_fields(parent_type, source_value, path, grouped_field_set, position_context)

    def execute_field(self, parent_type: GraphQLObjectType, source: Any, field_details_list: Any, path: Any,
                      position_context: Any) -> Any:
        if self.middleware_manager is None:
            shape = _shape(parent_type, field_details_list[0].node.name.value)
            if shape is not None:
                value = _plain_value(shape, source)
                if value is not _REFUSED:
                    return value
        return super().execute_field(parent_type, source, field_details_list, path, position_context)

    def _plan(self, parent_type: GraphQLObjectType, grouped_field_set: Any) -> tuple[list[str], list[Any]] | None:
        """(response names, their shapes) when every selected field is plain, else None."""
        plans = self.__dict__.setdefault("_plans", {})
        entry = plans.get(id(grouped_field_set))
        if entry is None or entry[0] is not grouped_field_set:  # kept with its set, so the id stays its own
            names = list(grouped_field_set)
            shapes = [_shape(parent_type, details[0].node.name.value) for details in grouped_field_set.values()]
            entry = plans[id(grouped_field_set)] = (grouped_field_set, None if None in shapes else (names, shapes))
        return entry[1]

    def complete_list_value(self, return_type: Any, field_details_list: Any, info: Any, path: Any, result: Any,
                            position_context: Any) -> Any:
        item_type = return_type.of_type
        non_null = isinstance(item_type, GraphQLNonNull)
        item = item_type.of_type if non_null else item_type
        if type(result) is list and self.get_stream_usage(field_details_list, path) is None:
            completed: Any = _REFUSED
            if is_leaf_type(item):
                completed = _coerce_all(_coercer(item), result, non_null)
            elif isinstance(item, GraphQLObjectType) and item.is_type_of is None:
                completed = self._complete_plain_objects(item, field_details_list, result, non_null)
            if completed is not _REFUSED:
                return completed
        return super().complete_list_value(return_type, field_details_list, info, path, result, position_context)

    def _complete_plain_objects(self, item_type: GraphQLObjectType, field_details_list: Any, items: list[Any],
                                non_null: bool) -> Any:
        """A list of objects whose selected fields are all plain (chart points), completed item by item with the
        selection's plan, without graphql-core's per-item paths and dispatch; _REFUSED hands the whole list back."""
        grouped_field_set, defer_usages, _ = self.collect_subfields(item_type, field_details_list)
        plan = None if defer_usages else self._plan(item_type, grouped_field_set)
        if plan is None:
            return _REFUSED
        completed: list[Any] = []
        for source in items:
            if source is None:
                if non_null:
                    return _REFUSED
                completed.append(None)
                continue
            results = _complete_object(plan, source)
            if results is _REFUSED:
                return _REFUSED
            completed.append(results)
        return completed


_REFUSED = object()
_shapes: dict[tuple[GraphQLObjectType, str], Any] = {}
_coercers: dict[GraphQLLeafType, Callable[[Any], Any]] = {}


def _shape(parent_type: GraphQLObjectType, name: str) -> Any:
    """How to complete a plain field, worked out once per (type, field): a strawberry field with no resolver of
    its own (it reads an attribute), no arguments, and a scalar or enum type, or a list of them; and __typename.
    Its shape is (read, coerce, non-null, list kind: None, "!" for non-null items, "?" for nullable ones); None for
    anything else (resolvers, objects, arguments), which takes graphql-core's path."""
    key = (parent_type, name)
    if key not in _shapes:
        _shapes[key] = _make_shape(parent_type, name)
    return _shapes[key]


def _make_shape(parent_type: GraphQLObjectType, name: str) -> Any:
    if name == "__typename":  # which clients such as Apollo add to every selection
        type_name = parent_type.name
        return (lambda _source: type_name), _same, True, None
    field = parent_type.fields.get(name)
    if field is None or field.args or not getattr(field.resolve, "_is_default", False):
        return None
    definition = (field.extensions or {}).get(GraphQLCoreConverter.DEFINITION_BACKREF)
    resolve = field.resolve
    read: Callable[[Any], Any] = lambda source: resolve(source, None)  # noqa: E731 - it ignores info
    if definition is not None and definition.default_resolver is getattr:
        read = attrgetter(definition.python_name)  # what strawberry's default resolver does, without its calls
    type_, non_null = field.type, False
    if isinstance(type_, GraphQLNonNull):
        type_, non_null = type_.of_type, True
    if is_leaf_type(type_):
        return read, _coercer(type_), non_null, None
    if isinstance(type_, GraphQLList):
        item = type_.of_type
        item_non_null = isinstance(item, GraphQLNonNull)
        item = item.of_type if item_non_null else item
        if is_leaf_type(item):
            return read, _coercer(item), non_null, "!" if item_non_null else "?"
    return None


def _plain_completer(parent_type: GraphQLObjectType, name: str) -> Callable[[Any], Any] | None:
    """A plain field's completion from its parent object (answering _REFUSED), or None: for schema/direct.py."""
    shape = _shape(parent_type, name)
    return None if shape is None else lambda source: _plain_value(shape, source)


def _same(value: Any) -> Any:
    return value


def _coercer(leaf: GraphQLLeafType) -> Callable[[Any], Any]:
    """The leaf type's output coercion, answering _REFUSED where graphql-core would report an error; the common
    exact types (a finite float, a str, a 32-bit int, a bool, a member of the enum) are taken as they are."""
    if leaf in _coercers:
        return _coercers[leaf]
    coerce_output_value = leaf.coerce_output_value

    def general(v: Any) -> Any:
        try:
            out = coerce_output_value(v)
        except Exception:  # graphql-core's own path reports it
            return _REFUSED
        return _REFUSED if out is None else out

    fast: Callable[[Any], Any] = general
    wrapped = getattr(leaf, "wrapped_cls", None)
    if isinstance(leaf, GraphQLEnumType) and isinstance(wrapped, type) and issubclass(wrapped, Enum):
        names = {member: name for name, value in leaf.values.items() for member in wrapped
                 if member.value == value.value}
        fast = lambda v: names[v] if type(v) is wrapped and v in names else general(v)  # noqa: E731
    elif leaf is GraphQLFloat:
        fast = lambda v: v if type(v) is float and isfinite(v) else general(v)  # noqa: E731
    elif leaf is GraphQLString or leaf is GraphQLID:
        fast = lambda v: v if type(v) is str else general(v)  # noqa: E731
    elif leaf is GraphQLInt:
        fast = lambda v: v if type(v) is int and -0x80000000 <= v <= 0x7FFFFFFF else general(v)  # noqa: E731
    elif leaf is GraphQLBoolean:
        fast = lambda v: v if type(v) is bool else general(v)  # noqa: E731
    elif (definition := (leaf.extensions or {}).get(GraphQLCoreConverter.DEFINITION_BACKREF)) is not None and \
            definition.serialize is base_scalars.isoformat and definition.origin in (date, datetime, time):
        origin = definition.origin  # strawberry's Date, DateTime and Time: their isoformat
        fast = lambda v: v.isoformat() if type(v) is origin else general(v)  # noqa: E731
    _coercers[leaf] = fast
    return fast


def _plain_value(shape: Any, source: Any) -> Any:
    """A plain field's completed value, or _REFUSED when graphql-core must decide (it reports the error)."""
    read, coerce, non_null, items = shape
    value = read(source)
    if value is None:
        return _REFUSED if non_null else None
    if items is None:
        return coerce(value)
    return _coerce_all(coerce, value, items == "!") if type(value) is list else _REFUSED


def _complete_object(plan: tuple[list[str], list[Any]], source: Any) -> Any:
    """An object's plain fields completed by the selection's plan, or _REFUSED for graphql-core's path. This is
    _plain_value written out in the loop: it runs once per field of every chart point, and the call per field
    cost a quarter of a cold chart query."""
    names, shapes = plan
    row = []
    for read, coerce, required, kind in shapes:
        value = read(source)
        if value is None:
            if required:
                return _REFUSED
        elif kind is None:
            value = coerce(value)
        elif type(value) is list:
            value = _coerce_all(coerce, value, kind == "!")
        else:
            return _REFUSED
        if value is _REFUSED:
            return _REFUSED
        row.append(value)
    return dict(zip(names, row, strict=True))


def _coerce_all(coerce: Callable[[Any], Any], items: list[Any], non_null: bool) -> Any:
    """The items as graphql-core would complete them, or _REFUSED when any would be an error."""
    out = [coerce(v) for v in items] if non_null else [None if v is None else coerce(v) for v in items]
    return _REFUSED if _REFUSED in out else out


@dataclass(frozen=True, slots=True)
class Prepared:
    """A document parsed and validated: either its AST and operation, or the errors that stop it."""

    document: DocumentNode | None
    operation: OperationType | None
    errors: tuple[GraphQLError, ...] = ()
    name: str | None = None   # the operation's name in the document, for metrics and logs
    direct: DirectPlan | None = None  # one root field with a plain answer: run by schema/direct.py


class Executor:
    def __init__(self, schema: strawberry.Schema, *, limit_rules: list[type], max_tokens: int,
                 introspection: bool, cache_size: int = 1024) -> None:
        self._strawberry_schema, self._graphql_schema = schema, schema._schema
        self._context_class = ExecutionContext
        rules = [*specified_rules, *limit_rules]
        if not introspection:
            rules.append(NoSchemaIntrospectionCustomRule)
        self._rules = tuple(rules)
        self._max_tokens = max_tokens
        self.prepare = lru_cache(maxsize=cache_size)(self._prepare)

    def _prepare(self, query: str, operation_name: str | None) -> Prepared:
        try:
            document = parse(query, max_tokens=self._max_tokens)
        except GraphQLError as e:
            return Prepared(None, None, (e,))
        errors = validate_document(self._graphql_schema, document, self._rules)
        if errors:
            return Prepared(None, None, tuple(errors))
        operation = get_operation_ast(document, operation_name)
        if operation is None:
            return Prepared(document, None)
        return Prepared(document, operation.operation, name=operation.name.value if operation.name else None,
                        direct=compile_direct(self._strawberry_schema, document, operation, _plain_completer, _REFUSED))

    async def subscribe(self, prepared: Prepared, variables: dict[str, Any] | None, context: Any,
                        operation_name: str | None) -> AsyncIterator[ExecutionResult] | ExecutionResult:
        """A subscription's stream of results (a result per event, completed by the same execution context as
        queries, with its plain-field shortcuts), or the errors that stop it."""
        if prepared.document is None:
            return ExecutionResult(None, list(prepared.errors))
        result = subscribe(self._graphql_schema, prepared.document, context_value=context, variable_values=variables,
                           operation_name=operation_name, executor_class=self._context_class,
                           is_awaitable=optimized_is_awaitable)
        if optimized_is_awaitable(result):
            result = await result  # type: ignore[misc]
        return result  # type: ignore[return-value]

    async def execute(self, prepared: Prepared, variables: dict[str, Any] | None, context: Any,
                      operation_name: str | None) -> ExecutionResult:
        if prepared.document is None:
            return ExecutionResult(None, list(prepared.errors))
        if prepared.direct is not None:
            return await run_direct(prepared.direct, self._graphql_schema, prepared.document, variables, context,
                                    operation_name, self._context_class)
        result = execute(self._graphql_schema, prepared.document, context_value=context, variable_values=variables,
                         operation_name=operation_name, executor_class=self._context_class,
                         is_awaitable=optimized_is_awaitable)
        if optimized_is_awaitable(result):
            result = await result  # type: ignore[misc]
        return result  # type: ignore[return-value]
