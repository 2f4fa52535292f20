"""The local API Gateway: an ASGI app that does what a REST API stage does.

For each request: match a route from the template (unknown method or path -> the gateway's 403),
run the route's Lambda TOKEN authorizer (answers cached per token for the authorizer's TTL), check
the API key and its usage plan's throttle and quota, build a REST proxy event (v1 payload: single
and multi-value headers and query strings, path parameters, stage, request id, authorizer context,
base64 bodies for binary media types) and hand it to the function's worker. Gateway-made answers
use the template's GatewayResponses, so they look locally as they do on AWS.

The same port serves other AWS front doors the functions call, ahead of the routes (`services`:
the Lambda Invoke API, the WebSocket API's @connections API), and WebSocket upgrades (`websocket`,
see `eckolocal.websocket_api`; refused with 403 when the template has no WebSocket API).
"""

from __future__ import annotations

import asyncio
import base64
import fnmatch
import hashlib
import json
import logging
import re
import time
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qsl

from eckolocal.template import REGION, Route
from eckolocal.usage import BackendUnavailable, KeyDirectory, RateLimiter
from eckolocal.workers import InvocationError, Workers

log = logging.getLogger("eckolocal.gateway")

API_ID = "local"
MAX_PAYLOAD_BYTES = 10 * 1024 * 1024  # API Gateway's request payload limit

REQUEST_TIME_FORMAT = "%d/%b/%Y:%H:%M:%S +0000"  # requestContext.requestTime

Send = Callable[[dict[str, Any]], Awaitable[None]]
Receive = Callable[[], Awaitable[dict[str, Any]]]
AsgiApp = Callable[[dict[str, Any], Receive, Send], Awaitable[None]]

_DEFAULT_MESSAGES = {
    "UNAUTHORIZED": (401, "Unauthorized"),
    "ACCESS_DENIED": (403, "User is not authorized to access this resource with an explicit deny"),
    "INVALID_API_KEY": (403, "Forbidden"),
    "MISSING_AUTHENTICATION_TOKEN": (403, "Missing Authentication Token"),
    "THROTTLED": (429, "Too Many Requests"),
    "QUOTA_EXCEEDED": (429, "Limit Exceeded"),
    "REQUEST_TOO_LARGE": (413, "Request Too Long"),
    "AUTHORIZER_FAILURE": (500, "Internal server error"),
    "INTEGRATION_FAILURE": (502, "Internal server error"),
    "INTEGRATION_TIMEOUT": (504, "Endpoint request timed out"),
}


@dataclass
class HttpAnswer:
    status: int
    headers: list[tuple[str, str]]
    body: bytes


@dataclass
class Request:
    method: str
    path: str
    raw_query: str
    headers: list[tuple[str, str]]
    body: bytes
    source_ip: str
    request_id: str

    @classmethod
    def from_scope(cls, scope: dict[str, Any], body: bytes, request_id: str) -> Request:
        """An ASGI `http` or `websocket` scope (a WebSocket upgrade is a GET)."""
        client = scope.get("client") or ("127.0.0.1", 0)
        return cls(
            method=scope.get("method", "GET"),
            path=scope["path"],
            raw_query=scope.get("query_string", b"").decode("latin-1"),
            headers=[(k.decode("latin-1").lower(), v.decode("latin-1")) for k, v in scope["headers"]],
            body=body,
            source_ip=client[0],
            request_id=request_id,
        )

    def header(self, name: str) -> str | None:
        name = name.lower()
        for key, value in reversed(self.headers):
            if key == name:
                return value
        return None


# Another AWS service's API served on the gateway's port: its answer, or None for a request it does not serve.
LocalService = Callable[[Request], Awaitable[HttpAnswer | None]]


