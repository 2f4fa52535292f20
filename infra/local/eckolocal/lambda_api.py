"""The local Lambda Invoke API, on the gateway's port, so functions can invoke functions.

`POST /2015-03-31/functions/{FunctionName}/invocations`, as botocore's `lambda` client sends it:
the function is named by its deployed name (`eckospace-dev-RealtimeWelcome`), with or without a
qualifier (`:live`), or by its ARN. `X-Amz-Invocation-Type: Event` answers 202 at once and runs
the function in the background; `RequestResponse` (the default) answers 200 with what it returned,
with `X-Amz-Function-Error: Unhandled` when it failed; `DryRun` answers 204. An unknown function is
404 `ResourceNotFoundException`. Workers reach it through `AWS_ENDPOINT_URL_LAMBDA`.

Where it differs from Lambda: every qualifier names the one local version; an Event invocation
that fails is logged, not retried (Lambda tries twice more) nor sent to a destination; payload
sizes are not limited.
"""

from __future__ import annotations

import asyncio
import json
import logging
import re
from typing import Any

from eckolocal.gateway import HttpAnswer, Request, aws_error
from eckolocal.workers import InvocationError, Workers

log = logging.getLogger("eckolocal.lambda")

_INVOKE_PATH = re.compile(r"^/2015-03-31/functions/(?P<function>[^/]+)/invocations$")
# `name`, `name:qualifier`, `arn:aws:lambda:<region>:<account>:function:name[:qualifier]`.
_FUNCTION = re.compile(r"^(?:arn:[^:]+:lambda:[^:]*:[^:]*:function:)?(?P<name>[^:]+)(?::[^:]+)?$")


class LambdaApi:
    """Serves Invoke for the functions of the template, through their workers."""

    def __init__(self, workers: Workers, function_names: dict[str, str]) -> None:
        """`function_names`: deployed name -> logical id (`Template.function_names`)."""
        self.workers = workers
        self.function_names = function_names
        self._background: set[asyncio.Task[None]] = set()

    async def __call__(self, request: Request) -> HttpAnswer | None:
        found = _INVOKE_PATH.match(request.path)
        if found is None or request.method != "POST":
            return None
        named = _FUNCTION.match(found["function"])
        logical_id = self.function_names.get(named["name"]) if named else None
        if logical_id is None:
            return aws_error(request, 404, "ResourceNotFoundException", f"Function not found: {found['function']}")
        try:
            event = json.loads(request.body or b"{}")
        except ValueError:
            return aws_error(request, 400, "InvalidRequestContentException", "Could not parse request body into json")
        invocation_type = request.header("x-amz-invocation-type") or "RequestResponse"
        if invocation_type == "Event":
            task = asyncio.create_task(self._run_in_background(logical_id, event, request.request_id))
            self._background.add(task)
            task.add_done_callback(self._background.discard)
            return _answer(request, 202, b"")
        if invocation_type == "DryRun":
            return _answer(request, 204, b"")
        try:
            result = await self.workers.invoke(logical_id, event, request_id=request.request_id)
        except InvocationError as error:
            return _answer(request, 200, json.dumps(error.payload).encode(), [("X-Amz-Function-Error", "Unhandled")])
        return _answer(request, 200, json.dumps(result, default=str).encode())

    async def _run_in_background(self, logical_id: str, event: Any, request_id: str) -> None:
        try:
            await self.workers.invoke(logical_id, event, request_id=request_id)
        except InvocationError as error:
            log.warning("%s failed (invoked asynchronously): %s", logical_id, error.payload)


def _answer(request: Request, status: int, body: bytes, extra: list[tuple[str, str]] | None = None) -> HttpAnswer:
    headers = [
        ("Content-Type", "application/json"),
        ("x-amzn-RequestId", request.request_id),
        ("X-Amz-Executed-Version", "$LATEST"),
        *(extra or []),
    ]
    return HttpAnswer(status, headers, body)
