"""The resolver every API function is built on, and the Lambda entry point around it.

`make_resolver()` gives a Powertools `APIGatewayRestResolver` with scope checks and request
validation on every route and every domain error mapped, in this one place, to RFC 9457
problem+json (`eckospace.http.problems`).
`entrypoint(app)` is the function's `lambda_handler`: it tags logs with the API Gateway request id,
turns anything that escaped into a 500 problem (never a stack trace) and counts every 500 it answers
(the function's rollback alarm watches them), and puts `X-Request-Id` on every response.
"""

from __future__ import annotations

import functools
import importlib
import inspect
import json
from typing import TYPE_CHECKING, Any, cast

from aws_lambda_powertools.event_handler import APIGatewayRestResolver, Response

from eckospace import aws
from eckospace.errors import DomainError, Fault, NotFound, Unavailable
from eckospace.http.auth import enforce_route_scopes
from eckospace.http.problems import PROBLEM_CONTENT_TYPE, Problem, problem_for
from eckospace.http.validation import openapi_signature, validated_arguments
from eckospace.observability import logger, record_fault

if TYPE_CHECKING:
    from collections.abc import Callable

    from aws_lambda_powertools.event_handler.openapi.types import OpenAPIResponseContentModel
    from aws_lambda_powertools.utilities.typing import LambdaContext

REQUEST_ID_HEADER = "X-Request-Id"

_PROBLEM_CONTENT = {PROBLEM_CONTENT_TYPE: {"schema": {"$ref": "#/components/schemas/Problem"}}}
# Error answers every authenticated route can give, for the OpenAPI document.
PROBLEM_RESPONSES = {
    400: {"description": "Invalid request", "content": _PROBLEM_CONTENT},
    401: {"description": "Missing, invalid or expired bearer token", "content": _PROBLEM_CONTENT},
    403: {"description": "Missing API key, or the token lacks a required scope", "content": _PROBLEM_CONTENT},
    429: {"description": "Rate limit or quota exceeded; see Retry-After", "content": _PROBLEM_CONTENT},
}


def with_request_body(route_options: dict[str, Any], content: dict[str, Any]) -> dict[str, Any]:
    """Route options that also describe a body the route reads by hand (streamed, form-encoded),
    which OpenAPI cannot learn from the function's signature: `**with_request_body(requires(...), {
    "multipart/form-data": {"schema": ...}})`."""
    extensions = {**route_options.get("openapi_extensions", {}), "requestBody": {"required": True, "content": content}}
    return {**route_options, "openapi_extensions": extensions}


def _compact_json(value: Any) -> str:
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False, default=str)


def json_response(body: Any, *, status: int = 200, headers: dict[str, str] | None = None) -> Response[str]:
    return Response(
        status_code=status, content_type="application/json", body=_compact_json(body), headers=headers or {}
    )


def problem_response(problem: Problem, *, instance: str | None, request_id: str | None) -> Response[str]:
    return Response(
        status_code=problem.status,
        content_type=PROBLEM_CONTENT_TYPE,
        body=_compact_json(problem.body(instance=instance, request_id=request_id)),
        headers=dict(problem.headers),
    )


_TRANSIENT_ERROR_CODES = frozenset(
    {
        "ProvisionedThroughputExceededException",
        "ThrottlingException",
        "Throttling",
        "RequestLimitExceeded",
        "ServiceUnavailable",
        "InternalServerError",
        "InternalFailure",
        "SlowDown",
        "RequestThrottled",
        "TransactionInProgressException",
    }
)


def is_transient_backend_error(exc: Exception) -> bool:
    """A throttled, busy or unreachable AWS backend (after botocore's own retries): worth a retry
    by the client, so 503 rather than 500. Duck-typed to keep botocore out of import time."""
    code = (getattr(exc, "response", None) or {}).get("Error", {}).get("Code")
    if code in _TRANSIENT_ERROR_CODES:
        return True
    return type(exc).__name__ in {
        "EndpointConnectionError",
        "ConnectTimeoutError",
        "ReadTimeoutError",
        "ConnectionClosedError",
        "TimeBudgetSpent",
    }


