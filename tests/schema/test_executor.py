"""The executor's shortcut for lists of scalars and enums gives exactly graphql-core's answers, errors included."""

from __future__ import annotations

import math
from datetime import date
from enum import Enum
from typing import Any

import pytest
import strawberry
from graphql import execute, parse

from schema.executor import Executor


@strawberry.enum
class Colour(Enum):
    RED = "RED"
    BLUE = "BLUE"


BAD: dict[str, Any] = {}


@strawberry.type
class Thing:  # plain fields: attributes, no resolvers of their own
    value: float
    maybe: float | None
    colour: Colour
    tags: list[str]
    day: date


def _things() -> list[Thing]:
    return [Thing(value=1.5, maybe=None, colour=Colour.RED, tags=["x"], day=date(2024, 2, 29)),
            Thing(value=2, maybe=3.0, colour=Colour.BLUE, tags=[], day=date(2024, 3, 1))]


@strawberry.type
class Query:
    @strawberry.field
    def things(self) -> list[Thing]:
        things = _things()
        for attribute, value in BAD.get("thing", {}).items():
            setattr(things[1], attribute, value)
        return things

    @strawberry.field
    def maybe_things(self) -> list[Thing | None]:
        return BAD.get("maybe_things", [_things()[0], None])

    @strawberry.field
    def floats(self) -> list[float]:
        return BAD.get("floats", [1.0, 2, 3.5])

    @strawberry.field
    def maybe_floats(self) -> list[float | None]:
        return BAD.get("maybe_floats", [1.0, None, 3.5])

    @strawberry.field
    def colours(self) -> list[Colour]:
        return BAD.get("colours", [Colour.RED, Colour.BLUE])

    @strawberry.field
    def days(self) -> list[date | None]:
        return BAD.get("days", [date(2024, 1, 31), None])

    @strawberry.field
    def names(self) -> list[str]:
        return BAD.get("names", ["a", "b"])


SCHEMA = strawberry.Schema(query=Query)
EXECUTOR = Executor(SCHEMA, limit_rules=[], max_tokens=1000, introspection=True)
QUERY = ("{ floats maybeFloats colours days names things { value maybe colour tags day } "
         "maybeThings { value kind: __typename } }")


async def _both() -> tuple[Any, Any]:
    ours = await EXECUTOR.execute(EXECUTOR.prepare(QUERY, None), None, None, None)
    plain = execute(SCHEMA._schema, parse(QUERY), executor_class=SCHEMA.execution_context_class)
    return ours, plain


async def test_lists_of_leaves_complete_as_graphql_core_completes_them(monkeypatch: pytest.MonkeyPatch) -> None:
    from schema.executor import ExecutionContext

    per_item: list[str] = []
    generic = ExecutionContext.complete_iterable_value

    def spy(self: Any, item_type: Any, *args: Any) -> Any:
        per_item.append(str(item_type))
        return generic(self, item_type, *args)

    infos: list[str] = []
    build_info = ExecutionContext.build_resolve_info

    def info_spy(self: Any, field_def: Any, nodes: Any, parent_type: Any, path: Any) -> Any:
        infos.append(f"{parent_type}.{nodes[0].name.value}")
        return build_info(self, field_def, nodes, parent_type, path)

    monkeypatch.setattr(ExecutionContext, "complete_iterable_value", spy)
    monkeypatch.setattr(ExecutionContext, "build_resolve_info", info_spy)
    ours, plain = await _both()
    assert per_item == []  # every list took the shortcut: of leaves, and of objects with only plain fields
    assert not [i for i in infos if i.startswith("Thing.")]  # plain fields: no resolve info, no resolver call
    assert ours.errors is None and ours.data == plain.data
    assert ours.data == {"floats": [1.0, 2.0, 3.5], "maybeFloats": [1.0, None, 3.5], "colours": ["RED", "BLUE"],
                         "days": ["2024-01-31", None], "names": ["a", "b"], "things": [
                             {"value": 1.5, "maybe": None, "colour": "RED", "tags": ["x"], "day": "2024-02-29"},
                             {"value": 2.0, "maybe": 3.0, "colour": "BLUE", "tags": [], "day": "2024-03-01"}],
                         "maybeThings": [{"value": 1.5, "kind": "Thing"}, None]}


@pytest.mark.parametrize(("field", "bad"), [
    ("floats", [1.0, None]),            # null in a list of non-null floats
    ("floats", [1.0, math.nan]),        # not a number
    ("maybe_floats", [1.0, "x"]),       # not a float at all
    ("colours", [Colour.RED, "GREEN"]),  # not a member
    ("names", ["a", 7]),                # coerced as graphql-core coerces it
    ("thing", {"value": None}),         # a plain non-null field holding null
    ("thing", {"value": math.inf}),
    ("thing", {"maybe": "3"}),
    ("thing", {"colour": "GREEN"}),
    ("thing", {"tags": ["ok", None]}),
    ("thing", {"tags": None}),
    ("thing", {"day": "2024-03-01"}),   # a string where a date belongs
])
async def test_a_bad_item_gives_graphql_core_s_own_answer_and_error(field: str, bad: list[Any]) -> None:
    BAD[field] = bad
    try:
        ours, plain = await _both()
    finally:
        BAD.clear()
    assert ours.data == plain.data
    assert [(e.message, e.path) for e in ours.errors or []] == [(e.message, e.path) for e in plain.errors or []]
