"""The local WebSocket API: what an API Gateway WebSocket API stage does, on the gateway's port.

`websocket_api` reads the template's `AWS::ApiGatewayV2::Api` (ProtocolType WEBSOCKET, in any
stack): its route selection expression, its routes and the function each one's AWS_PROXY
integration names, which routes are two-way (have a RouteResponse), and its stage.
`WebSocketGateway` serves it:

- Upgrades at `/{stage}` (the execute-api URL) and at `/app/{key}` (the custom domain whose API
  mapping is `app/{key}`, where Pusher clients connect; the function sees the key as the query
  parameter `app_key`, beside the client's own). Each connection gets an API Gateway-like id.
- `$connect` is invoked with a CONNECT event (headers, query strings, requestContext): a 200
  `statusCode` accepts the upgrade (with the headers the function answered), any other refuses it
  with that status, a failure with 500. Until then the connection does not exist for @connections.
- Each text message is routed by the selection expression (`$request.body.event`: the JSON body's
  `event`; a body that is not JSON, or a value no route has, goes to `$default`) and invoked with a
  MESSAGE event. Messages are handled concurrently, as on AWS. A two-way route's answer `body` is
  sent back; a function that fails makes `{"message": "Internal server error", ...}`, and a message
  no route takes `{"message": "Forbidden", ...}`. A binary frame closes the connection with 1003.
- Every close (by the client, by DeleteConnection, by a limit) invokes `$disconnect` once, best
  effort, with a DISCONNECT event (`disconnectStatusCode`, `disconnectReason`).
- API Gateway's limits: a frame over 32 KB or a message over 128 KB closes the connection with
  1009 (`SERVER_OPTIONS`, for uvicorn's WebSocket protocol); no message either way for
  `ECKO_WS_IDLE_SECONDS` (600) or a connection older than `ECKO_WS_MAX_SECONDS` (7200) closes it
  with 1001 "Going away". DeleteConnection closes with 1000.
- The @connections API at `/{stage}/@connections/{connectionId}`, as botocore's
  `apigatewaymanagementapi` client calls it with `endpoint_url=http://127.0.0.1:<port>/<stage>`:
  POST sends the body as one frame (text when it is UTF-8; posts to a connection arrive in order),
  GET describes the connection, DELETE closes it. An unknown, closed or not yet accepted connection
  is 410 GoneException, data over 128 KB 413 PayloadTooLargeException, an unsigned request 403
  ForbiddenException.

Where it differs from AWS: every `/app/{key}` reaches the stage (on AWS only the mapped key does);
request signatures on @connections must be present but are not verified, nor the caller's
execute-api:ManageConnections permission; route request and response models, authorizers, API
keys and throttling are not emulated; control frames (pings) do not count as activity; headers reach
the function in lower case; a message too long for one frame is sent as one frame.
"""

from __future__ import annotations

import asyncio
import base64
import dataclasses
import json
import logging
import os
import re
import secrets
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qsl, urlencode

from eckolocal.gateway import (
    REQUEST_TIME_FORMAT,
    HttpAnswer,
    Receive,
    Request,
    Send,
    aws_error,
    value_maps,
)
from eckolocal.template import Template, integration_function
from eckolocal.workers import InvocationError, Workers

log = logging.getLogger("eckolocal.websocket")

FRAME_BYTES = 32 * 1024
MESSAGE_BYTES = 128 * 1024
# uvicorn's sans-I/O WebSocket protocol (websockets) enforces the frame and message limits with
# 1009; API Gateway sends no pings of its own.
SERVER_OPTIONS: dict[str, Any] = {
    "ws": "websockets-sansio",
    "ws_max_size": (MESSAGE_BYTES, FRAME_BYTES),
    "ws_ping_interval": None,
}
GOING_AWAY = (1001, "Going away")
DELETED = (1000, "Connection Closed Normally")
BINARY_REFUSED = (1003, "Binary frames are not supported")
_SELECTION = re.compile(r"\$\{request\.body\.(?P<braced>[^}]+)\}|\$request\.body\.(?P<bare>[\w.]+)")


class _RefusalIsNoError(logging.Filter):
    """uvicorn's sans-I/O WebSocket protocol logs an error when a handshake is answered with an HTTP
    response (the ASGI denial extension) rather than accepted: how `$connect` refuses, no error."""

    def filter(self, record: logging.LogRecord) -> bool:
        return record.getMessage() != "ASGI callable returned without completing handshake."


_REFUSAL_IS_NO_ERROR = _RefusalIsNoError()
_INTERNAL_ERROR = json.dumps({"message": "Internal server error"})


