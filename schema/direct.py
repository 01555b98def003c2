"""Operations of one root field whose answer has only plain fields, run without graphql-core's executor.

A single `recordObservations` through graphql-core spent more time in the executor than in the command: building
an executor and its incremental-delivery state, serial execution by async reduction, a resolve info and an abort
signal check per field, and completing the payload field by field. Most mutations, and many queries, are one root
field whose selection below it reads attributes only (a payload's counts, its `errors { code message }`). For such
a document `compile_direct` makes, once, a plan of the whole answer; `run_direct` then coerces the variables (by
schema/coercion.py, which gives way to graphql-core for anything unusual) and the arguments (graphql-core's own
function), calls the root field's resolver with the resolve info strawberry's execution would give it and the
arguments converted as strawberry converts them (schema/inputs.py), and completes the answer by the plan.

Anything the plan does not expect (the resolver raises, a null where the type forbids one, a value its type's
coercion refuses) hands the request to graphql-core's executor, with the root field's outcome replayed by a
middleware instead of the resolver running a second time (a mutation must not run twice): the answer and its
errors are then exactly graphql-core's.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Any

import strawberry
from graphql import (
    DocumentNode,
    ExecutionResult,
    FieldNode,
    GraphQLSchema,
    OperationDefinitionNode,
    OperationType,
    SelectionSetNode,
    execute,
    get_argument_values,
    get_variable_values,
)
from graphql.execution.values import VariableValues
from graphql.pyutils import Path
from graphql.type import GraphQLField, GraphQLList, GraphQLNonNull, GraphQLObjectType, GraphQLResolveInfoHelpers
from strawberry.execution import optimized_is_awaitable
from strawberry.schema.schema import _OperationContextAwareGraphQLResolveInfo
from strawberry.schema.schema_converter import GraphQLCoreConverter
from strawberry.types.field import StrawberryField

from schema.coercion import compile_variables
from schema.inputs import argument_converter

MAX_COERCION_ERRORS = 50  # graphql-core's default, so that errors in variables read the same either way


class _Refused(Exception):
    """The plan met a value it does not complete: graphql-core's executor decides (and reports the error)."""


@dataclass(frozen=True, slots=True)
class DirectPlan:
    operation: OperationDefinitionNode
    root_type: GraphQLObjectType
    field_name: str
    response_key: str
    node: FieldNode
    complete: Callable[[Any], Any]   # the root field's value -> its answer; raises _Refused
    variables: Callable[[dict[str, Any]], VariableValues | None] | None  # schema/coercion.py's, if it can
    resolve: Callable[[Any, dict[str, Any]], Any]  # (resolve info, arguments) -> the root field's value


Plain = Callable[[GraphQLObjectType, str], Callable[[Any], Any] | None]


def compile_direct(strawberry_schema: strawberry.Schema, document: DocumentNode, operation: OperationDefinitionNode,
                   plain: Plain, refused: object) -> DirectPlan | None:
    """The plan of an operation of one root field with a resolver, whose whole selection below is plain fields and
    objects or lists of objects read from attributes; None for anything else, which graphql-core executes. `plain`
    (schema/executor.py's) gives a plain field's completion, which answers `refused` for a value it does not take."""
    schema = strawberry_schema._schema
    if operation.operation not in (OperationType.QUERY, OperationType.MUTATION) or operation.directives:
        return None
    if any(not isinstance(d, OperationDefinitionNode) for d in document.definitions):
        return None  # fragments: graphql-core's business
    if any(v.directives for v in operation.variable_definitions or ()):
        return None
    selections = operation.selection_set.selections
    if len(selections) != 1 or not isinstance(selections[0], FieldNode) or selections[0].directives:
        return None
    node = selections[0]
    root_type = schema.get_root_type(operation.operation)
    field = root_type.fields.get(node.name.value) if root_type is not None else None
    if field is None or field.resolve is None or node.name.value.startswith("__"):
        return None
    complete = _completer(field.type, node.selection_set, plain, refused)
    if complete is None:
        return None
    key = node.alias.value if node.alias else node.name.value
    return DirectPlan(operation, root_type, node.name.value, key, node, complete,  # type: ignore[arg-type]
                      compile_variables(schema, operation.variable_definitions or ()),
                      _resolver(strawberry_schema, field))


def _resolver(strawberry_schema: strawberry.Schema, field: GraphQLField) -> Callable[[Any, dict[str, Any]], Any]:
    """The root field's resolver as strawberry calls it. For a strawberry resolver with no field extensions (so no
    permission classes) and no exception handlers, strawberry's wrapper only converts the arguments, generically
    per value, builds its Info and passes the resolver the parameters it names: here the conversion is the one
    compiled by schema/inputs.py and the rest is done once. Anything else keeps strawberry's wrapper."""
    def wrapped(info: Any, args: dict[str, Any]) -> Any:
        return field.resolve(None, info, **args)  # type: ignore[misc]

    definition = (field.extensions or {}).get(GraphQLCoreConverter.DEFINITION_BACKREF)
    if (not isinstance(definition, StrawberryField) or definition.extensions or definition.base_resolver is None
            or strawberry_schema.schema_converter._exception_handler_specs):
        return wrapped
    resolver = definition.base_resolver
    name_converter = strawberry_schema.config.name_converter
    try:
        arguments = [(name_converter.from_argument(a), a.python_name, argument_converter(a.type, strawberry_schema))
                     for a in definition.arguments]
    except TypeError:
        return wrapped
    info_class = strawberry_schema.config.info_class
    with_self = resolver.self_parameter is not None
    roots = [p.name for p in (resolver.parent_parameter, resolver.root_parameter) if p is not None]
    info_name = resolver.info_parameter.name if resolver.info_parameter is not None else None

    def direct(info: Any, args: dict[str, Any]) -> Any:
        kwargs: dict[str, Any] = {}
        for name, python_name, convert in arguments:
            if name in args:
                value = args[name]
                kwargs[python_name] = value if convert is None or value is None else convert(value)
        for root in roots:
            kwargs[root] = None
        if info_name is not None:
            kwargs[info_name] = info_class(_raw_info=info, _field=definition)
        return resolver(None, **kwargs) if with_self else resolver(**kwargs)
    return direct


