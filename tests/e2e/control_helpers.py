"""What the control end-to-end tests share: the log's head (to prove a rejected command stored nothing) and the
control mutations as one-liners."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import asyncpg

from service.clock import today
from tests.conftest import Api

TODAY = today("Europe/London")
ACTION = "id title owner dueDate status sourceId sourceKind overdue evidence cancelReason team { id }"


def day(offset: int) -> str:
    return (TODAY + timedelta(days=offset)).isoformat()


async def log_head(database_url: str) -> int:
    conn = await asyncpg.connect(database_url)
    try:
        return int(await conn.fetchval("SELECT position FROM event_log_head"))
    finally:
        await conn.close()


async def mutate(api: Api, name: str, input_type: str, values: dict[str, Any], selection: str,
                 **who: Any) -> dict[str, Any]:
    data = await api.gql(f"mutation($i: {input_type}!) {{ {name}(input: $i) {{ {selection} "
                         "errors { code message field index } } }", {"i": values}, **who)
    return data[name]


async def create_action(api: Api, team: str, title: str = "Re-audit the falls bundle", due: str | None = None,
                        owner: str = "sister.jones", source: str | None = None, **who: Any) -> dict[str, Any]:
    return await mutate(api, "createAction", "CreateActionInput",
                        {"teamId": team, "title": title, "owner": owner, "dueDate": due or day(14),
                         "sourceId": source}, f"action {{ {ACTION} }}", **who)