@dataclass(frozen=True)
class WebSocketApi:
    logical_id: str
    api_id: str
    stage: str
    selection_expression: str
    routes: dict[str, str]  # route key -> function logical id
    two_way: frozenset[str]  # route keys with a route response

    def route_for(self, body: str) -> str | None:
        """The route a message takes; None when neither its key nor `$default` has one."""
        key = _evaluate(self.selection_expression, body)
        if key is not None and key in self.routes and key not in ("$connect", "$disconnect"):
            return key
        return "$default" if "$default" in self.routes else None


def _evaluate(expression: str, body: str) -> str | None:
    """A route selection expression on a message: each `$request.body.<path>` replaced by the value
    there (stringified, as API Gateway does); None when the body is not JSON or a path is missing."""
    try:
        document = json.loads(body)
    except ValueError:
        return None
    values = {}
    for match in _SELECTION.finditer(expression):
        values[match[0]] = _value_at(document, match["braced"] or match["bare"])
        if values[match[0]] is None:
            return None
    return _SELECTION.sub(lambda match: str(values[match[0]]), expression)


def _value_at(document: Any, path: str) -> str | None:
    found = document
    for part in path.split("."):
        if not isinstance(found, dict) or part not in found:
            return None
        found = found[part]
    return found if isinstance(found, str) else json.dumps(found)


def websocket_api(template: Template) -> WebSocketApi | None:
    """The template's WebSocket API (in any stack); None when there is none (its module is off)."""
    apis = template.of_type("AWS::ApiGatewayV2::Api")
    found = [lid for lid in apis if template.properties(lid).get("ProtocolType") == "WEBSOCKET"]
    if not found:
        return None
    if len(found) > 1:
        raise ValueError(f"the local stack serves one WebSocket API, not {len(found)}: {', '.join(found)}")
    (logical_id,) = found
    api_id = template.ref(logical_id)

    def parts(kind: str) -> dict[str, dict[str, Any]]:
        props = {lid: template.properties(lid) for lid in template.of_type(kind)}
        return {lid: p for lid, p in props.items() if p.get("ApiId") == api_id}

    integrations = parts("AWS::ApiGatewayV2::Integration")
    uris = {f"integrations/{template.ref(lid)}": str(p.get("IntegrationUri", "")) for lid, p in integrations.items()}
    names = template.function_names()
    routes, keys_by_id = {}, {}
    for lid, props in parts("AWS::ApiGatewayV2::Route").items():
        routes[props["RouteKey"]] = integration_function(uris.get(props.get("Target", ""), ""), names, lid)
        keys_by_id[template.ref(lid)] = props["RouteKey"]
    stages = [props["StageName"] for props in parts("AWS::ApiGatewayV2::Stage").values()]
    if len(stages) != 1:
        raise ValueError(f"{logical_id}: the local stack serves one stage of a WebSocket API, not {len(stages)}")
    return WebSocketApi(
        logical_id=logical_id,
        api_id=api_id,
        stage=stages[0],
        selection_expression=template.properties(logical_id)["RouteSelectionExpression"],
        routes=routes,
        two_way=frozenset(keys_by_id[p["RouteId"]] for p in parts("AWS::ApiGatewayV2::RouteResponse").values()),
    )


def new_id() -> str:
    """An id shaped as API Gateway's connection and request ids (`L0SM9cOFvHcCIhw=`)."""
    return base64.urlsafe_b64encode(secrets.token_bytes(11)).decode()


@dataclass
class Connection:
    id: str
    upgrade: Request  # the handshake: headers, query string, source IP
    send: Send
    connected_at: float = field(default_factory=time.time)
    last_active_at: float = field(default_factory=time.time)
    close_code: int | None = None  # set once, by whoever closes first
    close_reason: str = ""
    sending: asyncio.Lock = field(default_factory=asyncio.Lock)  # fair: frames go out in the order asked

    @property
    def open(self) -> bool:
        return self.close_code is None

    def closed(self, code: int, reason: str) -> None:
        """The client (or the protocol, for a limit) closed it."""
        if self.open:
            self.close_code, self.close_reason = code, reason

    async def deliver(self, data: str | bytes) -> bool:
        """One frame to the client; False when the connection is gone."""
        async with self.sending:
            if not self.open:
                return False
            try:
                await self.send({"type": "websocket.send", "text" if isinstance(data, str) else "bytes": data})
            except OSError:  # the client went away meanwhile
                return False
            self.last_active_at = time.time()
            return True

    async def close(self, code: int, reason: str) -> None:
        async with self.sending:
            if not self.open:
                return
            self.close_code, self.close_reason = code, reason
            try:
                await self.send({"type": "websocket.close", "code": code, "reason": reason})
            except OSError:
                pass  # already gone: the disconnect is on its way