def _completer(type_: Any, selection_set: SelectionSetNode | None, plain: Plain,
               refused: object) -> Callable[[Any], Any] | None:
    """How a value of an object type (or a list of them, nullable or not) is completed, or None."""
    non_null = isinstance(type_, GraphQLNonNull)
    inner = type_.of_type if non_null else type_
    if isinstance(inner, GraphQLList):
        item = _completer(inner.of_type, selection_set, plain, refused)
        if item is None:
            return None

        def complete_list(value: Any) -> Any:
            if value is None:
                if non_null:
                    raise _Refused
                return None
            if type(value) is not list:
                raise _Refused
            return [item(v) for v in value]
        return complete_list
    if not isinstance(inner, GraphQLObjectType) or inner.is_type_of is not None or selection_set is None:
        return None
    fields: list[tuple[str, Callable[[Any], Any]]] = []
    for selection in selection_set.selections:
        if not isinstance(selection, FieldNode) or selection.directives or selection.arguments:
            return None
        key = selection.alias.value if selection.alias else selection.name.value
        if any(key == k for k, _ in fields):
            return None  # merged fields: graphql-core's business
        leaf = plain(inner, selection.name.value)
        if leaf is not None:
            fields.append((key, _checked(leaf, refused)))
            continue
        field = inner.fields.get(selection.name.value)
        read = _attribute(field)
        below = _completer(field.type, selection.selection_set, plain, refused) if read is not None else None
        if below is None:
            return None
        fields.append((key, lambda source, read=read, below=below: below(read(source))))

    def complete_object(value: Any) -> Any:
        if value is None:
            if non_null:
                raise _Refused
            return None
        return {key: complete(value) for key, complete in fields}
    return complete_object


def _checked(complete: Callable[[Any], Any], refused: object) -> Callable[[Any], Any]:
    def checked(source: Any) -> Any:
        value = complete(source)
        if value is refused:
            raise _Refused
        return value
    return checked


def _attribute(field: Any) -> Callable[[Any], Any] | None:
    """How an object-valued field without a resolver of its own or arguments is read, else None."""
    if field is None or field.args or not getattr(field.resolve, "_is_default", False):
        return None
    resolve = field.resolve
    return lambda source: resolve(source, None)


class _Replay:
    """graphql-core middleware that answers the root field with what its resolver already gave (or raised)."""

    def __init__(self, value: Any, error: Exception | None) -> None:
        self.value, self.error = value, error

    def resolve(self, next_: Callable[..., Any], root: Any, info: Any, **args: Any) -> Any:
        if info.path.prev is not None:
            return next_(root, info, **args)
        if self.error is not None:
            raise self.error
        return self.value


async def run_direct(plan: DirectPlan, schema: GraphQLSchema, document: DocumentNode, variables: dict[str, Any] | None,
                     context: Any, operation_name: str | None, executor_class: type) -> ExecutionResult:
    def by_graphql_core(replay: _Replay | None) -> Any:
        return execute(schema, document, context_value=context, variable_values=variables,
                       operation_name=operation_name, executor_class=executor_class,
                       is_awaitable=optimized_is_awaitable, middleware=[replay] if replay else None)

    coerced = plan.variables(variables or {}) if plan.variables is not None else None
    if coerced is None:
        coerced = get_variable_values(schema, plan.operation.variable_definitions or (), variables or {},
                                      max_errors=MAX_COERCION_ERRORS)
    if isinstance(coerced, list):
        return ExecutionResult(None, coerced)
    field = plan.root_type.fields[plan.field_name]
    try:
        args = get_argument_values(field, plan.node, coerced) if field.args or plan.node.arguments else {}
    except Exception:  # graphql-core reports it as the field's error
        return await _settled(by_graphql_core(None))
    pending: list[Any] = []
    info = _OperationContextAwareGraphQLResolveInfo(
        plan.field_name, [plan.node], field.type, plan.root_type, Path(None, plan.response_key, plan.root_type.name),
        schema, {}, None, plan.operation, coerced.coerced, context, optimized_is_awaitable, None,
        GraphQLResolveInfoHelpers(gather=_gather, track=pending.extend), None)
    try:
        value = plan.resolve(info, args)
        if optimized_is_awaitable(value):
            value = await value
        for work in pending:  # what the resolver asked to be settled before the answer
            if optimized_is_awaitable(work):
                await work
    except Exception as e:
        return await _settled(by_graphql_core(_Replay(None, e)))
    try:
        return ExecutionResult({plan.response_key: plan.complete(value)}, None)
    except _Refused:
        return await _settled(by_graphql_core(_Replay(value, None)))


async def _gather(awaitables: Sequence[Awaitable[Any]]) -> list[Any]:
    return list(await asyncio.gather(*awaitables))


async def _settled(result: Any) -> ExecutionResult:
    if optimized_is_awaitable(result):
        result = await result
    return result  # type: ignore[no-any-return]
