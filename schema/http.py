"""POST /graphql behind the HTTP edge (service/edge/http.py): execution, error masking, and a cache of
serialized query answers.

GraphQL execution costs far more per field than the read models cost to read, so a query's serialized answer
is kept, keyed by the document, variables and the caller's read scope (role and teams), together with the
read-model rows it was built from and their positions (recorded by the resolvers as they read). A cached
answer is served only after one query confirms that none of those rows has moved on, so a write to one measure
leaves every other measure's cached charts valid, and nothing stale is ever served. Answers that read the log
itself (histories) or a past instant are not cached; mutations never are."""

from __future__ import annotations

import logging
import time
from collections import OrderedDict
from hashlib import blake2b
from typing import Any

import orjson
from graphql import GraphQLError, OperationType
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response

from domain.errors import DomainError
from schema.context import Context
from schema.executor import Executor
from schema.persisted import PersistedDocuments, PersistedQueryError
from service.bootstrap import Services
from service.edge.http import Answer, Call, Endpoint, Refusal

log = logging.getLogger(__name__)


def json_response(body: Any, status: int = 200) -> Response:
    return Response(orjson.dumps(body), status_code=status, media_type="application/json")


def error_response(message: str, status: int, code: str) -> Response:
    return json_response({"errors": [{"message": message, "extensions": {"code": code}}]}, status)


def format_error(error: GraphQLError, request_id: str) -> dict[str, Any]:
    original = error.original_error
    if original is None or isinstance(original, GraphQLError):
        return error.formatted
    if isinstance(original, DomainError):
        return {**error.formatted, "message": original.message,
                "extensions": {"code": original.code, "field": original.field}}
    log.error("unexpected error in request %s", request_id, exc_info=original)
    return {"message": f"Unexpected error; quote request id {request_id}.", "path": error.path,
            "extensions": {"code": "INTERNAL", "requestId": request_id}}


class AnswerCache:
    """Serialized answers with what they were built from, least recently used first out, bounded both in entries
    and in bytes (one long chart's answer can be megabytes); an answer over a sixteenth of the byte budget is not
    kept at all."""

    def __init__(self, max_entries: int = 4096, max_bytes: int = 256 * 1024 * 1024) -> None:
        self.max_entries, self.max_bytes = max_entries, max_bytes
        self.bytes = 0
        self.hits = self.misses = self.stales = 0
        self._entries: OrderedDict[bytes, tuple[dict[str, int | None], bytes]] = OrderedDict()

    def __len__(self) -> int:
        return len(self._entries)

    def get(self, key: bytes) -> tuple[dict[str, int | None], bytes] | None:
        entry = self._entries.get(key)
        if entry is not None:
            self._entries.move_to_end(key)
        return entry

    def put(self, key: bytes, depends_on: dict[str, int | None], body: bytes) -> None:
        self.drop(key)
        if len(body) > self.max_bytes // 16:
            return
        self._entries[key] = (depends_on, body)
        self.bytes += len(body)
        while len(self._entries) > self.max_entries or self.bytes > self.max_bytes:
            _, (_, old) = self._entries.popitem(last=False)
            self.bytes -= len(old)

    def drop(self, key: bytes) -> None:
        entry = self._entries.pop(key, None)
        if entry is not None:
            self.bytes -= len(entry[1])