class WebSocketGateway:
    """The ASGI app for WebSocket upgrades, and the @connections API (a gateway service)."""

    def __init__(self, api: WebSocketApi, workers: Workers, *, idle_seconds: float, max_seconds: float) -> None:
        self.api = api
        self.workers = workers
        self.idle_seconds = idle_seconds
        self.max_seconds = max_seconds
        self.connections: dict[str, Connection] = {}  # accepted and open
        self._messages: set[asyncio.Task[None]] = set()
        logging.getLogger("uvicorn.error").addFilter(_REFUSAL_IS_NO_ERROR)

    @classmethod
    def from_environment(cls, api: WebSocketApi, workers: Workers) -> WebSocketGateway:
        return cls(
            api,
            workers,
            idle_seconds=float(os.environ.get("ECKO_WS_IDLE_SECONDS", "600")),
            max_seconds=float(os.environ.get("ECKO_WS_MAX_SECONDS", "7200")),
        )

    # ------------------------------------------------------------------ a connection's life
    async def __call__(self, scope: dict[str, Any], receive: Receive, send: Send) -> None:
        await receive()  # websocket.connect
        upgrade = self._upgrade(scope)
        if upgrade is None:
            await _refuse(send, 403, [], json.dumps({"message": "Forbidden"}))
            return
        connection = Connection(new_id(), upgrade, send)
        status, headers, body = await self._connect(connection)
        if status != 200:
            await _refuse(send, status, headers, body)
            return
        await send({"type": "websocket.accept", "headers": _encoded(headers)})
        self.connections[connection.id] = connection
        expiry = asyncio.create_task(self._expire(connection))
        try:
            await self._receive(connection, receive)
        finally:
            expiry.cancel()
            self.connections.pop(connection.id, None)
            await self._disconnect(connection)

    def _upgrade(self, scope: dict[str, Any]) -> Request | None:
        """The handshake as the function sees it, or None for a path the API does not serve."""
        request = Request.from_scope(scope, b"", new_id())
        if request.path == f"/{self.api.stage}":
            return request
        prefix, _, key = request.path[1:].partition("/")
        if prefix != "app" or not key or "/" in key:
            return None
        query = "&".join(part for part in (request.raw_query, urlencode({"app_key": key})) if part)
        return dataclasses.replace(request, raw_query=query)

    async def _connect(self, connection: Connection) -> tuple[int, list[tuple[str, str]], str]:
        """What `$connect` answered: the status, headers and body of the handshake's answer."""
        if "$connect" not in self.api.routes:
            return 200, [], ""
        event = self._event(connection, "$connect", "CONNECT", connection.upgrade.request_id)
        try:
            result = await self.workers.invoke(
                self.api.routes["$connect"], event, request_id=connection.upgrade.request_id
            )
        except InvocationError as error:
            log.warning("%s failed: %s", self.api.routes["$connect"], error.payload)
            return 500, [], _INTERNAL_ERROR
        if not isinstance(result, dict) or not isinstance(result.get("statusCode"), int):
            return 500, [], _INTERNAL_ERROR
        headers = [(name, str(value)) for name, value in (result.get("headers") or {}).items()]
        return result["statusCode"], headers, str(result.get("body") or "")

    async def _receive(self, connection: Connection, receive: Receive) -> None:
        while True:
            message = await receive()
            if message["type"] == "websocket.disconnect":
                connection.closed(message.get("code", 1005), message.get("reason") or "")
                return
            connection.last_active_at = time.time()
            if message.get("text") is None:
                await connection.close(*BINARY_REFUSED)
                continue
            task = asyncio.create_task(self._message(connection, message["text"]))
            self._messages.add(task)
            task.add_done_callback(self._messages.discard)

    async def _message(self, connection: Connection, body: str) -> None:
        request_id = new_id()
        route = self.api.route_for(body)
        if route is None:
            await connection.deliver(_gateway_message("Forbidden", connection, request_id))
            return
        event = {**self._event(connection, route, "MESSAGE", request_id, with_headers=False), "body": body}
        event["requestContext"]["messageId"] = new_id()
        try:
            result = await self.workers.invoke(self.api.routes[route], event, request_id=request_id)
        except InvocationError as error:
            log.warning("%s failed: %s", self.api.routes[route], error.payload)
            await connection.deliver(_gateway_message("Internal server error", connection, request_id))
            return
        answer = result.get("body") if isinstance(result, dict) else None
        if route in self.api.two_way and answer:
            await connection.deliver(str(answer))

    async def _expire(self, connection: Connection) -> None:
        """Closes the connection once idle too long or at its maximum age, as API Gateway does."""
        while True:
            deadline = min(connection.last_active_at + self.idle_seconds, connection.connected_at + self.max_seconds)
            if time.time() >= deadline:
                await connection.close(*GOING_AWAY)
                return
            await asyncio.sleep(deadline - time.time())

    async def _disconnect(self, connection: Connection) -> None:
        if "$disconnect" not in self.api.routes:
            return
        request_id = new_id()
        event = self._event(connection, "$disconnect", "DISCONNECT", request_id)
        event["requestContext"].update(
            disconnectStatusCode=connection.close_code, disconnectReason=connection.close_reason
        )
        try:
            await self.workers.invoke(self.api.routes["$disconnect"], event, request_id=request_id)
        except InvocationError as error:  # best effort, as on AWS
            log.warning("%s failed: %s", self.api.routes["$disconnect"], error.payload)

    def _event(
        self, connection: Connection, route: str, event_type: str, request_id: str, *, with_headers: bool = True
    ) -> dict[str, Any]:
        upgrade, now = connection.upgrade, datetime.now(UTC)
        context = {
            "routeKey": route,
            "eventType": event_type,
            "extendedRequestId": request_id,
            "requestTime": now.strftime(REQUEST_TIME_FORMAT),
            "messageDirection": "IN",
            "stage": self.api.stage,
            "connectedAt": int(connection.connected_at * 1000),
            "requestTimeEpoch": int(now.timestamp() * 1000),
            "identity": {"sourceIp": upgrade.source_ip, "userAgent": upgrade.header("user-agent")},
            "requestId": request_id,
            "domainName": upgrade.header("host") or "127.0.0.1",
            "connectionId": connection.id,
            "apiId": self.api.api_id,
        }
        event: dict[str, Any] = {"requestContext": context, "isBase64Encoded": False}
        if with_headers:
            headers, multi_headers = value_maps(upgrade.headers)
            query, multi_query = value_maps(parse_qsl(upgrade.raw_query, keep_blank_values=True))
            event.update(
                headers=headers,
                multiValueHeaders=multi_headers,
                queryStringParameters=query,
                multiValueQueryStringParameters=multi_query,
            )
        return event

    # ------------------------------------------------------------------ the @connections API
    async def connections_api(self, request: Request) -> HttpAnswer | None:
        prefix = f"/{self.api.stage}/@connections/"
        if not request.path.startswith(prefix):
            return None
        if not (request.header("authorization") or "").startswith("AWS4-HMAC-SHA256 "):
            return aws_error(request, 403, "ForbiddenException", "Forbidden")
        if request.method == "POST" and len(request.body) > MESSAGE_BYTES:
            return aws_error(request, 413, "PayloadTooLargeException", "Message too long")
        connection = self.connections.get(request.path.removeprefix(prefix))
        if connection is None or not connection.open:
            return aws_error(request, 410, "GoneException", "")
        if request.method == "POST":
            delivered = await connection.deliver(_frame(request.body))
            return _empty(request, 200) if delivered else aws_error(request, 410, "GoneException", "")
        if request.method == "GET":
            return _description(request, connection)
        if request.method == "DELETE":
            await connection.close(*DELETED)
            self.connections.pop(connection.id, None)
            return _empty(request, 204)
        return aws_error(request, 403, "ForbiddenException", "Forbidden")


