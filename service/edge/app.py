"""The ASGI application: create_app(settings) builds everything; pools open in the lifespan."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route, WebSocketRoute
from starlette.types import Receive, Scope, Send

from schema.graphiql import graphiql_page, graphiql_routes
from schema.http import GraphQLEndpoint
from schema.persisted import PersistedDocuments
from schema.root import build_executor
from schema.websocket import GraphQLWebSocket
from service import tracing
from service.bootstrap import start_services
from service.edge.admission import Admission
from service.edge.charts import chart_pictures
from service.edge.fhir.intake import fhir_bundle, fhir_measure_report, fhir_observation
from service.edge.fhir.metadata import metadata as fhir_metadata
from service.edge.http import AFTER_HEADER, POSITION_HEADER, REQUEST_ID_HEADER
from service.edge.ingest import ingest_observations
from service.edge.metrics import Metrics, cache_metrics, commit_metrics, metrics_endpoint
from service.settings import ConfigError, Settings

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


class App(Starlette):
    """Starlette, with the API's POST routes called straight from here when no middleware is configured: the
    router's matching and Starlette's two exception-handling layers cost about 5% of a small command's time, and
    the edge already answers every refusal itself (an unexpected error still becomes uvicorn's plain 500)."""

    def __init__(self, *args: object, direct: dict[str, Route] | None = None, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.direct = {} if self.user_middleware else (direct or {})

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        route = self.direct.get(scope["path"]) if scope["type"] == "http" and scope["method"] == "POST" else None
        if route is None:
            await super().__call__(scope, receive, send)
            return
        scope["app"] = self
        request = Request(scope, receive, send)
        response = await route.endpoint(request)
        await response(scope, receive, send)


def create_app_from_env() -> Starlette:
    """For `qms serve --workers N`: each worker process builds its app from the environment, without projections
    (they run in their own process)."""
    from service.edge.logs import configure_logging
    from service.edge.process import tune_gc

    settings = Settings.from_env(run_projections=False)
    configure_logging(settings.effective_log_format, settings.access_log)
    app = create_app(settings)
    tune_gc()
    return app


def create_app(settings: Settings | None = None) -> Starlette:
    settings = settings or Settings.from_env()

    metrics = Metrics()
    tracing.configure()

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        app.state.services = await start_services(settings)
        metrics.add_source(commit_metrics(app.state.services.store.stats))
        try:
            yield
        finally:
            await app.state.services.close()

    ide = graphiql_page() if settings.development else None
    try:
        documents = PersistedDocuments.from_file(settings.persisted_queries, only=settings.persisted_only)
    except ValueError as e:
        raise ConfigError(f"QMS_PERSISTED_QUERIES: {e}") from None
    graphql = GraphQLEndpoint(build_executor(introspection=settings.development), ide, documents=documents)
    metrics.add_source(cache_metrics(graphql.cache))
    graphql_route = Route("/graphql", graphql.handle, methods=["GET", "POST"])
    ingest_route = Route("/ingest/observations", ingest_observations.handle, methods=["POST"])
    routes = [
        graphql_route,
        WebSocketRoute("/graphql", GraphQLWebSocket(graphql.executor).handle),
        ingest_route,
        Route("/fhir/Observation", fhir_observation.handle, methods=["POST"]),
        Route("/fhir/MeasureReport", fhir_measure_report.handle, methods=["POST"]),
        Route("/fhir", fhir_bundle.handle, methods=["POST"]),
        Route("/fhir/metadata", fhir_metadata, methods=["GET"]),
        Route("/charts/{measure_id}.svg", chart_pictures.handle, methods=["GET"]),
        Route("/healthz", healthz),
        Route("/readyz", readyz),
        *(graphiql_routes() if settings.development else []),
        *([Route("/metrics", metrics_endpoint(settings.metrics_token))] if settings.metrics_token else []),
    ]
    middleware = [Middleware(CORSMiddleware, allow_origins=list(settings.cors_origins), allow_methods=["GET", "POST"],
                             allow_headers=["Authorization", "Content-Type", AFTER_HEADER, REQUEST_ID_HEADER,
                                            "Idempotency-Key", "X-Source-System"],
                             expose_headers=[POSITION_HEADER, REQUEST_ID_HEADER], max_age=600)
                  ] if settings.cors_origins else []  # no middleware at all unless configured: nothing on the hot path
    app = App(routes=routes, lifespan=lifespan, middleware=middleware,
              direct={r.path: r for r in (graphql_route, ingest_route)})
    app.state.metrics = metrics
    app.state.admission = Admission(settings.max_inflight_write_bytes)  # back-pressure on writes (admission.py)
    return app