class Gateway:
    def __init__(
        self,
        *,
        routes: list[Route],
        api: dict[str, Any],
        workers: Workers,
        keys: KeyDirectory,
        limiter: RateLimiter | None = None,
        local_routes: dict[str, Callable[[Request], Awaitable[HttpAnswer]]] | None = None,
        services: list[LocalService] | None = None,
        websocket: AsgiApp | None = None,
    ) -> None:
        """`services` are other AWS front doors served on this port (each answers its own paths,
        None for the rest); `websocket` serves WebSocket upgrades, which are refused without it."""
        self.routes = routes
        self.stage = api.get("StageName", "v1")
        self.binary_types = [t.replace("~1", "/") for t in api.get("BinaryMediaTypes", [])]
        self.gateway_responses = api.get("GatewayResponses", {})
        self.authorizers = api.get("Auth", {}).get("Authorizers", {})
        self.workers = workers
        self.keys = keys
        self.limiter = limiter or RateLimiter()
        self.local_routes = local_routes or {}
        self.services = services or []
        self.websocket = websocket
        self.backend_ready = True  # False while the local AWS backend is being restarted
        self._auth_cache: dict[tuple[str, str], tuple[float, dict[str, Any]]] = {}

    # ------------------------------------------------------------------ ASGI
    async def __call__(self, scope: dict[str, Any], receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            await self._lifespan(receive, send)
            return
        if scope["type"] == "websocket":
            await (self.websocket or _refuse_websocket)(scope, receive, send)
            return
        request_id = str(uuid.uuid4())
        body = bytearray()
        too_large = False
        while True:
            message = await receive()
            body.extend(message.get("body", b""))
            if len(body) > MAX_PAYLOAD_BYTES:
                too_large = True
            if not message.get("more_body"):
                break
        request = Request.from_scope(scope, bytes(body), request_id)
        answer = self.gateway_response("REQUEST_TOO_LARGE", request) if too_large else await self.handle(request)
        headers = [(k.encode("latin-1"), v.encode("latin-1")) for k, v in answer.headers]
        await send({"type": "http.response.start", "status": answer.status, "headers": headers})
        await send({"type": "http.response.body", "body": answer.body})

    async def _lifespan(self, receive: Receive, send: Send) -> None:
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                self.workers.start_reaper()
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                await send({"type": "lifespan.shutdown.complete"})
                return

    # ------------------------------------------------------------------ pipeline
    def match(self, method: str, path: str) -> tuple[Route, dict[str, str]] | None:
        for route in self.routes:
            params = route.match(method, path)
            if params is not None:
                return route, params
        return None

    async def handle(self, request: Request) -> HttpAnswer:
        local = self.local_routes.get(request.path)
        if local is not None and request.method in ("GET", "HEAD"):
            return await local(request)
        for service in self.services:
            answer = await service(request)
            if answer is not None:
                return answer
        if not self.backend_ready:
            return backend_unavailable(request)
        matched = self.match(request.method, request.path)
        if matched is None:
            return self.gateway_response("MISSING_AUTHENTICATION_TOKEN", request)
        route, path_params = matched
        authorizer_context: dict[str, Any] = {}
        if route.authorizer:
            outcome = await self.authorize(route, request)
            if isinstance(outcome, HttpAnswer):
                return outcome
            authorizer_context = outcome
        api_key_value = request.header("x-api-key")
        api_key_id = None
        if route.api_key_required:
            grant = self.keys.cached(api_key_value) if api_key_value else None
            if grant is False:
                try:
                    grant = await asyncio.to_thread(self.keys.lookup, api_key_value)
                except BackendUnavailable:
                    return backend_unavailable(request)
            if grant is None:
                return self.gateway_response("INVALID_API_KEY", request)
            limited = self.limiter.check(grant)
            if limited is not None:
                response_type, retry_after = limited
                return self.gateway_response(response_type, request, retry_after=retry_after)
            api_key_id = grant.key_id
        event = self.proxy_event(request, route, path_params, authorizer_context, api_key_value, api_key_id)
        try:
            result = await self.workers.invoke(route.function, event, request_id=request.request_id)
        except InvocationError as error:
            log.warning("%s failed: %s", route.function, error.payload)  # API Gateway's execution log says as much
            timed_out = error.payload.get("errorType") == "Sandbox.Timedout"
            return self.gateway_response("INTEGRATION_TIMEOUT" if timed_out else "INTEGRATION_FAILURE", request)
        return self.proxy_answer(result, request)

    async def authorize(self, route: Route, request: Request) -> dict[str, Any] | HttpAnswer:
        config = self.authorizers[route.authorizer]
        identity = config.get("Identity", {})
        token = request.header(identity.get("Header", "Authorization"))
        if not token:
            return self.gateway_response("UNAUTHORIZED", request)
        ttl = int(identity.get("ReauthorizeEvery", 300))
        cache_key = (route.authorizer, token)
        cached = self._auth_cache.get(cache_key)
        now = time.monotonic()
        if cached and cached[0] > now:
            policy = cached[1]
        else:
            event = {"type": "TOKEN", "authorizationToken": token, "methodArn": self.method_arn(route, request)}
            try:
                policy = await self.workers.invoke(config["Function"], event)
            except InvocationError as error:
                if error.payload.get("errorMessage") == "Unauthorized":
                    return self.gateway_response("UNAUTHORIZED", request)
                return self.gateway_response("AUTHORIZER_FAILURE", request)
            if ttl > 0:
                if len(self._auth_cache) > 10_000:
                    self._auth_cache.clear()
                self._auth_cache[cache_key] = (now + ttl, policy)
        if not _policy_allows(policy, self.method_arn(route, request)):
            return self.gateway_response("ACCESS_DENIED", request)
        context = {k: v for k, v in (policy.get("context") or {}).items() if v is not None}
        return {"principalId": policy.get("principalId"), **context, "integrationLatency": 0}

    def method_arn(self, route: Route, request: Request) -> str:
        return f"arn:aws:execute-api:{REGION}:123456789012:{API_ID}/{self.stage}/{request.method}{request.path}"

    # ------------------------------------------------------------------ event and answer
    def _is_binary(self, content_type: str | None) -> bool:
        if not content_type:
            return False
        media_type = content_type.split(";")[0].strip().lower()
        return any(fnmatch.fnmatch(media_type, pattern.lower()) for pattern in self.binary_types)

    def proxy_event(
        self,
        request: Request,
        route: Route,
        path_params: dict[str, str],
        authorizer: dict[str, Any],
        api_key: str | None,
        api_key_id: str | None,
    ) -> dict[str, Any]:
        headers, multi_headers = value_maps(request.headers)
        query, multi_query = value_maps(parse_qsl(request.raw_query, keep_blank_values=True))
        body: str | None = None
        is_base64 = False
        if request.body:
            if self._is_binary(request.header("content-type")):
                body, is_base64 = base64.b64encode(request.body).decode(), True
            else:
                try:
                    body = request.body.decode("utf-8")
                except UnicodeDecodeError:
                    body, is_base64 = base64.b64encode(request.body).decode(), True
        now = datetime.now(UTC)
        host = request.header("host") or "127.0.0.1"
        return {
            "resource": route.path,
            "path": request.path,
            "httpMethod": request.method,
            "headers": headers,
            "multiValueHeaders": multi_headers,
            "queryStringParameters": query,
            "multiValueQueryStringParameters": multi_query,
            "pathParameters": path_params or None,
            "stageVariables": None,
            "requestContext": {
                "resourceId": hashlib.sha1(route.path.encode()).hexdigest()[:6],
                "resourcePath": route.path,
                "httpMethod": request.method,
                "extendedRequestId": request.request_id,
                "requestTime": now.strftime(REQUEST_TIME_FORMAT),
                "path": f"/{self.stage}{request.path}",
                "accountId": "123456789012",
                "protocol": "HTTP/1.1",
                "stage": self.stage,
                "domainPrefix": host.split(".")[0],
                "requestTimeEpoch": int(now.timestamp() * 1000),
                "requestId": request.request_id,
                "identity": {
                    "cognitoIdentityPoolId": None,
                    "accountId": None,
                    "cognitoIdentityId": None,
                    "caller": None,
                    "sourceIp": request.source_ip,
                    "principalOrgId": None,
                    "accessKey": None,
                    "cognitoAuthenticationType": None,
                    "cognitoAuthenticationProvider": None,
                    "userArn": None,
                    "userAgent": request.header("user-agent"),
                    "user": None,
                    "apiKey": api_key,
                    "apiKeyId": api_key_id,
                },
                "domainName": host,
                "apiId": API_ID,
                "authorizer": authorizer or None,
            },
            "body": body,
            "isBase64Encoded": is_base64,
        }

    def proxy_answer(self, result: Any, request: Request) -> HttpAnswer:
        if not isinstance(result, dict) or not isinstance(result.get("statusCode"), int):
            return self.gateway_response("INTEGRATION_FAILURE", request)
        headers: list[tuple[str, str]] = []
        for key, values in (result.get("multiValueHeaders") or {}).items():
            headers.extend((key, str(v)) for v in values)
        seen = {k.lower() for k, _ in headers}
        for key, value in (result.get("headers") or {}).items():
            if key.lower() not in seen:
                headers.append((key, str(value)))
        body = result.get("body") or ""
        raw = base64.b64decode(body) if result.get("isBase64Encoded") else str(body).encode()
        if "x-amzn-requestid" not in seen:
            headers.append(("x-amzn-RequestId", request.request_id))
        if not any(k.lower() == "content-type" for k, _ in headers):
            headers.append(("Content-Type", "application/json"))
        return HttpAnswer(result["statusCode"], headers, raw)

    def gateway_response(self, response_type: str, request: Request, *, retry_after: int | None = None) -> HttpAnswer:
        status, message = _DEFAULT_MESSAGES[response_type]
        family = "DEFAULT_5XX" if status >= 500 else "DEFAULT_4XX"
        configured = self.gateway_responses.get(response_type) or self.gateway_responses.get(family) or {}
        status = int(configured.get("StatusCode", status))
        variables = {
            "$context.requestId": request.request_id,
            "$context.error.messageString": json.dumps(message),
            "$context.error.message": message,
            "$context.error.responseType": response_type,
        }
        template = (configured.get("ResponseTemplates") or {}).get("application/json")
        if template:
            body = re.sub(r"\$context\.[A-Za-z.]+", lambda m: variables.get(m.group(0), ""), template)
            content_type = "application/json"
        else:
            body, content_type = json.dumps({"message": message}), "application/json"
        headers = {
            "Content-Type": content_type,
            "x-amzn-RequestId": request.request_id,
            "x-amzn-ErrorType": _error_type(response_type),
        }
        for name, value in (configured.get("ResponseParameters", {}).get("Headers") or {}).items():
            if value.startswith("'") and value.endswith("'"):
                headers[name] = value[1:-1]  # a configured header overrides the default (Content-Type)
            elif value == "context.requestId":
                headers[name] = request.request_id
        if retry_after is not None:
            # API Gateway can only send a fixed Retry-After; locally the exact wait is known.
            headers["Retry-After"] = str(retry_after)
        return HttpAnswer(status, list(headers.items()), body.encode())


def value_maps(pairs: list[tuple[str, str]]) -> tuple[dict[str, str] | None, dict[str, list[str]] | None]:
    """Headers or query parameters as a proxy event holds them: the last value of each, and all of
    them; None for none (as API Gateway sends)."""
    multi: dict[str, list[str]] = {}
    for key, value in pairs:
        multi.setdefault(key, []).append(value)
    return {key: values[-1] for key, values in multi.items()} or None, multi or None


def aws_error(request: Request, status: int, error_type: str, message: str) -> HttpAnswer:
    """An AWS service's JSON error, as botocore's REST-JSON parser reads it (`x-amzn-ErrorType`)."""
    headers = [
        ("Content-Type", "application/json"),
        ("x-amzn-ErrorType", error_type),
        ("x-amzn-RequestId", request.request_id),
    ]
    return HttpAnswer(status, headers, json.dumps({"message": message}).encode())


async def _refuse_websocket(scope: dict[str, Any], receive: Receive, send: Send) -> None:
    """No WebSocket API here: the upgrade is refused (403)."""
    await receive()
    await send({"type": "websocket.close"})


def backend_unavailable(request: Request) -> HttpAnswer:
    """The local stack's own answer while its AWS backend is away (the emulator restarting, say)."""
    body = {
        "type": "urn:eckospace:problem:service-unavailable",
        "title": "Service Unavailable",
        "status": 503,
        "detail": "The local AWS backend does not answer; it is being restarted. Retry shortly.",
        "request_id": request.request_id,
    }
    headers = [("Content-Type", "application/problem+json"), ("Retry-After", "1"), ("X-Request-Id", request.request_id)]
    return HttpAnswer(503, headers, json.dumps(body).encode())


def _error_type(response_type: str) -> str:
    return {
        "UNAUTHORIZED": "UnauthorizedException",
        "ACCESS_DENIED": "AccessDeniedException",
        "INVALID_API_KEY": "ForbiddenException",
        "MISSING_AUTHENTICATION_TOKEN": "MissingAuthenticationTokenException",
        "THROTTLED": "TooManyRequestsException",
        "QUOTA_EXCEEDED": "LimitExceededException",
        "REQUEST_TOO_LARGE": "RequestTooLargeException",
    }.get(response_type, "InternalServerErrorException")


def _policy_allows(policy: Any, method_arn: str) -> bool:
    """Explicit Deny wins, then any Allow whose resource pattern matches the method ARN."""
    try:
        statements = policy["policyDocument"]["Statement"]
    except (KeyError, TypeError):
        return False
    allowed = False
    for statement in statements if isinstance(statements, list) else [statements]:
        resources = statement.get("Resource", [])
        resources = resources if isinstance(resources, list) else [resources]
        if any(fnmatch.fnmatchcase(method_arn, pattern) for pattern in resources):
            if statement.get("Effect") == "Deny":
                return False
            allowed = allowed or statement.get("Effect") == "Allow"
    return allowed