def _frame(data: bytes) -> str | bytes:
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data


def _gateway_message(message: str, connection: Connection, request_id: str) -> str:
    """What API Gateway itself sends a client when a message finds no route or its function fails."""
    return json.dumps({"message": message, "connectionId": connection.id, "requestId": request_id})


def _description(request: Request, connection: Connection) -> HttpAnswer:
    """GetConnection's answer (the wire names are camelCase; botocore reads them as ConnectedAt...)."""
    body = {
        "connectedAt": _iso8601(connection.connected_at),
        "identity": {
            "sourceIp": connection.upgrade.source_ip,
            "userAgent": connection.upgrade.header("user-agent") or "",
        },
        "lastActiveAt": _iso8601(connection.last_active_at),
    }
    headers = [("Content-Type", "application/json"), ("x-amzn-RequestId", request.request_id)]
    return HttpAnswer(200, headers, json.dumps(body).encode())


def _empty(request: Request, status: int) -> HttpAnswer:
    return HttpAnswer(status, [("x-amzn-RequestId", request.request_id)], b"")


def _iso8601(timestamp: float) -> str:
    return datetime.fromtimestamp(timestamp, UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _encoded(headers: list[tuple[str, str]]) -> list[tuple[bytes, bytes]]:
    return [(name.encode("latin-1"), value.encode("latin-1")) for name, value in headers]


async def _refuse(send: Send, status: int, headers: list[tuple[str, str]], body: str) -> None:
    """Answers the handshake with an HTTP status instead of upgrading."""
    await send({"type": "websocket.http.response.start", "status": status, "headers": _encoded(headers)})
    await send({"type": "websocket.http.response.body", "body": body.encode()})
