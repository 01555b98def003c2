"""The HTTP edge that every API route passes: the caller's bearer token, the body's size limit, a request id, and
the log positions (read-your-writes: `X-QMS-After` in, `X-QMS-Position` out).

A route is an `Endpoint`: a handler that receives a `Call` (the caller, the request id, a bounded body) and returns
an `Answer`. Refusals raise `Refusal`; each route says how its error bodies look (GraphQL's `errors` list, intake's
`error` object), and the edge writes them, so no route repeats authentication or limits."""

from __future__ import annotations

import logging
import time
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from itertools import count
from typing import Any
from uuid import uuid4

import orjson
from starlette.requests import ClientDisconnect, Request
from starlette.responses import Response

from service.auth.identity import AuthenticationError, Principal
from service.bootstrap import Services
from service.edge.admission import Admission, Overloaded, TooFast
from service.edge.logs import ACCESS, access
from service.edge.metrics import Metrics
from service.tracing import span

# A write's answer carries the log position it wrote; a later request that sends it back in X-QMS-After is
# answered once the read models include it (read-your-writes without waiting in the write itself).
POSITION_HEADER = "X-QMS-Position"
AFTER_HEADER = "X-QMS-After"
REQUEST_ID_HEADER = "X-Request-Id"
MAX_REQUEST_ID = 128


