"""Shared helpers for the benchmarks: a throw-away database, the real `qms serve` process, tokens,
set-up calls, and counting what the event log holds. Not a benchmark itself."""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import asyncpg  # noqa: E402
import httpx  # noqa: E402

from service.auth.identity import TokenService  # noqa: E402

# The PostgreSQL server the benchmarks create their databases on (trust auth, user postgres).
PG_SERVER = os.environ.get("QMS_BENCH_PG", "postgresql://postgres@127.0.0.1:5432/test")
SECRET = "qms-benchmark-secret-0123456789abcdef0123456789"
QMS = str(Path(sys.executable).with_name("qms"))
TOPIC_RECORDED = "domain.control.measure:Measure.ObservationsRecorded"
tokens = TokenService(SECRET)


def with_database(url: str, name: str) -> str:
    return urlunsplit(urlsplit(url)._replace(path=f"/{name}"))


@contextlib.asynccontextmanager
async def scratch_database(keep: bool = False) -> AsyncIterator[str]:
    """CREATE DATABASE qms_bench_<random> on PG_SERVER; dropped (WITH FORCE) on exit unless keep."""
    name = f"qms_bench_{uuid.uuid4().hex[:10]}"
    conn = await asyncpg.connect(PG_SERVER)
    try:
        await conn.execute(f'CREATE DATABASE "{name}"')
    finally:
        await conn.close()
    try:
        yield with_database(PG_SERVER, name)
    finally:
        if not keep:
            conn = await asyncpg.connect(PG_SERVER)
            try:
                await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            finally:
                await conn.close()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Server:
    """`qms serve` as a child process (uvicorn, uvloop, httptools; one worker unless serve_args say otherwise),
    on a free port."""

    def __init__(
        self,
        database_url: str,
        *,
        port: int | None = None,
        log_path: Path | None = None,
        env: dict[str, str] | None = None,
        serve_args: list[str] | None = None,
    ) -> None:
        self.database_url = database_url
        self.port = port or free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.data_dir = tempfile.mkdtemp(prefix="qms-bench-data-")
        self.log_path = log_path or Path(self.data_dir) / "server.log"
        self.extra_env = env or {}
        self.serve_args = serve_args or []
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self, timeout: float = 60.0) -> Server:
        env = {
            **os.environ,
            "DATABASE_URL": self.database_url,
            "QMS_JWT_SECRET": SECRET,
            "QMS_DATA_DIR": self.data_dir,
            **self.extra_env,
        }
        log = open(self.log_path, "ab")  # noqa: SIM115 - the child keeps it
        self.proc = subprocess.Popen(
            [QMS, "serve", "--host", "127.0.0.1", "--port", str(self.port), *self.serve_args],
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            cwd=self.data_dir,
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"qms serve exited with {self.proc.returncode}; see {self.log_path}")
            try:
                if httpx.get(f"{self.base}/healthz", timeout=1.0).status_code == 200:
                    return self
            except httpx.HTTPError:
                pass
            time.sleep(0.1)
        raise RuntimeError(f"qms serve did not answer /healthz within {timeout}s; see {self.log_path}")

    @property
    def pid(self) -> int:
        assert self.proc is not None
        return self.proc.pid

    def kill9(self) -> None:
        assert self.proc is not None
        os.kill(self.proc.pid, signal.SIGKILL)
        self.proc.wait()

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGINT)
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()

    def __enter__(self) -> Server:
        return self.start()

    def __exit__(self, *_: object) -> None:
        self.stop()


def bearer(role: str, teams: list[str] | tuple[str, ...] = (), subject: str = "bench") -> dict[str, str]:
    return {"Authorization": f"Bearer {tokens.issue(subject, role, list(teams), ttl_seconds=6 * 3600)}"}


