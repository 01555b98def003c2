"""The auditor's view: a stream's events, oldest first, as a Relay connection (cursors are positions)."""

from __future__ import annotations

from datetime import datetime

import strawberry
from strawberry.types import Info

from schema.context import Context
from schema.pagination import PageInfo
from service.eventstore.codec import event_type
from service.reads.cursors import encode_cursor
from service.reads.history import AuditFilter, HistoryPage, audit_log, event_data_json, stream_history


@strawberry.type
class HistoryEvent:
    position: str
    type: str
    stream_id: strawberry.ID
    recorded_at: datetime
    actor: str
    role: str
    reason: str | None
    data: str
    correlation_id: str | None = None
    source: str | None = None
    hash: str | None = strawberry.field(default=None, description="This event's link in the hash chain (hex).")


@strawberry.type
class HistoryEventEdge:
    node: HistoryEvent
    cursor: str


@strawberry.type
class HistoryConnection:
    edges: list[HistoryEventEdge]
    page_info: PageInfo


@strawberry.type
class HistoryQueries:
    @strawberry.field
    async def history(self, info: Info[Context, None], stream_id: strawberry.ID, first: int | None = 50,
                      after: str | None = None) -> HistoryConnection:
        ctx = info.context
        ctx.uncacheable()
        page = await stream_history(ctx.services, ctx.principal, str(stream_id), 50 if first is None else first,
                                    after)
        return await connection(ctx, page)

    @strawberry.field(description="The organisation's whole event log, oldest first, filtered by time range "
                                  "[since, until), actor, event type (e.g. \"LimitsRecalculated\") and team.")
    async def audit_log(self, info: Info[Context, None], first: int | None = 50, after: str | None = None,
                        since: datetime | None = None, until: datetime | None = None, actor: str | None = None,
                        type: str | None = None, team_id: strawberry.ID | None = None) -> HistoryConnection:
        ctx = info.context
        ctx.uncacheable()
        page = await audit_log(ctx.services, ctx.principal, 50 if first is None else first, after,
                               AuditFilter(since, until, actor, type, str(team_id) if team_id else None))
        return await connection(ctx, page)


async def connection(ctx: Context, page: HistoryPage) -> HistoryConnection:
    edges = [HistoryEventEdge(
        node=HistoryEvent(position=str(e.position), type=event_type(e.topic), stream_id=strawberry.ID(e.stream_id),
                          recorded_at=e.recorded_at, actor=e.actor, role=e.role, reason=e.reason,
                          data=await event_data_json(ctx.services, e), correlation_id=e.correlation_id,
                          source=e.source, hash=e.hash.hex()),
        cursor=encode_cursor(e.position)) for e in page.events]
    return HistoryConnection(edges=edges, page_info=PageInfo(
        has_next_page=page.has_next, end_cursor=edges[-1].cursor if edges else None))
