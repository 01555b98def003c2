"""`qms check`: what container healthchecks run, against a real server and database."""

from __future__ import annotations

import asyncio
import os
import sys
from collections.abc import Awaitable, Callable
from urllib.parse import urlsplit

from service.bootstrap import Services
from tests.conftest import TEST_SECRET


async def check(what: str, **env: str) -> int:
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "service.edge.cli", "check", what, env={**os.environ, "QMS_JWT_SECRET": TEST_SECRET,
                                                                     **env},
        stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.DEVNULL)
    return await asyncio.wait_for(process.wait(), 60)


async def test_live_and_ready_ask_the_running_api(server: str) -> None:
    where = urlsplit(server)
    at = {"QMS_HOST": where.hostname or "", "QMS_PORT": str(where.port)}
    assert await check("live", **at) == 0
    assert await check("ready", **at) == 0
    assert await check("live", QMS_HOST="127.0.0.1", QMS_PORT="9") == 1  # nothing listens there


async def test_projections_is_healthy_only_while_runners_hold_every_projection(
        services: Services, database_url: str, make_database: Callable[[], Awaitable[str]]) -> None:
    assert services.runners  # this database's projections run in this process
    for _ in range(100):  # a runner takes its lock as it starts
        if await check("projections", DATABASE_URL=database_url) == 0:
            break
        await asyncio.sleep(0.1)
    else:
        raise AssertionError("the runners never held their locks")
    assert await check("projections", DATABASE_URL=await make_database()) == 1  # nobody runs that one's