async def gql(
    http: httpx.AsyncClient,
    base: str,
    query: str,
    variables: dict[str, Any] | None = None,
    *,
    role: str = "SENIOR_LEADER",
    teams: list[str] | tuple[str, ...] = (),
) -> dict[str, Any]:
    r = await http.post(
        f"{base}/graphql", json={"query": query, "variables": variables or {}}, headers=bearer(role, teams)
    )
    r.raise_for_status()
    body = r.json()
    if body.get("errors"):
        raise RuntimeError(body["errors"])
    return body["data"]


async def create_team_and_measures(
    base: str, measures: int, *, frequency: str = "DAY", name: str = "Bench ward"
) -> tuple[str, list[str]]:
    """One team and `measures` XMR measures, through the public GraphQL API."""
    async with httpx.AsyncClient(timeout=60) as http:
        data = await gql(
            http,
            base,
            "mutation($i: CreateTeamInput!) { createTeam(input: $i) { team { id } } }",
            {"i": {"name": name}},
        )
        team = data["createTeam"]["team"]["id"]
        define = (
            "mutation($i: DefineMeasureInput!) { defineMeasure(input: $i) { measure { id } "
            "errors { code message } } }"
        )

        async def one(i: int) -> str:
            d = await gql(
                http,
                base,
                define,
                {
                    "i": {
                        "teamId": team,
                        "name": f"Measure {i}",
                        "kind": "PROCESS",
                        "improvementDirection": "INCREASE",
                        "frequency": frequency,
                    }
                },
            )
            assert d["defineMeasure"]["errors"] == [], d
            return str(d["defineMeasure"]["measure"]["id"])

        ids: list[str] = []
        for start in range(0, measures, 20):
            ids += await asyncio.gather(*(one(i) for i in range(start, min(start + 20, measures))))
    return team, ids


async def projections_started(base: str, timeout: float = 180.0) -> None:
    """Wait until the projection process has started and applied a first event: on a busy machine it can take
    longer to start than a mutation waits for its read models (QMS_READ_YOUR_WRITES_TIMEOUT)."""
    async with httpx.AsyncClient(timeout=60) as http:
        await gql(http, base, "mutation($i: CreateTeamInput!) { createTeam(input: $i) { team { id } } }",
                  {"i": {"name": "Warm-up ward"}})
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            ready = (await http.get(f"{base}/readyz")).json()
            if ready.get("head", 0) >= 1 and not any(ready.get("lag", {"": 1}).values()):
                return
            await asyncio.sleep(0.2)
    raise RuntimeError(f"the projections did not start within {timeout}s")


async def stored_observation_count(conn: asyncpg.Connection) -> int:
    """Observations held by ObservationsRecorded events, counted from the events' stored JSON (periods are a list of
    dates, or a run of days stored as its first day and length)."""
    return int(
        await conn.fetchval(
            "SELECT coalesce(sum(CASE jsonb_typeof(p) WHEN 'array' THEN jsonb_array_length(p) "
            "ELSE (p -> '_data_' ->> 'days')::int END), 0) "
            "FROM (SELECT convert_from(data, 'UTF8')::jsonb -> 'periods' AS p FROM events WHERE topic = $1) AS e",
            TOPIC_RECORDED,
        )
    )


def ratio(a: float, b: float) -> str:
    return f"{a / b:.3f}" if b else "n/a"


# -- wrk ------------------------------------------------------------------------------------------------------
WRK_DONE = r"""
local threads = {}
function setup(thread)
  thread:set("id", #threads)
  table.insert(threads, thread)
end
function done(summary, latency, requests)
  local bad = 0
  for _, t in ipairs(threads) do bad = bad + (t:get("bad") or 0) end
  io.write(string.format(
    'WRKJSON {"requests": %d, "duration_us": %d, "bytes": %d, "connect_errors": %d, "read_errors": %d, '
    .. '"write_errors": %d, "timeouts": %d, "non2xx": %d, "bad": %d, "p50_us": %d, "p90_us": %d, '
    .. '"p99_us": %d, "max_us": %d, "mean_us": %f}\n',
    summary.requests, summary.duration, summary.bytes, summary.errors.connect, summary.errors.read,
    summary.errors.write, summary.errors.timeout, summary.errors.status, bad,
    latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max, latency.mean))
end
"""


