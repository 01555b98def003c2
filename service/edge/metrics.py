"""What operators watch, in Prometheus's format at /metrics (prometheus-client): requests and GraphQL operations
with their latency, errors by code, intake outcomes, group commits, projection lag and the answer cache.

The request path only adds to counters and histograms (a few microseconds); what other parts already count (the
event store's commits, the answer cache, the projections' positions) is read when /metrics is scraped."""

from __future__ import annotations

import hmac
import time
from collections.abc import Callable, Iterable
from typing import Any

from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Gauge, Histogram, generate_latest
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, HistogramMetricFamily, Metric
from starlette.requests import Request
from starlette.responses import Response

from service.eventstore.store import SECONDS_BUCKETS, SIZE_BUCKETS

MAX_OPERATION_NAMES = 200  # distinct operation names kept as labels; the rest count as "other"
LATENCY_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0)


class Metrics:
    """One process's metrics (a registry of its own, so several services in one process never mix)."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        r = self.registry
        self._requests = Histogram("qms_http_request_duration_seconds", "HTTP requests by route, and how long they "
                                   "took", ["route"], registry=r, buckets=LATENCY_BUCKETS)
        self._responses = Counter("qms_http_responses", "HTTP responses by route and status", ["route", "status"],
                                  registry=r)
        self._operations = Histogram("qms_graphql_operation_duration_seconds", "GraphQL operations executed (not "
                                     "served from the answer cache), by name and type", ["operation", "type"],
                                     registry=r, buckets=LATENCY_BUCKETS)
        self._errors = Counter("qms_errors", "Errors answered, by code", ["code"], registry=r)
        self._intake = Counter("qms_intake_observations", "Observations posted for intake, by outcome",
                               ["outcome"], registry=r)
        self._lag_events = Gauge("qms_projection_lag_events", "Events in the log a projection has not examined yet",
                                 ["projection"], registry=r)
        self._lag_seconds = Gauge("qms_projection_lag_seconds", "Age of the oldest event a projection has not "
                                  "examined yet", ["projection"], registry=r)
        self._names: set[str] = set()
        # Each labelled child once: prometheus_client's labels() validates and hashes its values on every call,
        # about 2.5% of a small command's time. The label values are bounded (routes, statuses, codes, names).
        self._children: dict[tuple[object, ...], Any] = {}
        self._sources: list[Callable[[], Iterable[Metric]]] = []
        r.register(_Sources(self._sources))

    def add_source(self, source: Callable[[], Iterable[Metric]]) -> None:
        """Metrics some other part keeps itself, read at each scrape."""
        self._sources.append(source)

    def _child(self, metric: Any, *values: str) -> Any:
        key = (metric, *values)
        child = self._children.get(key)
        if child is None:
            child = self._children[key] = metric.labels(*values)
        return child

    def request(self, route: str, status: int, seconds: float) -> None:
        self._child(self._requests, route).observe(seconds)
        self._child(self._responses, route, str(status)).inc()

    def operation(self, name: str | None, kind: str, seconds: float) -> None:
        label = name or "anonymous"
        if label not in self._names:
            if len(self._names) >= MAX_OPERATION_NAMES:
                label = "other"  # clients choose names: never let them grow the series without bound
            else:
                self._names.add(label)
        self._child(self._operations, label, kind).observe(seconds)

    def error(self, code: str, count: int = 1) -> None:
        self._child(self._errors, code).inc(count)

    def intake(self, accepted: int, duplicates: int, rejected: int) -> None:
        for outcome, n in (("accepted", accepted), ("duplicate", duplicates), ("rejected", rejected)):
            if n:
                self._child(self._intake, outcome).inc(n)

    async def render(self, services: Any) -> bytes:
        """The exposition, with the projections' lag read now."""
        positions = services.notifier.positions
        names = [p.name for p in services.projections]
        async with services.pool.acquire() as conn:
            head = await conn.fetchval("SELECT position FROM event_log_head") or 0
            oldest = dict(await conn.fetch(
                "SELECT p.name, e.recorded_at FROM unnest($1::text[], $2::bigint[]) AS p(name, position) "
                "JOIN events e ON e.position = p.position + 1", names, [positions.get(n, 0) for n in names]))
        now = time.time()
        for name in names:
            self._lag_events.labels(name).set(max(0, head - positions.get(name, 0)))
            self._lag_seconds.labels(name).set(max(0.0, now - oldest[name].timestamp()) if name in oldest else 0.0)
        return generate_latest(self.registry)


class _Sources:
    def __init__(self, sources: list[Callable[[], Iterable[Metric]]]) -> None:
        self.sources = sources

    def collect(self) -> Iterable[Metric]:
        for source in self.sources:
            yield from source()


def commit_metrics(stats: Any) -> Callable[[], Iterable[Metric]]:
    """The event store's group commits (service/eventstore/store.py CommitStats) as two histograms."""

    def collect() -> Iterable[Metric]:
        yield _histogram("qms_group_commit_size", "Appends committed together in one group", SIZE_BUCKETS,
                         stats.by_size, stats.requests)
        yield _histogram("qms_group_commit_duration_seconds", "How long a group commit took", SECONDS_BUCKETS,
                         stats.by_seconds, stats.seconds)
    return collect


def cache_metrics(cache: Any) -> Callable[[], Iterable[Metric]]:
    """The answer cache's hits, misses, answers found stale, entries and bytes."""

    def collect() -> Iterable[Metric]:
        lookups = CounterMetricFamily("qms_answer_cache_lookups", "Answer cache look-ups, by result",
                                      labels=["result"])
        for result, count in (("hit", cache.hits), ("miss", cache.misses), ("stale", cache.stales)):
            lookups.add_metric([result], count)
        yield lookups
        yield GaugeMetricFamily("qms_answer_cache_bytes", "Bytes of answers kept", value=cache.bytes)
        yield GaugeMetricFamily("qms_answer_cache_entries", "Answers kept", value=len(cache))
    return collect


def _histogram(name: str, doc: str, bounds: tuple[float, ...], counts: list[int], total: float) -> Metric:
    family = HistogramMetricFamily(name, doc)
    cumulative, buckets = 0, []
    for bound, count in zip((*bounds, float("inf")), counts, strict=True):
        cumulative += count
        buckets.append(("+Inf" if bound == float("inf") else str(bound), cumulative))
    family.add_metric([], buckets, total)
    return family


def metrics_endpoint(token: str) -> Callable[[Request], Any]:
    """GET /metrics, for a scraper that sends `Authorization: Bearer <QMS_METRICS_TOKEN>`."""
    expected = f"Bearer {token}".encode()

    async def endpoint(request: Request) -> Response:
        given = request.headers.get("authorization", "").encode()
        if not hmac.compare_digest(given, expected):
            return Response("metrics need the configured bearer token\n", status_code=401, media_type="text/plain")
        return Response(await request.app.state.metrics.render(request.app.state.services),
                        media_type=CONTENT_TYPE_LATEST)

    return endpoint