class GraphQLEndpoint:
    def __init__(self, executor: Executor, graphiql_html: str | None, cache: AnswerCache | None = None,
                 documents: PersistedDocuments | None = None) -> None:
        self.executor = executor
        self.documents = documents or PersistedDocuments()
        self.graphiql_html = graphiql_html
        self.cache = cache or AnswerCache()
        self.edge = Endpoint("/graphql", self.execute, lambda code, message: {"errors": [{"message": message,
                                                                              "extensions": {"code": code}}]},
                             posts_write=False)  # mutations are admitted as writes once the document says so

    async def cached(self, services: Services, key: bytes) -> bytes | None:
        entry = self.cache.get(key)
        if entry is None:
            self.cache.misses += 1
            return None
        depends_on, body = entry
        if depends_on:
            current = await services.versions.versions(services.pool, depends_on)
            if any(current.get(k) != v for k, v in depends_on.items()):
                self.cache.drop(key)
                self.cache.stales += 1
                return None
        self.cache.hits += 1
        return body

    async def handle(self, request: Request) -> Response:
        if request.method == "GET" and not request.query_params:
            if self.graphiql_html is None:
                return error_response("Send GraphQL requests with POST, or persisted queries with GET.", 405,
                                      "METHOD_NOT_ALLOWED")
            return HTMLResponse(self.graphiql_html)
        return await self.edge.handle(request)

    async def _operation(self, call: Call) -> tuple[str, dict[str, Any], str | None]:
        """The document (sent, or named by its persisted hash), variables and operation name of the request."""
        request = call.request
        try:
            if request.method == "GET":  # persisted queries over GET, so that HTTP caches can serve them
                params = request.query_params
                payload = {"query": params.get("query"), "operationName": params.get("operationName"),
                           "variables": orjson.loads(params["variables"]) if "variables" in params else None,
                           "extensions": orjson.loads(params["extensions"]) if "extensions" in params else None}
            else:
                payload = orjson.loads(await call.body())
            variables = payload.get("variables") or {}
            operation_name = payload.get("operationName")
            if not isinstance(variables, dict) or not isinstance(operation_name, str | None):
                raise TypeError
        except (orjson.JSONDecodeError, TypeError, AttributeError):
            raise Refusal(400, "BAD_REQUEST", 'The body must be JSON: {"query": "...", "variables": {...}}.') from None
        try:
            query = self.documents.resolve(payload.get("query"), payload.get("extensions"))
        except PersistedQueryError as e:
            if e.status != 200:
                raise Refusal(e.status, e.code, e.message) from None
            raise
        return query, variables, operation_name

    async def execute(self, call: Call) -> Answer:
        services = call.services
        try:
            query, variables, operation_name = await self._operation(call)
        except PersistedQueryError as e:  # the convention's signal: the client sends the document next
            return Answer(orjson.dumps({"errors": [{"message": e.message, "extensions": {"code": e.code}}]}))
        key = None
        prepared = self.executor.prepare(query, operation_name)
        call.operation = prepared.name or operation_name
        get = call.request.method == "GET"
        if get and prepared.operation is not OperationType.QUERY:
            raise Refusal(405, "METHOD_NOT_ALLOWED", "Only queries may be sent with GET; send mutations with POST.")
        if prepared.operation is OperationType.QUERY:
            principal = call.principal
            scope = (principal.role.value, sorted(principal.teams))
            key = blake2b(orjson.dumps([query, variables, operation_name, scope], option=orjson.OPT_SORT_KEYS),
                          digest_size=20).digest()
            cached = await self.cached(services, key)
            if cached is not None:
                return _conditional(call, cached) if get else Answer(cached)
        context = Context(services=services, principal=call.principal, request_id=call.request_id)
        started = time.perf_counter()
        if prepared.operation is OperationType.MUTATION:
            with call.write():  # back-pressure: refused with 503 before anything runs when writes pile up
                result = await self.executor.execute(prepared, variables, context, operation_name)
        else:
            result = await self.executor.execute(prepared, variables, context, operation_name)
        call.metrics.operation(prepared.name, prepared.operation.value if prepared.operation else "invalid",
                               time.perf_counter() - started)
        out: dict[str, Any] = {"data": result.data}
        if result.errors:
            out["errors"] = [format_error(e, call.request_id) for e in result.errors]
            for e in out["errors"]:
                call.metrics.error((e.get("extensions") or {}).get("code") or "GRAPHQL_VALIDATION")
        data = orjson.dumps(out)
        if key is not None and not result.errors and context.depends_on is not None:
            self.cache.put(key, context.depends_on, data)
        return _conditional(call, data) if get else Answer(data, position=context.position)


def _conditional(call: Call, body: bytes) -> Answer:
    """A GET answer a browser's cache may keep and revalidate (private: it depends on the caller's token)."""
    tag = '"' + blake2b(body, digest_size=16).hexdigest() + '"'
    headers = {"ETag": tag, "Cache-Control": "private, no-cache", "Vary": "Authorization"}
    if call.request.headers.get("if-none-match") == tag:
        return Answer(b"", status=304, headers=headers)
    return Answer(body, headers=headers)
