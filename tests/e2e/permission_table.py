"""What every generated permission test checks for one mutation, one role and one scope (its own team or another):
allowed where the product's table says so, and otherwise FORBIDDEN with nothing stored."""

from __future__ import annotations

from typing import Any

import asyncpg

from tests.conftest import Api


async def obeys_the_table(api: Api, log: asyncpg.Connection, mutation: str, input_type: str, variables: dict[str, Any],
                          rule: str | None, scope: str, *, selection: str = "", **who: Any) -> None:
    """`rule` is the table's cell for the role ("any", "own" or None); `who` says who calls (role and teams, or
    a token)."""
    allowed = rule == "any" or (rule == "own" and scope == "own")
    before = await log.fetchval("SELECT count(*) FROM events")
    data = await api.gql(f"mutation($i: {input_type}!) {{ {mutation}(input: $i) {{ {selection} errors {{ code }} }} }}",
                         {"i": variables}, **who)
    codes = [e["code"] for e in data[mutation]["errors"]]
    if allowed:
        assert "FORBIDDEN" not in codes, codes
    else:
        assert codes == ["FORBIDDEN"]
        assert await log.fetchval("SELECT count(*) FROM events") == before
