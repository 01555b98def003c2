"""Operations of one root field with a plain answer, run without graphql-core's executor, answer exactly what
graphql-core answers: data, errors and their paths, variables refused; and a resolver never runs twice."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date
from typing import Any

import pytest
import strawberry
from graphql import execute, get_variable_values, parse

from schema.executor import Executor
from schema.inputs import compile_inputs, domain_input


@dataclass(frozen=True)
class Reading:  # a domain value type, exposed as an input as the service's are
    period: date
    value: float | None = None
    note: str | None = None


ReadingInput = domain_input(Reading, "ReadingInput")


@strawberry.input
class RecordInput:
    target: strawberry.ID
    readings: list[ReadingInput]  # type: ignore[valid-type]
    key: str | None = None
    tags: list[str] | None = None


@strawberry.type
class Problem:
    code: str
    message: str


@strawberry.type
class Payload:
    accepted: int
    total: float
    day: date | None
    problems: list[Problem]


CALLS: list[Any] = []
BAD: dict[str, Any] = {}


@strawberry.type
class Query:
    @strawberry.field
    def hello(self) -> str:
        return "hi"


@strawberry.type
class Mutation:
    @strawberry.mutation
    async def record(self, info: strawberry.Info, input: RecordInput) -> Payload:
        CALLS.append(input)
        if "raise" in BAD:
            raise ValueError(BAD["raise"])
        payload = Payload(accepted=len(input.readings), total=sum(r.value or 0 for r in input.readings),
                          day=input.readings[0].period if input.readings else None,
                          problems=[Problem(code="LATE", message=r.note) for r in input.readings if r.note])
        for attribute, value in BAD.items():
            setattr(payload, attribute, value)
        return None if BAD.get("null") else payload  # type: ignore[return-value]

    @strawberry.mutation
    def maybe(self, n: int = 2) -> Payload | None:
        CALLS.append(n)
        if n < 0:
            raise ValueError("negative")
        return None if n == 0 else Payload(accepted=n, total=0.5, day=None, problems=[])


SCHEMA = strawberry.Schema(query=Query, mutation=Mutation)
compile_inputs(SCHEMA)
EXECUTOR = Executor(SCHEMA, limit_rules=[], max_tokens=1000, introspection=True)
RECORD = ("mutation($i: RecordInput!) { record(input: $i) { accepted total day "
          "problems { code text: message } kind: __typename } }")
GOOD = {"i": {"target": 7, "readings": [{"period": "2024-02-29", "value": 1.5, "note": "late"},
                                         {"period": "2024-03-01"}], "tags": ["a"]}}


async def _both(query: str, variables: dict[str, Any] | None) -> tuple[Any, Any, list[Any], list[Any]]:
    prepared = EXECUTOR.prepare(query, None)
    assert prepared.direct is not None
    CALLS.clear()
    ours = await EXECUTOR.execute(prepared, variables, None, None)
    ours_calls = list(CALLS)
    CALLS.clear()
    plain = execute(SCHEMA._schema, parse(query), variable_values=variables,
                    executor_class=SCHEMA.execution_context_class)
    if hasattr(plain, "__await__"):
        plain = await plain
    return ours, plain, ours_calls, list(CALLS)


def _same(ours: Any, plain: Any) -> None:
    assert ours.data == plain.data
    assert [(e.message, e.path, e.locations) for e in ours.errors or []] == \
        [(e.message, e.path, e.locations) for e in plain.errors or []]


def test_only_one_root_field_with_a_plain_answer_is_run_directly() -> None:
    assert EXECUTOR.prepare(RECORD, None).direct is not None
    assert EXECUTOR.prepare("mutation { maybe(n: 3) { accepted } }", None).direct is not None
    assert EXECUTOR.prepare("mutation { a: maybe { accepted } b: maybe { accepted } }", None).direct is None
    assert EXECUTOR.prepare("mutation { maybe { ...F } } fragment F on Payload { accepted }", None).direct is None
    assert EXECUTOR.prepare("mutation { maybe { accepted @include(if: true) } }", None).direct is None
    assert EXECUTOR.prepare("{ __typename }", None).direct is None


async def test_the_answer_and_what_the_resolver_receives_are_graphql_core_s(monkeypatch: pytest.MonkeyPatch) -> None:
    import schema.direct

    def no_executor(*_: Any, **__: Any) -> Any:
        raise AssertionError("graphql-core's executor ran")

    prepared = EXECUTOR.prepare(RECORD, None)
    CALLS.clear()
    with monkeypatch.context() as m:
        m.setattr(schema.direct, "execute", no_executor)
        m.setattr(schema.direct, "get_variable_values", no_executor)
        ours = await EXECUTOR.execute(prepared, GOOD, None, None)
    ours_calls = list(CALLS)
    _, plain, _, plain_calls = await _both(RECORD, GOOD)
    _same(ours, plain)
    assert ours.data == {"record": {"accepted": 2, "total": 1.5, "day": "2024-02-29",
                                    "problems": [{"code": "LATE", "text": "late"}], "kind": "Payload"}}
    assert ours_calls == plain_calls and type(ours_calls[0].readings[0]) is Reading
    assert ours_calls[0].target == "7" and ours_calls[0].key is None and ours_calls[0].tags == ["a"]


@pytest.mark.parametrize("bad", [
    {"raise": "no such target"},             # the resolver fails: graphql-core's error, at the field's path
    {"null": True},                          # null for a non-null field
    {"total": math.nan},                     # a value its type refuses
    {"accepted": "many"},
    {"problems": [None]},
    {"problems": "none"},
    {"day": "2024-02-29"},
])
async def test_what_the_plan_does_not_expect_gives_graphql_core_s_answer_with_the_resolver_run_once(
        bad: dict[str, Any]) -> None:
    BAD.update(bad)
    try:
        ours, plain, ours_calls, plain_calls = await _both(RECORD, GOOD)
    finally:
        BAD.clear()
    _same(ours, plain)
    assert ours.errors and len(ours_calls) == len(plain_calls) == 1


@pytest.mark.parametrize("variables", [
    None,
    {"i": None},
    {"i": {"target": 7, "readings": []}},
    {"i": {"target": 7.5, "readings": []}},
    {"i": {"target": "7", "readings": {"period": "2024-01-01"}}},  # one value where a list belongs
    {"i": {"target": "7", "readings": [{"period": "2024-13-01"}]}},
    {"i": {"target": "7", "readings": [{"period": "2024-01-01", "value": "1"}]}},
    {"i": {"target": "7", "readings": [{"period": "2024-01-01", "extra": 1}]}},
    {"i": {"target": "7", "readings": [None]}},
    {"i": {"target": "7", "readings": [], "tags": [None, 1]}},
    {"i": {"target": "7", "readings": [], "key": None, "tags": None}},
])
async def test_variables_are_coerced_or_refused_as_graphql_core_does(variables: dict[str, Any] | None) -> None:
    ours, plain, ours_calls, plain_calls = await _both(RECORD, variables)
    _same(ours, plain)
    assert ours_calls == plain_calls


def test_compiled_variables_equal_graphql_core_s_or_give_way() -> None:
    plan = EXECUTOR.prepare(RECORD, None).direct
    assert plan is not None and plan.variables is not None
    definitions = plan.operation.variable_definitions
    fast = plan.variables(GOOD)
    assert fast is not None
    assert fast.coerced == get_variable_values(SCHEMA._schema, definitions, GOOD).coerced  # type: ignore[union-attr]
    assert plan.variables({"i": {"target": 7, "readings": {"period": "2024-01-01"}}}) is None


@pytest.mark.parametrize("query", [
    "mutation { maybe { accepted } }",          # the argument's default
    "mutation { maybe(n: 0) { accepted } }",    # null for a nullable field
    "mutation { maybe(n: -1) { accepted } }",   # an error on a nullable root field: data keeps it as null
    "mutation($n: Int) { maybe(n: $n) { accepted day } }",
])
async def test_arguments_nulls_and_errors_of_a_nullable_field_are_graphql_core_s(query: str) -> None:
    ours, plain, ours_calls, plain_calls = await _both(query, None)
    _same(ours, plain)
    assert ours_calls == plain_calls
