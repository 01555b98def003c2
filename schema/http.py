"""POST /graphql: authentication, execution, error masking, and a cache of serialized query results.

GraphQL execution costs far more per field than the read models cost to read, so a query's serialized
answer is kept, keyed by the document, variables, the caller's read scope (role and teams) and the
positions of the read models. Any new event a projection applies changes the key, so nothing stale is
served; mutations are never cached."""

from __future__ import annotations

import logging
from collections import OrderedDict
from functools import lru_cache
from hashlib import blake2b
from typing import Any
from uuid import uuid4

import orjson
from graphql import GraphQLError, OperationType, parse
from graphql.error import GraphQLSyntaxError
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response

from domain.errors import DomainError
from schema.context import Context
from service.bootstrap import Services
from service.identity import AuthenticationError

log = logging.getLogger(__name__)


def json_response(body: Any, status: int = 200) -> Response:
    return Response(orjson.dumps(body), status_code=status, media_type="application/json")


def error_response(message: str, status: int, code: str) -> Response:
    return json_response({"errors": [{"message": message, "extensions": {"code": code}}]}, status)


@lru_cache(maxsize=2048)
def is_query(document: str, operation_name: str | None) -> bool:
    try:
        ast = parse(document)
    except GraphQLSyntaxError:
        return False
    ops = [d for d in ast.definitions if getattr(d, "operation", None) is not None]
    chosen = [d for d in ops if operation_name is None or (d.name and d.name.value == operation_name)]  # type: ignore[attr-defined]
    return len(chosen) == 1 and chosen[0].operation is OperationType.QUERY  # type: ignore[attr-defined]


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


class GraphQLEndpoint:
    def __init__(self, schema: Any, graphiql_html: str | None, cache_size: int = 4096) -> None:
        self.schema = schema
        self.graphiql_html = graphiql_html
        self.cache: OrderedDict[bytes, bytes] = OrderedDict()
        self.cache_size = cache_size

    async def handle(self, request: Request) -> Response:
        if request.method == "GET":
            if self.graphiql_html is None:
                return error_response("Send GraphQL requests with POST.", 405, "METHOD_NOT_ALLOWED")
            return HTMLResponse(self.graphiql_html)
        services: Services = request.app.state.services
        try:
            principal = services.tokens.from_header(request.headers.get("authorization"))
        except AuthenticationError as e:
            return error_response(str(e), 401, "UNAUTHENTICATED")
        body = await request.body()
        if len(body) > services.settings.max_body_bytes:
            return error_response("The request body is over the size limit.", 413, "TOO_LARGE")
        try:
            payload = orjson.loads(body)
            query = payload["query"]
            variables = payload.get("variables") or {}
            operation_name = payload.get("operationName")
            if not isinstance(query, str) or not isinstance(variables, dict):
                raise TypeError
        except (orjson.JSONDecodeError, KeyError, TypeError, AttributeError):
            return error_response('The body must be JSON: {"query": "...", "variables": {...}}.', 400, "BAD_REQUEST")
        key = None
        if is_query(query, operation_name):
            scope = (principal.role.value, sorted(principal.teams), sorted(services.notifier.positions.items()))
            key = blake2b(orjson.dumps([query, variables, operation_name, scope], option=orjson.OPT_SORT_KEYS),
                          digest_size=20).digest()
            cached = self.cache.get(key)
            if cached is not None:
                return Response(cached, media_type="application/json")
        request_id = request.headers.get("x-request-id") or uuid4().hex
        context = Context(services=services, principal=principal, request_id=request_id)
        result = await self.schema.execute(query, variable_values=variables, context_value=context,
                                           operation_name=operation_name)
        out: dict[str, Any] = {"data": result.data}
        if result.errors:
            out["errors"] = [format_error(e, request_id) for e in result.errors]
        data = orjson.dumps(out)
        if key is not None and not result.errors:
            self.cache[key] = data
            if len(self.cache) > self.cache_size:
                self.cache.popitem(last=False)
        return Response(data, media_type="application/json")