def run_wrk(
    url: str, lua: str, *, connections: int, duration: float, threads: int = 1, timeout: str = "10s"
) -> dict[str, Any]:
    """Run wrk with `lua` (which defines request/response and counts `bad` answers) plus a done() that
    reports the summary as JSON; returns it with 'rps' added."""
    import json
    import shutil

    if shutil.which("wrk") is None:
        raise RuntimeError("wrk is not installed (apt-get install -y wrk)")
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as f:
        f.write(lua + WRK_DONE)
        script = f.name
    proc = subprocess.run(
        [
            "wrk",
            f"-t{threads}",
            f"-c{connections}",
            f"-d{max(1, round(duration))}s",
            f"--timeout={timeout}",
            "-s",
            script,
            url,
        ],
        capture_output=True,
        text=True,
    )
    os.unlink(script)
    if proc.returncode != 0:
        raise RuntimeError(f"wrk failed ({proc.returncode}): {proc.stderr or proc.stdout}")
    if proc.stderr.strip():
        print("  wrk stderr (first bad answers): " + proc.stderr.strip()[:1000], file=sys.stderr)
    out = proc.stdout
    line = next(s for s in out.splitlines() if s.startswith("WRKJSON "))
    result: dict[str, Any] = json.loads(line[len("WRKJSON ") :])
    result["rps"] = result["requests"] / (result["duration_us"] / 1e6)
    result["errors"] = sum(
        result[k] for k in ("connect_errors", "read_errors", "write_errors", "timeouts", "non2xx", "bad")
    )
    return result


def lua_string(s: str) -> str:
    """A Lua long-bracket string literal holding s verbatim."""
    level = 0
    while f"]{'=' * level}]" in s:
        level += 1
    eq = "=" * level
    return f"[{eq}[{s}]{eq}]"


def fmt_wrk(r: dict[str, Any]) -> str:
    return (
        f"{r['rps']:>9,.0f} req/s  p50 {r['p50_us'] / 1000:6.2f} ms  p99 {r['p99_us'] / 1000:7.2f} ms  "
        f"({r['requests']:,} requests, {r['errors']} errors)"
    )


async def count_stored(url: str) -> int:
    conn = await asyncpg.connect(url)
    try:
        return await stored_observation_count(conn)
    finally:
        await conn.close()


# -- bare baselines -------------------------------------------------------------------------------------------
def bare_app(database_url: str, path: str, handle: Any) -> Any:
    """A bare Starlette app, the floor a benchmark compares the service with: one POST route that checks the bearer
    token as the service does, then answers `await handle(request, pool)`; a pool of the service's default sizes
    (QMS_POOL_MIN, QMS_POOL_MAX)."""
    import orjson
    from starlette.applications import Starlette
    from starlette.requests import Request
    from starlette.responses import Response
    from starlette.routing import Route

    from service.auth.identity import AuthenticationError

    tokens = TokenService(SECRET)

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        app.state.pool = await asyncpg.create_pool(database_url, min_size=2, max_size=10)
        yield
        await app.state.pool.close()

    async def route(request: Request) -> Response:
        try:
            tokens.from_header(request.headers.get("authorization"))
        except AuthenticationError as e:
            return Response(orjson.dumps({"error": str(e)}), 401, media_type="application/json")
        answer: Response = await handle(request, request.app.state.pool)
        return answer

    return Starlette(routes=[Route(path, route, methods=["POST"])], lifespan=lifespan)


def serve_bare_app(app: Any, port: int) -> None:
    """Run a bare app with the same uvicorn settings as `qms serve` (service/edge/cli.py)."""
    import uvicorn

    uvicorn.run(app, host="127.0.0.1", port=port, log_level="warning", loop="uvloop", http="httptools",
                access_log=False)
