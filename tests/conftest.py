"""Shared fixtures: a real PostgreSQL (embedded by default, or QMS_TEST_DATABASE_URL), a fresh database per
session, the service's components, and the real HTTP server on a free port."""

from __future__ import annotations

import asyncio
import contextlib
import os
import socket
import tempfile
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import asyncpg
import httpx
import pytest
import uvicorn
from hypothesis import settings

from service.auth.identity import Role, TokenService
from service.bootstrap import Services, start_services
from service.edge.app import create_app
from service.eventstore.database import embedded_database_url
from service.settings import Settings

TEST_SECRET = "test-secret-not-for-production-0123456789abcdef"

# In CI the property tests replay the same examples every run (a failure there is reproducible); on a developer's
# machine they explore new ones.
settings.register_profile("ci", derandomize=True, print_blob=True)
if os.environ.get("CI"):
    settings.load_profile("ci")


def _server_url() -> str:
    url = os.environ.get("QMS_TEST_DATABASE_URL")
    if url:
        return url
    folder = Path(os.environ.get("QMS_TEST_DATA_DIR") or Path(tempfile.gettempdir()) / "qms-test-pg")
    return embedded_database_url(folder)


def _with_database(url: str, name: str) -> str:
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path=f"/{name}"))


@pytest.fixture(scope="session")
def server_url() -> str:
    return _server_url()


@pytest.fixture(scope="session")
async def make_database(server_url: str) -> AsyncIterator[Callable[[], Awaitable[str]]]:
    """Create throw-away databases on the test server; all are dropped at the end of the session."""
    created: list[str] = []

    async def make() -> str:
        name = f"qms_test_{uuid.uuid4().hex[:12]}"
        conn = await asyncpg.connect(server_url)
        try:
            await conn.execute(f'CREATE DATABASE "{name}"')
        finally:
            await conn.close()
        created.append(name)
        return _with_database(server_url, name)

    yield make
    conn = await asyncpg.connect(server_url)
    try:
        for name in created:
            with contextlib.suppress(asyncpg.PostgresError):
                await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await conn.close()


def settings_for(database_url: str, **overrides: Any) -> Settings:
    values: dict[str, Any] = {"database_url": database_url, "jwt_secret": TEST_SECRET,
                              "data_dir": Path(tempfile.gettempdir()) / "qms-test-data",
                              "read_your_writes_timeout": 60.0}  # generous: a loaded machine is slow, never wrong
    values.update(overrides)
    return Settings(**values)


@pytest.fixture(scope="session")
async def database_url(make_database: Callable[[], Awaitable[str]]) -> str:
    return await make_database()


@pytest.fixture(scope="session")
async def services(database_url: str) -> AsyncIterator[Services]:
    s = await start_services(settings_for(database_url))
    yield s
    await s.close()


@pytest.fixture(scope="session")
def tokens() -> TokenService:
    return TokenService(TEST_SECRET)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextlib.asynccontextmanager
async def serving(app: Settings | Any) -> AsyncIterator[str]:
    """An ASGI app (or the service's, made from these settings) under uvicorn on a free port, in the running event
    loop; yields its base URL."""
    port = free_port()
    app = create_app(app) if isinstance(app, Settings) else app
    config = uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="on")
    server = uvicorn.Server(config)
    task = asyncio.create_task(server.serve())
    while not server.started:
        if task.done():
            task.result()
        await asyncio.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        await task


@pytest.fixture(scope="session")
async def server(database_url: str) -> AsyncIterator[str]:
    """The service as the tests' clients see it, shared by the session."""
    async with serving(settings_for(database_url)) as url:
        yield url


class Api:
    """A client of the running service: GraphQL calls and bulk intake, with a token per role."""

    def __init__(self, base: str, tokens: TokenService, http: httpx.AsyncClient) -> None:
        self.base, self.tokens, self.http = base, tokens, http
        self.position = 0

    def token(self, role: Role | str = Role.SENIOR_LEADER, teams: list[str] | tuple[str, ...] = (),
              subject: str = "tester") -> str:
        return self.tokens.issue(subject, role, teams)

    async def gql(self, query: str, variables: dict[str, Any] | None = None, *, token: str | None = None,
                  role: Role | str = Role.SENIOR_LEADER, teams: list[str] | tuple[str, ...] = ()) -> dict[str, Any]:
        """One GraphQL call. Like a well-behaved client, it sends back the last position it wrote, so it reads
        its own writes."""
        headers = {"Authorization": f"Bearer {token or self.token(role, teams)}"}
        if self.position:
            headers["X-QMS-After"] = str(self.position)
        response = await self.http.post(f"{self.base}/graphql", json={"query": query, "variables": variables or {}},
                                        headers=headers)
        assert response.status_code == 200, response.text
        self.position = max(self.position, int(response.headers.get("X-QMS-Position", 0)))
        body = response.json()
        assert "errors" not in body, body["errors"]
        return body["data"]

    async def create_team(self, name: str = "Ward 1") -> str:
        data = await self.gql(
            "mutation($i: CreateTeamInput!) { createTeam(input: $i) { team { id } errors { code } } }",
            {"i": {"name": name}})
        return data["createTeam"]["team"]["id"]

    async def define_measure(self, team_id: str, **fields: Any) -> str:
        data = await self.gql(
            "mutation($i: DefineMeasureInput!) { defineMeasure(input: $i) { measure { id } errors { code message } } }",
            {"i": {"teamId": team_id, "name": "Falls", "kind": "OUTCOME", "improvementDirection": "DECREASE",
                   **fields}})
        assert data["defineMeasure"]["errors"] == [], data
        return data["defineMeasure"]["measure"]["id"]


@pytest.fixture
async def api(server: str, tokens: TokenService) -> AsyncIterator[Api]:
    async with httpx.AsyncClient(timeout=30) as http:
        yield Api(server, tokens, http)
