"""The ASGI application: create_app(settings) builds everything; pools open in the lifespan."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route
from strawberry.http.ides import get_graphql_ide_html

from schema.http import GraphQLEndpoint
from schema.root import build_executor
from service.bootstrap import start_services
from service.edge.ingest import ingest_observations
from service.settings import Settings

READY_LAG = 10_000  # events a projection may trail the log by and still count as ready


async def healthz(_: Request) -> JSONResponse:
    return JSONResponse({"status": "ok"})


async def readyz(request: Request) -> JSONResponse:
    services = request.app.state.services
    try:
        async with services.pool.acquire() as conn:
            head = await conn.fetchval("SELECT position FROM event_log_head")
            tracked = dict(await conn.fetch("SELECT name, position FROM projection_tracking"))
    except Exception as e:
        return JSONResponse({"status": "unavailable", "database": str(e)}, status_code=503)
    # A projection's tracking row trails what it has examined: one that finds nothing of interest moves past the
    # events in memory and only says so, on the projections channel, which every process's notifier hears. So the
    # lag is the distance from the further of the two to the head.
    examined = services.notifier.positions
    lag = {p.name: max(0, head - max(tracked.get(p.name, 0), examined.get(p.name, 0))) for p in services.projections}
    ready = all(v <= READY_LAG for v in lag.values())
    return JSONResponse({"status": "ready" if ready else "catching-up", "head": head, "lag": lag},
                        status_code=200 if ready else 503)


def create_app_from_env() -> Starlette:
    """For `qms serve --workers N`: each worker process builds its app from the environment, without projections
    (they run in their own process)."""
    from service.edge.process import tune_gc

    app = create_app(Settings.from_env(run_projections=False))
    tune_gc()
    return app


def create_app(settings: Settings | None = None) -> Starlette:
    settings = settings or Settings.from_env()

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        app.state.services = await start_services(settings)
        try:
            yield
        finally:
            await app.state.services.close()

    ide = get_graphql_ide_html(graphql_ide="graphiql") if settings.development else None
    graphql = GraphQLEndpoint(build_executor(introspection=settings.development), ide)
    routes = [
        Route("/graphql", graphql.handle, methods=["GET", "POST"]),
        Route("/ingest/observations", ingest_observations.handle, methods=["POST"]),
        Route("/healthz", healthz),
        Route("/readyz", readyz),
    ]
    return Starlette(routes=routes, lifespan=lifespan)