class Refusal(Exception):
    """The request is refused as a whole: an HTTP status, a code and a message for the client."""

    def __init__(self, status: int, code: str, message: str, headers: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.status, self.code, self.message, self.headers = status, code, message, headers


def overloaded(e: Overloaded | TooFast) -> Refusal:
    if isinstance(e, TooFast):
        return Refusal(429, "TOO_MANY_REQUESTS", str(e), {"Retry-After": str(e.retry_after)})
    return Refusal(503, "OVERLOADED", str(e), {"Retry-After": str(e.retry_after)})


@dataclass(slots=True)
class Call:
    request: Request
    services: Services
    principal: Principal
    request_id: str
    metrics: Metrics
    operation: str | None = None       # what the handler ran (a GraphQL operation's name), for the access log
    admission: Admission | None = None  # the bound on writes in flight (back-pressure)
    size: int | None = None            # the body's length, once read whole
    declared: str | None = None        # the Content-Length header

    @contextmanager
    def write(self) -> Iterator[None]:
        """Run a write within the bound on writes in flight, weighed by the body (read or declared); refused with
        503 and Retry-After, before the write begins, when the bound is reached, and with 429 when this client holds
        its share of it (admission.py)."""
        if self.admission is None:
            yield
            return
        weight, client = Admission.weigh(self.declared, self.size), self.principal.subject
        try:
            self.admission.admit(weight, client)
        except (Overloaded, TooFast) as e:
            raise overloaded(e) from None
        try:
            yield
        finally:
            self.admission.release(weight, client)

    async def body(self, limit: int | None = None) -> bytes:
        """The request body, refused with 413 as soon as it passes the limit (the settings' unless given)."""
        limit = self.services.settings.max_body_bytes if limit is None else limit
        declared = self.declared
        if declared is not None and declared.isdigit() and int(declared) > limit:
            raise too_large(limit)
        if declared is not None:  # the server holds at most what was declared
            body = await _whole_body(self.request)
            if len(body) > limit:
                raise too_large(limit)
            self.size = len(body)
            return body
        chunks, size = [], 0
        async for chunk in self.request.stream():
            size += len(chunk)
            if size > limit:
                raise too_large(limit)
            chunks.append(chunk)
        self.size = size
        return b"".join(chunks)


def too_large(limit: int) -> Refusal:
    return Refusal(413, "TOO_LARGE", f"The request body is over the size limit of {limit} bytes.")


@dataclass(slots=True)
class Answer:
    body: bytes                          # JSON, already serialized
    status: int = 200
    position: int = 0                    # the log position this request wrote, if any
    headers: dict[str, str] | None = None
    media_type: str = "application/json"


ErrorBody = Callable[[str, str], Any]    # (code, message) -> the route's JSON error body
Handler = Callable[[Call], Awaitable[Answer]]


# A made request id is this process's random prefix and a counter, 32 hex digits like a uuid4's: unique across
# processes as a uuid4 is, without a system call for fresh randomness on every request.
_ID_PREFIX = uuid4().hex[:20]
_ID_NUMBERS = count(1)


def _request_id(given: str | None) -> str:
    if given and len(given) <= MAX_REQUEST_ID and given.isascii() and given.isprintable():
        return given
    return f"{_ID_PREFIX}{next(_ID_NUMBERS):012x}"


# The headers the edge reads, looked for in one pass over the request's (uvicorn gives their names in lower case):
# Starlette's Headers decodes and scans the whole list again for every header asked for.
_EDGE_HEADERS = {b"authorization", AFTER_HEADER.lower().encode(), REQUEST_ID_HEADER.lower().encode(),
                 b"content-length"}


def _edge_headers(request: Request) -> dict[bytes, str]:
    found: dict[bytes, str] = {}
    for name, value in request.scope["headers"]:
        if name in _EDGE_HEADERS and name not in found:  # the first, as Starlette's Headers.get answers
            found[name] = value.decode("latin-1")
    return found


async def _whole_body(request: Request) -> bytes:
    """The body, read from the ASGI messages themselves: Starlette's `Request.body()` reads it through an async
    generator, which costs more than the few messages a small body arrives in. Kept on the request as Starlette
    keeps it, so a later `request.body()` answers the same."""
    chunks: list[bytes] = []
    while True:
        message = await request.receive()
        if message["type"] == "http.disconnect":
            raise ClientDisconnect()
        chunks.append(message.get("body", b""))
        if not message.get("more_body", False):
            break
    body = chunks[0] if len(chunks) == 1 else b"".join(chunks)
    request._body = body  # where Starlette keeps a body it has read
    return body


class Endpoint:
    """One API route behind the edge, named `route` in metrics and logs. Its POSTs are writes, admitted within the
    bound on writes in flight before the handler runs (`posts_write`); a route that tells writes from reads only
    once it has read the request (GraphQL) says False and admits its writes itself with `Call.write()`."""

    def __init__(self, route: str, handler: Handler, error_body: ErrorBody, *, posts_write: bool = True) -> None:
        self.route, self.handler, self.error_body = route, handler, error_body
        self.posts_write = posts_write

    def refuse(self, refusal: Refusal, request_id: str) -> Response:
        headers = {REQUEST_ID_HEADER: request_id, **(refusal.headers or {})}
        return Response(orjson.dumps(self.error_body(refusal.code, refusal.message)), status_code=refusal.status,
                        media_type="application/json", headers=headers)

    async def handle(self, request: Request) -> Response:
        started = time.perf_counter()
        metrics: Metrics = request.app.state.metrics
        headers = _edge_headers(request)
        request_id = _request_id(headers.get(b"x-request-id"))
        calls: list[Call] = []
        with span(f"{request.method} {self.route}", **{"http.route": self.route, "qms.request_id": request_id}):
            response = await self._answer(request, headers, metrics, request_id, calls)
        seconds = time.perf_counter() - started
        metrics.request(self.route, response.status_code, seconds)
        if ACCESS.isEnabledFor(logging.INFO):
            call = calls[0] if calls else None
            access(request_id, self.route, call.operation if call else None,
                   call.principal.subject if call else None, call.principal.role.value if call else None,
                   response.status_code, seconds)
        return response

    async def _answer(self, request: Request, headers: dict[bytes, str], metrics: Metrics, request_id: str,
                      calls: list[Call]) -> Response:
        services: Services = request.app.state.services
        try:
            try:
                principal = services.tokens.from_header(headers.get(b"authorization"))
            except AuthenticationError as e:
                raise Refusal(401, "UNAUTHENTICATED", str(e)) from None
            after = headers.get(b"x-qms-after")
            if after is not None:
                if not after.isdigit():
                    raise Refusal(400, "BAD_REQUEST", f"{AFTER_HEADER} must be a log position.")
                if not await services.wait_for_projections(int(after)):  # never an answer that misses the write
                    raise Refusal(503, "NOT_CAUGHT_UP", f"The read models have not yet applied log position {after} "
                                  f"(waited {services.settings.read_your_writes_timeout:g} s); try again.",
                                  {"Retry-After": "1"})
            call = Call(request, services, principal, request_id, metrics,
                        admission=getattr(request.app.state, "admission", None),
                        declared=headers.get(b"content-length"))
            calls.append(call)
            if self.posts_write and request.method == "POST":
                with call.write():
                    answer = await self.handler(call)
            else:
                answer = await self.handler(call)
        except Refusal as refusal:
            metrics.error(refusal.code)
            return self.refuse(refusal, request_id)
        headers = {REQUEST_ID_HEADER: request_id}
        if answer.position:
            headers[POSITION_HEADER] = str(answer.position)
        if answer.headers:
            headers.update(answer.headers)
        return Response(answer.body, status_code=answer.status, media_type=answer.media_type, headers=headers)
