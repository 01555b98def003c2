"""Per-request DataLoaders for the control read models, kept on the request's context (made on first use), and
the request's notion of today."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import date
from typing import Any

from strawberry.dataloader import DataLoader

from schema.context import Context
from service.clock import today

Fetch = Callable[[Any, list[str]], Awaitable[dict[str, Any]]]


def loader(ctx: Context, fetch: Fetch) -> DataLoader[str, Any]:
    loaders: dict[Fetch, DataLoader[str, Any]] = ctx.__dict__.setdefault("_control_loaders", {})
    found = loaders.get(fetch)
    if found is None:
        pool = ctx.services.pool

        async def load(keys: list[str]) -> list[Any]:
            rows = await fetch(pool, list(keys))
            return [rows.get(k) for k in keys]

        found = loaders[fetch] = DataLoader(load_fn=load)
    return found


def request_today(ctx: Context) -> date:
    """Today in the service's time zone. An answer that depends on it is not cached: it changes at midnight
    without any read-model row moving."""
    ctx.uncacheable()
    return today(ctx.services.settings.time_zone)
