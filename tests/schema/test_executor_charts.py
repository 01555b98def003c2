"""The executor's shortcuts on the real chart types: for any chart document, including values no type can
represent, the answer and its errors are exactly graphql-core's own."""

from __future__ import annotations

import math
from datetime import date, timedelta
from typing import Any

import strawberry
from graphql import execute, parse
from hypothesis import given, settings
from hypothesis import strategies as st

from projections.spc import RULE_NAMES, VARIATION_NAMES
from projections.spc.document import ChartView
from schema.executor import Executor
from schema.spc import SpcChart, spc_chart

DOCS: list[dict[str, Any]] = []


@strawberry.type
class Query:
    @strawberry.field
    def chart(self) -> SpcChart:
        return spc_chart(ChartView(DOCS[-1]))


SCHEMA = strawberry.Schema(query=Query)
EXECUTOR = Executor(SCHEMA, limit_rules=[], max_tokens=10_000, introspection=True)
QUERY = """{ chart { chartType variation assurance runs { longestRun signal }
  points { period value centreLine upperProcessLimit lowerProcessLimit upperTwoSigma lowerTwoSigma variation rules }
  series { periods values centreLine upperProcessLimit lowerProcessLimit variation }
  alias: points { __typename value } } }"""

number = st.one_of(st.floats(allow_nan=True, allow_infinity=True, width=64), st.integers(-10**12, 10**12))
maybe_number = st.one_of(st.none(), number)


@st.composite
def documents(draw: st.DrawFn) -> dict[str, Any]:
    n = draw(st.integers(0, 12))
    start = date(2020, 1, 1)
    return {
        "chartType": draw(st.sampled_from(["XMR", "P", "RUN"])),
        "variationIcon": draw(st.sampled_from([None, "COMMON_CAUSE", "CONCERN_HIGH"])),
        "assurance": draw(st.sampled_from([None, "HIT_AND_MISS"])),
        "runs": draw(st.sampled_from([None, {"usefulObservations": 3, "longestRun": 2, "longestRunMax": 5,
                                             "crossings": 1, "crossingsMin": 0, "signal": False}])),
        "period": [(start + timedelta(days=i)).isoformat() for i in range(n)],
        "value": draw(st.lists(number, min_size=n, max_size=n)),    # non-null in the schema
        "centre": draw(st.lists(number, min_size=n, max_size=n)),
        "upl": draw(st.lists(maybe_number, min_size=n, max_size=n)),  # nullable
        "lpl": draw(st.lists(maybe_number, min_size=n, max_size=n)),
        "u2s": draw(st.lists(maybe_number, min_size=n, max_size=n)),
        "l2s": draw(st.lists(maybe_number, min_size=n, max_size=n)),
        "variation": draw(st.lists(st.integers(0, len(VARIATION_NAMES) - 1), min_size=n, max_size=n)),
        "rules": draw(st.lists(st.integers(0, 2 ** len(RULE_NAMES) - 1), min_size=n, max_size=n)),
    }


def _errors(result: Any) -> list[tuple[str, list[Any] | None]]:
    return sorted((e.message, e.path) for e in result.errors or [])


@settings(max_examples=300, deadline=None)
@given(documents())
async def test_any_chart_completes_exactly_as_graphql_core_completes_it(doc: dict[str, Any]) -> None:
    DOCS.append(doc)
    ours = await EXECUTOR.execute(EXECUTOR.prepare(QUERY, None), None, None, None)
    plain = execute(SCHEMA._schema, parse(QUERY), executor_class=SCHEMA.execution_context_class)
    assert ours.data == plain.data or (_nan_free(ours.data) == _nan_free(plain.data))
    assert _errors(ours) == _errors(plain)


def _nan_free(data: Any) -> Any:
    """NaN never equals itself; none should appear in an answer, but compare them as equal if they do."""
    if isinstance(data, dict):
        return {k: _nan_free(v) for k, v in data.items()}
    if isinstance(data, list):
        return [_nan_free(v) for v in data]
    return "NaN" if isinstance(data, float) and math.isnan(data) else data
