"""The embedded AWS emulator: moto's server, plus what S3 does with presigned POST uploads.

DynamoDB applies each write, and each transaction, atomically and in isolation; moto's server runs
requests on threads without that isolation (a cancelled transaction even restores whole-table
snapshots taken when it began, undoing concurrent writes), so DynamoDB requests are served one at a
time here. Concurrent conditional writes then behave as they do in DynamoDB.

moto stores whatever a browser-style POST upload sends. S3 first checks the upload against its
signed policy (the signature, the expiry, every condition, no unlisted field, the size range), and
the media flow depends on exactly that, so the emulator checks it too, answering as S3 does
(403 AccessDenied, 400 EntityTooLarge / EntityTooSmall) before moto sees the request.

Run as `python -m eckolocal.emulator HOST PORT`.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import io
import json
import os
import sys
from collections.abc import Callable, Iterable
from typing import Any
from xml.sax.saxutils import escape

WsgiApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]

# Fields S3 never asks a policy to cover.
_UNCOVERED_FIELDS = {"policy", "x-amz-signature", "file"}


class PolicyViolation(Exception):
    def __init__(self, status: str, code: str, message: str) -> None:
        super().__init__(message)
        self.status, self.code, self.message = status, code, message


def _signing_key(secret: str, date: str, region: str, service: str) -> bytes:
    key = f"AWS4{secret}".encode()
    for part in (date, region, service, "aws4_request"):
        key = hmac.new(key, part.encode(), hashlib.sha256).digest()
    return key


def check_post_policy(bucket: str, fields: dict[str, str], file_size: int, *, secret: str,
                      now: dt.datetime) -> None:
    """Raise PolicyViolation unless the form is one the policy's signer allowed."""
    denied = "403 Forbidden", "AccessDenied"
    encoded = fields.get("policy")
    if not encoded or "x-amz-signature" not in fields or "x-amz-credential" not in fields:
        raise PolicyViolation(*denied, "Bucket POST must contain a policy and a signature")
    _access_key, date, region, service, _ = (fields["x-amz-credential"].split("/") + [""] * 5)[:5]
    expected = hmac.new(_signing_key(secret, date, region, service), encoded.encode(), hashlib.sha256).hexdigest()
    if not hmac.compare_digest(expected, fields["x-amz-signature"]):
        raise PolicyViolation(*denied, "The request signature we calculated does not match the signature you provided")
    policy = json.loads(base64.b64decode(encoded))
    if dt.datetime.fromisoformat(policy["expiration"].replace("Z", "+00:00")) < now:
        raise PolicyViolation(*denied, "Invalid according to Policy: Policy expired.")
    values = {name.lower(): value for name, value in fields.items()} | {"bucket": bucket}
    covered = set()
    for condition in policy.get("conditions", []):
        if isinstance(condition, dict):
            condition = ["eq", *next(iter(condition.items()))]
            condition[1] = "$" + condition[1]
        operator, *arguments = condition
        if operator == "content-length-range":
            low, high = (int(a) for a in arguments)
            if file_size > high:
                raise PolicyViolation("400 Bad Request", "EntityTooLarge",
                                      "Your proposed upload exceeds the maximum allowed size")
            if file_size < low:
                raise PolicyViolation("400 Bad Request", "EntityTooSmall",
                                      "Your proposed upload is smaller than the minimum allowed size")
            continue
        name, expected_value = arguments[0].lstrip("$").lower(), arguments[1]
        covered.add(name)
        actual = values.get(name, "")
        if not (actual == expected_value if operator == "eq" else actual.startswith(expected_value)):
            raise PolicyViolation(*denied, f"Invalid according to Policy: Policy Condition failed: {condition}")
    extra = sorted(name for name in values if name not in covered | _UNCOVERED_FIELDS | {"bucket"}
                   and not name.startswith("x-ignore-"))
    if extra:
        raise PolicyViolation(*denied, f"Invalid according to Policy: Extra input fields: {', '.join(extra)}")


class PostPolicyGuard:
    """WSGI middleware: POST uploads to a bucket must satisfy their signed policy."""

    def __init__(self, app: WsgiApp, *, secret: str) -> None:
        self.app, self.secret = app, secret

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        path = environ.get("PATH_INFO", "").strip("/")
        if (environ.get("REQUEST_METHOD") != "POST" or not path or "/" in path or environ.get("QUERY_STRING")
                or not environ.get("CONTENT_TYPE", "").startswith("multipart/form-data")):
            return self.app(environ, start_response)
        from werkzeug.formparser import parse_form_data

        body = environ["wsgi.input"].read(int(environ.get("CONTENT_LENGTH") or 0))
        _, form, files = parse_form_data({**environ, "wsgi.input": io.BytesIO(body)})
        upload = files.get("file")
        size = len(upload.read()) if upload else 0
        try:
            check_post_policy(path, dict(form.items()), size, secret=self.secret, now=dt.datetime.now(dt.UTC))
        except PolicyViolation as violation:
            xml = (f"<?xml version=\"1.0\" encoding=\"UTF-8\"?><Error><Code>{violation.code}</Code>"
                   f"<Message>{escape(violation.message)}</Message></Error>").encode()
            start_response(violation.status, [("Content-Type", "application/xml"), ("Content-Length", str(len(xml)))])
            return [xml]
        environ["wsgi.input"] = io.BytesIO(body)
        return self.app(environ, start_response)


class SerializedDynamoDB:
    """WSGI middleware: one DynamoDB request at a time (see the module's docstring)."""

    def __init__(self, app: WsgiApp) -> None:
        import threading

        self.app, self.lock = app, threading.Lock()

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        if not environ.get("HTTP_X_AMZ_TARGET", "").startswith("DynamoDB_"):
            return self.app(environ, start_response)
        with self.lock:
            return list(self.app(environ, start_response))


def main(argv: list[str]) -> None:
    from moto.moto_server.werkzeug_app import DomainDispatcherApplication, MotoRequestHandler, create_backend_app
    from werkzeug.serving import run_simple

    host, port = argv[0], int(argv[1])
    os.environ.setdefault("MOTO_PORT", str(port))
    app = PostPolicyGuard(SerializedDynamoDB(DomainDispatcherApplication(create_backend_app)),
                          secret=os.environ.get("AWS_SECRET_ACCESS_KEY", "testing"))
    run_simple(host, port, app, threaded=True, use_reloader=False, request_handler=MotoRequestHandler)


if __name__ == "__main__":
    main(sys.argv[1:])
