"""The inside of one function's worker process: a small Lambda-like runtime.

Started by `eckolocal.workers` with the function's own environment and `PYTHONPATH` (its code
directory, then its layers, as /var/task and /opt/python are on Lambda). It imports the handler
once (the cold start), then answers invocations read as JSON lines on stdin. Answers go out on the
original stdout, which is kept for the protocol; anything the function prints goes to stderr.
"""

from __future__ import annotations

import importlib
import json
import os
import sys
import time
import traceback
import uuid
from typing import Any


class LambdaContext:
    def __init__(self, request_id: str, deadline_ms: int) -> None:
        self.aws_request_id = request_id
        self.function_name = os.environ["AWS_LAMBDA_FUNCTION_NAME"]
        self.function_version = "$LATEST"
        self.memory_limit_in_mb = int(os.environ.get("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "128"))
        self.invoked_function_arn = (
            f"arn:aws:lambda:{os.environ.get('AWS_REGION', 'us-east-1')}:123456789012:function:{self.function_name}"
        )
        self.log_group_name = f"/aws/lambda/{self.function_name}"
        self.log_stream_name = "local"
        self._deadline_ms = deadline_ms

    def get_remaining_time_in_millis(self) -> int:
        return max(0, self._deadline_ms - int(time.time() * 1000))


def _error(exc: BaseException) -> dict[str, Any]:
    return {"errorMessage": str(exc), "errorType": type(exc).__name__, "stackTrace": traceback.format_exception(exc)}


def main() -> None:
    protocol = os.fdopen(os.dup(1), "w", buffering=1)
    os.dup2(2, 1)  # the function's prints and logs go to stderr
    sys.stdout = sys.stderr
    started = time.perf_counter()
    module_name, _, function_name = os.environ["_HANDLER"].rpartition(".")
    try:
        handler = getattr(importlib.import_module(module_name), function_name)
    except Exception as exc:  # an init error is reported on every invocation, as on Lambda
        init_error: dict[str, Any] | None = _error(exc)
        handler = None
    else:
        init_error = None
    protocol.write(
        json.dumps({"ready": True, "init_ms": (time.perf_counter() - started) * 1000, "init_error": init_error}) + "\n"
    )
    for line in sys.stdin:
        request = json.loads(line)
        context = LambdaContext(request.get("request_id") or str(uuid.uuid4()), request["deadline_ms"])
        if handler is None:
            answer: dict[str, Any] = {"error": init_error}
        else:
            try:
                answer = {"result": handler(request["event"], context)}
            except Exception as exc:
                traceback.print_exc()
                answer = {"error": _error(exc)}
        try:
            protocol.write(json.dumps(answer, default=str) + "\n")
        except (TypeError, ValueError) as exc:
            protocol.write(json.dumps({"error": _error(exc)}) + "\n")


if __name__ == "__main__":
    main()
