"""Handlers invoked in-process the way API Gateway's REST proxy integration calls them.

`rest_event` builds the event a REST API stage sends (single and multi-value query strings and
headers, the resource and its path parameters, the authorizer's context, base64 for binary
bodies); `invoke` hands it to a handler and reads the answer as API Gateway would (`Answer`).
"""

from __future__ import annotations

import base64
import json
import re
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from requests.structures import CaseInsensitiveDict
from urllib3.filepost import encode_multipart_formdata

STAGE = "v1"
HOST = "api.example.test"
REQUEST_ID = "req-test-1"

Values = str | Sequence[str]
Handler = Callable[[dict[str, Any], Any], dict[str, Any]]


class Context:
    """The Lambda context a handler is given."""

    aws_request_id = "ctx-request-id"
    function_name = "test"
    memory_limit_in_mb = 512
    invoked_function_arn = "arn:aws:lambda:us-east-1:123456789012:function:test"

    def get_remaining_time_in_millis(self) -> int:
        return 10_000


def _multi(values: Mapping[str, Values] | None) -> dict[str, list[str]]:
    return {name: [value] if isinstance(value, str) else list(value) for name, value in (values or {}).items()}


def _path_parameters(resource: str, path: str) -> dict[str, str] | None:
    pattern = re.sub(r"\\\{(\w+)\\\}", r"(?P<\1>[^/]+)", re.escape(resource))
    found = re.fullmatch(pattern, path)
    assert found is not None, f"{path} is not a path of {resource}"
    return found.groupdict() or None


def rest_event(
    method: str,
    path: str,
    *,
    query: Mapping[str, Values] | None = None,
    headers: Mapping[str, Values] | None = None,
    body: Any = None,
    authorizer: Mapping[str, Any] | None = None,
    resource: str | None = None,
    request_id: str = REQUEST_ID,
) -> dict[str, Any]:
    """The event for `method path`. `body`: bytes (sent base64-encoded, as for a binary media type),
    text as it is, anything else as JSON (with its Content-Type unless `headers` give one).
    `resource` is the route's template (`/api/posts/{post_id}`), `path` itself by default."""
    sent = {"accept": ["application/json"], "host": [HOST], "x-api-key": ["key"], **_multi(headers)}
    encoded, is_base64 = body, False
    if isinstance(body, bytes):
        encoded, is_base64 = base64.b64encode(body).decode(), True
    elif body is not None and not isinstance(body, str):
        encoded = json.dumps(body)
        if not any(name.lower() == "content-type" for name in sent):
            sent["content-type"] = ["application/json"]
    multi_query = _multi(query)
    resource = resource or path
    now = time.time()
    return {
        "resource": resource,
        "path": path,
        "httpMethod": method,
        "headers": {name: values[-1] for name, values in sent.items()},
        "multiValueHeaders": sent,
        "queryStringParameters": {name: values[-1] for name, values in multi_query.items()} or None,
        "multiValueQueryStringParameters": multi_query or None,
        "pathParameters": _path_parameters(resource, path),
        "stageVariables": None,
        "requestContext": {
            "resourceId": "abc123",
            "resourcePath": resource,
            "httpMethod": method,
            "extendedRequestId": f"ext-{request_id}",
            "requestTime": time.strftime("%d/%b/%Y:%H:%M:%S +0000", time.gmtime(now)),
            "path": f"/{STAGE}{path}",
            "accountId": "123456789012",
            "protocol": "HTTP/1.1",
            "stage": STAGE,
            "domainPrefix": HOST.split(".")[0],
            "requestTimeEpoch": int(now * 1000),
            "requestId": request_id,
            "identity": {"sourceIp": "203.0.113.9", "userAgent": "tests/1.0", "apiKey": "key", "apiKeyId": "kid1"},
            "domainName": HOST,
            "apiId": "api123",
            "authorizer": dict(authorizer) if authorizer else None,
        },
        "body": encoded,
        "isBase64Encoded": is_base64,
    }


@dataclass(frozen=True)
class Answer:
    """A handler's answer as API Gateway reads it."""

    status: int
    headers: CaseInsensitiveDict[str]  # each header's last value; names in any case
    text: str
    body: Any  # the parsed JSON, or the text when the answer is not JSON; None when empty
    result: dict[str, Any]  # what the handler returned

    @classmethod
    def of(cls, result: dict[str, Any]) -> Answer:
        headers: CaseInsensitiveDict[str] = CaseInsensitiveDict()
        for name, value in (result.get("headers") or {}).items():
            headers[name] = str(value)
        for name, values in (result.get("multiValueHeaders") or {}).items():  # these win, as on API Gateway
            if values:
                headers[name] = str(values[-1])
        text = result.get("body") or ""
        if result.get("isBase64Encoded"):
            text = base64.b64decode(text).decode()
        is_json = "json" in headers.get("content-type", "application/json")  # API Gateway's default type
        return cls(result["statusCode"], headers, text, json.loads(text) if text and is_json else text or None, result)


def file_upload(filename: str, content: bytes, media_type: str) -> dict[str, Any]:
    """The body and headers of a form that uploads one file (its `file` field), for `rest_event`."""
    body, content_type = encode_multipart_formdata({"file": (filename, content, media_type)})
    return {"body": body, "headers": {"Content-Type": content_type}}


def invoke(handler: Handler, method: str, path: str, **request: Any) -> Answer:
    """Call `handler` with the event for `method path` (`request`: what `rest_event` takes)."""
    return Answer.of(handler(rest_event(method, path, **request), Context()))