class GuardedRoute:
    """A route function behind its guard: the caller's scopes (as the route's `security` declares
    them) are checked, then its inputs validated, before the function runs. A wrapper rather than a
    middleware, because Powertools' middleware chain alone costs more per request than routing.

    It presents the function's name and, lazily, its signature, so the OpenAPI document describes
    the function; building that signature loads Powertools' OpenAPI models, which only the
    document generator ever needs."""

    def __init__(self, app: APIGatewayRestResolver, func: Callable[..., Any], rule: str) -> None:
        functools.update_wrapper(self, func)
        self._app = app
        self._func = func
        self._rule = rule

    @functools.cached_property
    def __signature__(self) -> inspect.Signature:
        return openapi_signature(self._func)

    def __call__(self, **path_args: Any) -> Any:
        app = self._app
        enforce_route_scopes(app)
        return self._func(**validated_arguments(self._func, self._rule, app.current_event.raw_event, path_args))


class GuardedResolver(APIGatewayRestResolver):
    """A REST resolver whose every route is a `GuardedRoute`.

    Response models in a route's `responses` may be named as "module:Class" strings: they are
    imported only when the OpenAPI document is generated, never on a cold start."""

    def get_openapi_schema(self, **kwargs: Any) -> Any:
        for route in self._static_routes + self._dynamic_routes:
            for response in (route.responses or {}).values():
                for content in (response.get("content") or {}).values():
                    model = content.get("model")
                    if isinstance(model, str):
                        # A content naming a model is Powertools' OpenAPIResponseContentModel; mypy cannot
                        # narrow the TypedDict union by key.
                        cast("OpenAPIResponseContentModel", content)["model"] = _import_model(model)
        return super().get_openapi_schema(**kwargs)

    def route(self, rule: str, method: Any, *args: Any, **kwargs: Any) -> Callable[[Any], Any]:
        register = super().route(rule, method, *args, **kwargs)

        def register_guarded(func: Callable[..., Any]) -> Callable[..., Any]:
            register(GuardedRoute(self, func, rule))
            return func

        return register_guarded


def _import_model(reference: str) -> Any:
    module, _, name = reference.partition(":")
    return getattr(importlib.import_module(module), name)


def make_resolver() -> APIGatewayRestResolver:
    app = GuardedResolver(serializer=_compact_json)

    def request_id() -> str | None:
        return app.current_event.request_context.request_id

    # Registered by call rather than as decorators: Powertools leaves exception_handler unannotated,
    # which would make the handlers untyped.
    def render_error(error: DomainError) -> Response[str]:
        problem = problem_for(error)
        if problem.status >= 500:
            logger().exception("request failed", extra={"problem": error.slug})
        return problem_response(problem, instance=app.current_event.path, request_id=request_id())

    def render_fault(exc: Exception) -> Response[str]:
        logger().exception("unhandled error")
        error = (
            Unavailable("A backend is busy or unreachable; retry with backoff.", retry_after=1)
            if is_transient_backend_error(exc)
            else Fault()
        )
        return problem_response(problem_for(error), instance=app.current_event.path, request_id=request_id())

    app.exception_handler(DomainError)(render_error)
    app.exception_handler(Exception)(render_fault)

    @app.not_found
    def render_not_found(_: Exception) -> Response[str]:
        return render_error(NotFound("No route matches this method and path."))

    return app


def _set_header(response: dict[str, Any], name: str, value: str) -> None:
    if "multiValueHeaders" in response:
        response["multiValueHeaders"][name] = [value]
    else:
        response.setdefault("headers", {})[name] = value


def entrypoint(app: APIGatewayRestResolver) -> Callable[[dict[str, Any], LambdaContext], dict[str, Any]]:
    """The `lambda_handler` for a function whose routes live on `app`."""
    log = logger()
    aws.use_request_timeouts()

    def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
        request_id = (event.get("requestContext") or {}).get("requestId") or context.aws_request_id
        log.set_correlation_id(request_id)
        remaining_ms = getattr(context, "get_remaining_time_in_millis", None)
        if remaining_ms is not None:
            aws.start_budget(remaining_ms())
        try:
            response = app.resolve(event, context)
        except Exception:  # a fault outside any route: still a problem document, never a trace
            log.exception("unhandled error outside the route")
            response = {
                "statusCode": 500,
                "multiValueHeaders": {"Content-Type": [PROBLEM_CONTENT_TYPE]},
                "body": _compact_json(problem_for(Fault()).body(instance=event.get("path"), request_id=request_id)),
                "isBase64Encoded": False,
            }
        finally:
            aws.end_budget()
        if response.get("statusCode") == 500:
            record_fault()
        _set_header(response, REQUEST_ID_HEADER, request_id)
        return response

    return lambda_handler
