"""Fixtures shared by the end-to-end tests: a direct connection to the event log, to check what was stored."""

from __future__ import annotations

from collections.abc import AsyncIterator

import asyncpg
import pytest


@pytest.fixture
async def log(database_url: str) -> AsyncIterator[asyncpg.Connection]:
    """A connection of the test's own to the service's database, for counting what a refused command stored."""
    conn = await asyncpg.connect(database_url)
    yield conn
    await conn.close()
