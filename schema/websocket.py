"""GraphQL over WebSocket at /graphql, in the graphql-transport-ws protocol: authenticated in connection_init
(`{"Authorization": "Bearer ..."}`; a missing or invalid token closes the socket with 4401), subscriptions with
the same permissions as queries, and a slow consumer dropped with a close code rather than buffered without
bound."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import Any
from uuid import uuid4

import orjson
from graphql import ExecutionResult, GraphQLError, OperationType
from starlette.websockets import WebSocket, WebSocketDisconnect, WebSocketState

from schema.context import Context
from schema.executor import Executor
from schema.http import format_error
from service.auth.identity import AuthenticationError, Principal
from service.eventstore.notifications import FellBehind

log = logging.getLogger(__name__)
PROTOCOL = "graphql-transport-ws"
# Close codes of the protocol, and ours for a consumer that reads too slowly.
BAD_MESSAGE, UNAUTHORIZED, INIT_TIMEOUT, DUPLICATE, TOO_SLOW = 4400, 4401, 4408, 4409, 4429


class _Close(Exception):
    def __init__(self, code: int, reason: str) -> None:
        super().__init__(reason)
        self.code, self.reason = code, reason


class GraphQLWebSocket:
    def __init__(self, executor: Executor, *, init_timeout: float = 10.0, send_timeout: float = 5.0) -> None:
        self.executor, self.init_timeout, self.send_timeout = executor, init_timeout, send_timeout

    async def handle(self, ws: WebSocket) -> None:
        if PROTOCOL not in ws.scope.get("subprotocols", []):
            await ws.close(code=4406, reason=f"Subprotocol not acceptable: use {PROTOCOL}")
            return
        await ws.accept(subprotocol=PROTOCOL)
        connection = _Connection(self, ws)
        try:
            await connection.run()
        except _Close as close:
            await connection.close(close.code, close.reason)
        except WebSocketDisconnect:
            pass
        finally:
            await connection.stop()


class _Connection:
    def __init__(self, server: GraphQLWebSocket, ws: WebSocket) -> None:
        self.server, self.ws = server, ws
        self.services = ws.app.state.services
        self.running: dict[str, asyncio.Task[None]] = {}
        self.sending = asyncio.Lock()

    async def receive(self) -> dict[str, Any]:
        text = await self.ws.receive_text()
        try:
            message = orjson.loads(text)
        except orjson.JSONDecodeError:
            raise _Close(BAD_MESSAGE, "Invalid message received") from None
        if not isinstance(message, dict) or not isinstance(message.get("type"), str):
            raise _Close(BAD_MESSAGE, "Invalid message received")
        return message

    async def send(self, message: dict[str, Any]) -> None:
        """One message; a client that does not take it in time is dropped (nothing waits for it unbounded)."""
        try:
            async with self.sending:
                # asyncio.timeout rather than wait_for: no task per message, which a fan-out to many sockets pays.
                async with asyncio.timeout(self.server.send_timeout):
                    await self.ws.send_text(orjson.dumps(message).decode())
        except TimeoutError:
            raise _Close(TOO_SLOW, "Too slow: messages were not read in time") from None

    async def close(self, code: int, reason: str) -> None:
        if self.ws.application_state != WebSocketState.DISCONNECTED:
            with contextlib.suppress(RuntimeError, OSError):
                await self.ws.close(code=code, reason=reason)

    async def stop(self) -> None:
        for task in self.running.values():
            task.cancel()
        for task in list(self.running.values()):
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task

    async def run(self) -> None:
        try:
            first = await asyncio.wait_for(self.receive(), self.server.init_timeout)
        except TimeoutError:
            raise _Close(INIT_TIMEOUT, "Connection initialisation timeout") from None
        if first["type"] != "connection_init":
            raise _Close(UNAUTHORIZED, "Unauthorized")
        payload = first.get("payload") if isinstance(first.get("payload"), dict) else {}
        try:
            principal = self.services.tokens.from_header(payload.get("Authorization") or payload.get("authorization"))
        except AuthenticationError as e:
            raise _Close(UNAUTHORIZED, f"Unauthorized: {e}") from None
        await self.send({"type": "connection_ack"})
        while True:
            message = await self.receive()
            kind = message["type"]
            if kind == "ping":
                await self.send({"type": "pong"})
            elif kind == "pong":
                pass
            elif kind == "subscribe":
                self.start(message, principal)
            elif kind == "complete":
                task = self.running.pop(str(message.get("id")), None)
                if task is not None:
                    task.cancel()
            else:
                raise _Close(BAD_MESSAGE, f"Unexpected message of type {kind}")

    def start(self, message: dict[str, Any], principal: Principal) -> None:
        op_id, payload = message.get("id"), message.get("payload")
        if not isinstance(op_id, str) or not isinstance(payload, dict) or not isinstance(payload.get("query"), str):
            raise _Close(BAD_MESSAGE, "Invalid subscribe message")
        if op_id in self.running:
            raise _Close(DUPLICATE, f"Subscriber for {op_id} already exists")
        self.running[op_id] = asyncio.create_task(self.operate(op_id, payload, principal))

    async def operate(self, op_id: str, payload: dict[str, Any], principal: Principal) -> None:
        request_id = uuid4().hex
        context = Context(services=self.services, principal=principal, request_id=request_id)
        variables = payload.get("variables") or {}
        name = payload.get("operationName")
        try:
            prepared = self.server.executor.prepare(payload["query"], name)
            if prepared.document is None or prepared.operation is not OperationType.SUBSCRIPTION:
                result = await self.server.executor.execute(prepared, variables, context, name)
                if prepared.document is None:
                    await self.error(op_id, result.errors or [], request_id)
                else:
                    await self.next(op_id, result, request_id)
                    await self.send({"id": op_id, "type": "complete"})
                return
            stream = await self.server.executor.subscribe(prepared, variables, context, name)
            if isinstance(stream, ExecutionResult):
                await self.error(op_id, stream.errors or [], request_id)
                return
            async for result in stream:
                await self.next(op_id, result, request_id)
            await self.send({"id": op_id, "type": "complete"})
        except FellBehind:
            await self.close(TOO_SLOW, "Too slow: updates came faster than they were read")
        except _Close as close:
            await self.close(close.code, close.reason)
        except GraphQLError as e:
            await self.error(op_id, [e], request_id)
        except (WebSocketDisconnect, asyncio.CancelledError):
            raise
        except Exception as e:  # a resolver's failure: masked for the client, logged with the request id
            await self.error(op_id, [GraphQLError(str(e), original_error=e)], request_id)
        finally:
            self.running.pop(op_id, None)

    async def next(self, op_id: str, result: ExecutionResult, request_id: str) -> None:
        if result.errors and any(isinstance(e.original_error, FellBehind) for e in result.errors):
            raise FellBehind("subscriber fell behind")
        body: dict[str, Any] = {"data": result.data}
        if result.errors:
            body["errors"] = [format_error(e, request_id) for e in result.errors]
        await self.send({"id": op_id, "type": "next", "payload": body})

    async def error(self, op_id: str, errors: list[GraphQLError], request_id: str) -> None:
        await self.send({"id": op_id, "type": "error", "payload": [format_error(e, request_id) for e in errors]})
