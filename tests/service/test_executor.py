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
class Query:
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
QUERY = "{ floats maybeFloats colours days names }"


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

    monkeypatch.setattr(ExecutionContext, "complete_iterable_value", spy)
    ours, plain = await _both()
    assert per_item == []  # every list here took the shortcut
    assert ours.errors is None and ours.data == plain.data
    assert ours.data == {"floats": [1.0, 2.0, 3.5], "maybeFloats": [1.0, None, 3.5], "colours": ["RED", "BLUE"],
                         "days": ["2024-01-31", None], "names": ["a", "b"]}


@pytest.mark.parametrize(("field", "bad"), [
    ("floats", [1.0, None]),            # null in a list of non-null floats
    ("floats", [1.0, math.nan]),        # not a number
    ("maybe_floats", [1.0, "x"]),       # not a float at all
    ("colours", [Colour.RED, "GREEN"]),  # not a member
    ("names", ["a", 7]),                # coerced as graphql-core coerces it
])
async def test_a_bad_item_gives_graphql_core_s_own_answer_and_error(field: str, bad: list[Any]) -> None:
    BAD[field] = bad
    try:
        ours, plain = await _both()
    finally:
        BAD.clear()
    assert ours.data == plain.data
    assert [(e.message, e.path) for e in ours.errors or []] == [(e.message, e.path) for e in plain.errors or []]
