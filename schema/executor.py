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

from dataclasses import dataclass
from functools import lru_cache
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
)
from graphql.type import GraphQLLeafType, GraphQLList, GraphQLNonNull, GraphQLObjectType, is_leaf_type
from strawberry.execution import optimized_is_awaitable
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext, validate_document


class ExecutionContext(StrawberryGraphQLCoreExecutionContext):
    def execute_fields(self, parent_type: GraphQLObjectType, source_value: Any, path: Any,
                       grouped_field_set: Any, position_context: Any) -> Any:
        # An object whose selected fields are all plain is completed here at once, without a path or a resolve
        # info per field; the first field that is not plain, or whose value is refused, sends the whole object
        # down graphql-core's path (plain fields only read attributes, so reading them again is harmless).
        if self.middleware_manager is None:
            results: dict[str, Any] = {}
            for response_name, field_details_list in grouped_field_set.items():
                value = _plain_value(self._shape(parent_type, field_details_list), source_value)
                if value is _REFUSED:
                    break
                results[response_name] = value
            else:
                return results
        return super().execute_fields(parent_type, source_value, path, grouped_field_set, position_context)

    def execute_field(self, parent_type: GraphQLObjectType, source: Any, field_details_list: Any, path: Any,
                      position_context: Any) -> Any:
        if self.middleware_manager is None:
            value = _plain_value(self._shape(parent_type, field_details_list), source)
            if value is not _REFUSED:
                return value
        return super().execute_field(parent_type, source, field_details_list, path, position_context)

    @staticmethod
    def _shape(parent_type: GraphQLObjectType, field_details_list: Any) -> Any:
        key = (parent_type, field_details_list[0].node.name.value)
        shape = _plain_fields.get(key, _UNKNOWN)
        if shape is _UNKNOWN:
            shape = _plain_fields[key] = _plain_shape(*key)
        return shape

    def complete_list_value(self, return_type: Any, field_details_list: Any, info: Any, path: Any, result: Any,
                            position_context: Any) -> Any:
        item_type = return_type.of_type
        non_null = isinstance(item_type, GraphQLNonNull)
        leaf = item_type.of_type if non_null else item_type
        if type(result) is list and is_leaf_type(leaf) and self.get_stream_usage(field_details_list, path) is None:
            completed = _coerce_all(leaf, result, non_null)
            if completed is not None:
                return completed
        return super().complete_list_value(return_type, field_details_list, info, path, result, position_context)


_UNKNOWN = object()
_REFUSED = object()
# Per (object type, field): how to complete a plain field without graphql-core's per-field machinery, or None.
_plain_fields: dict[tuple[GraphQLObjectType, str], Any] = {}


def _plain_shape(parent_type: GraphQLObjectType, name: str) -> tuple[Any, Any, bool, str | None] | None:
    """A strawberry field with no resolver of its own (it reads an attribute, ignoring `info`), no arguments, and
    a scalar or enum type, or a list of them: (resolve, leaf type, non-null, list kind: None, "!" for non-null
    items, "?" for nullable ones). Anything else (resolvers, objects, arguments) takes graphql-core's path."""
    field = parent_type.fields.get(name)
    if field is None or field.args or not getattr(field.resolve, "_is_default", False):
        return None
    type_, non_null = field.type, False
    if isinstance(type_, GraphQLNonNull):
        type_, non_null = type_.of_type, True
    if is_leaf_type(type_):
        return field.resolve, type_, non_null, None
    if isinstance(type_, GraphQLList):
        item = type_.of_type
        item_non_null = isinstance(item, GraphQLNonNull)
        item = item.of_type if item_non_null else item
        if is_leaf_type(item):
            return field.resolve, item, non_null, "!" if item_non_null else "?"
    return None


def _plain_value(shape: Any, source: Any) -> Any:
    """A plain field's completed value, or _REFUSED when graphql-core must decide (it reports the error)."""
    if shape is None:
        return _REFUSED
    resolve, leaf, non_null, items = shape
    value = resolve(source, None)
    if value is None:
        return _REFUSED if non_null else None
    if items is not None:
        completed = _coerce_all(leaf, value, non_null=items == "!") if type(value) is list else None
    else:
        try:
            completed = leaf.coerce_output_value(value)
        except Exception:  # graphql-core's own path reports it
            completed = None
    return _REFUSED if completed is None else completed


def _coerce_all(leaf: GraphQLLeafType, items: list[Any], non_null: bool) -> list[Any] | None:
    """The items as graphql-core would complete them, or None when any would be an error."""
    coerce = leaf.coerce_output_value
    try:
        if non_null:
            out = [coerce(v) for v in items]
            return None if None in out else out
        out = [None if v is None else coerce(v) for v in items]
    except Exception:  # graphql-core's own path reports it
        return None
    # A coercion that gives null for a value is an error too (see graphql-core's complete_leaf_value).
    return None if any(o is None and v is not None for o, v in zip(out, items, strict=True)) else out


@dataclass(frozen=True, slots=True)
class Prepared:
    """A document parsed and validated: either its AST and operation, or the errors that stop it."""

    document: DocumentNode | None
    operation: OperationType | None
    errors: tuple[GraphQLError, ...] = ()


class Executor:
    def __init__(self, schema: strawberry.Schema, *, limit_rules: list[type], max_tokens: int,
                 introspection: bool, cache_size: int = 1024) -> None:
        self.schema = schema
        self._graphql_schema = schema._schema
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
        return Prepared(document, operation.operation if operation else None)

    async def execute(self, prepared: Prepared, variables: dict[str, Any] | None, context: Any,
                      operation_name: str | None) -> ExecutionResult:
        if prepared.document is None:
            return ExecutionResult(None, list(prepared.errors))
        result = execute(self._graphql_schema, prepared.document, context_value=context, variable_values=variables,
                         operation_name=operation_name, executor_class=self._context_class,
                         is_awaitable=optimized_is_awaitable)
        if optimized_is_awaitable(result):
            result = await result  # type: ignore[misc]
        return result  # type: ignore[return-value]
