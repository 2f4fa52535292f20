"""The embedded AWS emulator: moto's server, plus what S3 does with presigned POST uploads.

DynamoDB applies each write, and each transaction, atomically and in isolation; moto's server runs
requests on threads without that isolation (a cancelled transaction even restores whole-table
snapshots taken when it began, undoing concurrent writes), so DynamoDB requests are served one at a
time here. Concurrent conditional writes then behave as they do in DynamoDB.

moto stores whatever a browser-style POST upload sends. S3 first checks the upload against its
signed policy (the signature, the expiry, every condition, no unlisted field, the size range), and
the media flow depends on exactly that, so the emulator checks it too, answering as S3 does
(403 AccessDenied, 400 EntityTooLarge / EntityTooSmall) before moto sees the request.

Where moto is more lenient or does less than AWS in ways our code depends on, the emulator behaves
as AWS does:
- DynamoDB refuses a Query or Scan whose ExclusiveStartKey is not exactly the table's key
  attributes (plus the index's, on an index), of their types, or (for a Query) whose partition key
  is not the query's, with a ValidationException; moto pages from it (or fails with a 500).
- S3 notifications of a versioned bucket name the object's version (`versionId`); moto's do not.
- DynamoDB applies a TransactWriteItems once per ClientRequestToken (for ten minutes): an SDK's
  retry after a timeout succeeds without applying it again; moto applies it again.
- S3 refuses a presigned (SigV4 query-string) URL whose signature does not match the request, or
  that has expired, with 403 AccessDenied; moto serves any such URL. Media downloads are
  presigned, so tampered and expired links must fail locally as they do on AWS.
- S3 applies bucket lifecycle rules (expirations, noncurrent version expirations, expired object
  delete markers, incomplete multipart uploads); moto stores them and never applies them. The
  emulator sweeps every bucket every `ECKO_LIFECYCLE_SWEEP_SECONDS` (600), counting days as S3
  does (from the object's time, rounded up to the next midnight UTC). Transitions and tag filters
  are not applied.
- DynamoDB Streams' shard iterators expire 15 minutes after they are handed out; moto keeps
  them all, and the local stack's stream pollers take a new one with every read.

Run as `python -m eckolocal.emulator HOST PORT`.
"""

from __future__ import annotations

import base64
import copy
import datetime as dt
import decimal
import hashlib
import hmac
import io
import itertools
import json
import logging
import os
import re
import sys
import threading
import time
import urllib.parse
import uuid
from collections.abc import Callable, Iterable
from typing import Any
from xml.sax.saxutils import escape

log = logging.getLogger("eckolocal.emulator")

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


def check_post_policy(bucket: str, fields: dict[str, str], file_size: int, *, secret: str, now: dt.datetime) -> None:
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
                raise PolicyViolation(
                    "400 Bad Request", "EntityTooLarge", "Your proposed upload exceeds the maximum allowed size"
                )
            if file_size < low:
                raise PolicyViolation(
                    "400 Bad Request", "EntityTooSmall", "Your proposed upload is smaller than the minimum allowed size"
                )
            continue
        name, expected_value = arguments[0].lstrip("$").lower(), arguments[1]
        covered.add(name)
        actual = values.get(name, "")
        if not (actual == expected_value if operator == "eq" else actual.startswith(expected_value)):
            raise PolicyViolation(*denied, f"Invalid according to Policy: Policy Condition failed: {condition}")
    extra = sorted(
        name
        for name in values
        if name not in covered | _UNCOVERED_FIELDS | {"bucket"} and not name.startswith("x-ignore-")
    )
    if extra:
        raise PolicyViolation(*denied, f"Invalid according to Policy: Extra input fields: {', '.join(extra)}")


class PostPolicyGuard:
    """WSGI middleware: POST uploads to a bucket must satisfy their signed policy."""

    def __init__(self, app: WsgiApp, *, secret: str) -> None:
        self.app, self.secret = app, secret

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        path = environ.get("PATH_INFO", "").strip("/")
        if (
            environ.get("REQUEST_METHOD") != "POST"
            or not path
            or "/" in path
            or environ.get("QUERY_STRING")
            or not environ.get("CONTENT_TYPE", "").startswith("multipart/form-data")
        ):
            return self.app(environ, start_response)
        from werkzeug.formparser import parse_form_data

        body = environ["wsgi.input"].read(int(environ.get("CONTENT_LENGTH") or 0))
        _, form, files = parse_form_data({**environ, "wsgi.input": io.BytesIO(body)})
        upload = files.get("file")
        size = len(upload.read()) if upload else 0
        try:
            check_post_policy(path, dict(form.items()), size, secret=self.secret, now=dt.datetime.now(dt.UTC))
        except PolicyViolation as violation:
            return _error_response(violation, start_response)
        environ["wsgi.input"] = io.BytesIO(body)
        return self.app(environ, start_response)


def _uri_encode(value: str, *, keep_slash: bool = False) -> str:
    return urllib.parse.quote(value, safe="/~" if keep_slash else "~")


def check_presigned_url(
    method: str, raw_path: str, query: str, headers: dict[str, str], *, secret: str, now: dt.datetime
) -> None:
    """Raise PolicyViolation unless a SigV4 query-signed request carries its signer's signature and
    is still within its expiry (the checks S3 makes before it serves a presigned URL)."""
    denied = ("403 Forbidden", "AccessDenied")
    params = urllib.parse.parse_qsl(query, keep_blank_values=True)
    given = dict(params)
    try:
        signed_at = dt.datetime.strptime(given["X-Amz-Date"], "%Y%m%dT%H%M%SZ").replace(tzinfo=dt.UTC)
        expires = int(given["X-Amz-Expires"])
        scope = given["X-Amz-Credential"].split("/", 1)[1]
        signed_headers = given["X-Amz-SignedHeaders"].split(";")
    except (KeyError, ValueError, IndexError):
        raise PolicyViolation(
            *denied,
            "Query-string authentication requires X-Amz-Date, X-Amz-Expires, X-Amz-Credential and X-Amz-SignedHeaders.",
        ) from None
    if now > signed_at + dt.timedelta(seconds=expires):
        raise PolicyViolation(*denied, "Request has expired")
    canonical_query = "&".join(
        f"{_uri_encode(name)}={_uri_encode(value)}" for name, value in sorted(params) if name != "X-Amz-Signature"
    )
    canonical_headers = "".join(f"{name}:{' '.join(headers.get(name, '').split())}\n" for name in signed_headers)
    canonical_request = "\n".join(
        [method, raw_path, canonical_query, canonical_headers, ";".join(signed_headers), "UNSIGNED-PAYLOAD"]
    )
    string_to_sign = "\n".join(
        ["AWS4-HMAC-SHA256", given["X-Amz-Date"], scope, hashlib.sha256(canonical_request.encode()).hexdigest()]
    )
    date, region, service, _ = scope.split("/")
    expected = hmac.new(
        _signing_key(secret, date, region, service), string_to_sign.encode(), hashlib.sha256
    ).hexdigest()
    if not hmac.compare_digest(expected, given.get("X-Amz-Signature", "")):
        raise PolicyViolation(*denied, "The request signature we calculated does not match the signature you provided.")


def _error_response(violation: PolicyViolation, start_response: Callable[..., Any]) -> Iterable[bytes]:
    xml = (
        f'<?xml version="1.0" encoding="UTF-8"?><Error><Code>{violation.code}</Code>'
        f"<Message>{escape(violation.message)}</Message></Error>"
    ).encode()
    start_response(violation.status, [("Content-Type", "application/xml"), ("Content-Length", str(len(xml)))])
    return [xml]


class PresignedUrlGuard:
    """WSGI middleware: S3 requests signed in the query string must match their signature and not
    have expired."""

    def __init__(self, app: WsgiApp, *, secret: str) -> None:
        self.app, self.secret = app, secret

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        query = environ.get("QUERY_STRING", "")
        if "X-Amz-Signature=" not in query and "X-Amz-Algorithm=" not in query:
            return self.app(environ, start_response)
        raw_path = (
            environ.get("RAW_URI")
            or environ.get("REQUEST_URI")
            or _uri_encode(environ.get("PATH_INFO", ""), keep_slash=True)
        )
        headers = {
            name[5:].replace("_", "-").lower(): value for name, value in environ.items() if name.startswith("HTTP_")
        }
        try:
            check_presigned_url(
                environ["REQUEST_METHOD"],
                raw_path.split("?", 1)[0],
                query,
                headers,
                secret=self.secret,
                now=dt.datetime.now(dt.UTC),
            )
        except PolicyViolation as violation:
            return _error_response(violation, start_response)
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


class IdempotentTransactions:
    """WSGI middleware: a TransactWriteItems whose ClientRequestToken succeeded in the last ten
    minutes is not applied again. DynamoDB answers it with the first call's success, or with
    IdempotentParameterMismatchException when the token comes with another request. The SDKs send
    a token and retry with it after a timeout; moto applies the retry again, whose conditions then
    fail, a conflict AWS never shows. Runs inside `SerializedDynamoDB`'s lock."""

    WINDOW_SECONDS = 600
    TARGET = "DynamoDB_20120810.TransactWriteItems"

    def __init__(self, app: WsgiApp) -> None:
        self.app = app
        self.succeeded: dict[str, tuple[float, str]] = {}  # token: (when, the request's digest)

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        if environ.get("HTTP_X_AMZ_TARGET") != self.TARGET:
            return self.app(environ, start_response)
        body = environ["wsgi.input"].read(int(environ.get("CONTENT_LENGTH") or 0))
        environ["wsgi.input"] = io.BytesIO(body)
        try:
            request = json.loads(body or b"{}")
        except ValueError:
            return self.app(environ, start_response)
        token = request.pop("ClientRequestToken", None)
        if not token:
            return self.app(environ, start_response)
        digest = hashlib.sha256(json.dumps(request, sort_keys=True).encode()).hexdigest()
        now = time.monotonic()
        self.succeeded = {t: seen for t, seen in self.succeeded.items() if now - seen[0] < self.WINDOW_SECONDS}
        if token in self.succeeded:
            if self.succeeded[token][1] == digest:
                return _dynamodb_answer(start_response, "200 OK", {})
            return _dynamodb_answer(
                start_response,
                "400 Bad Request",
                {
                    "__type": "com.amazonaws.dynamodb.v20120810#IdempotentParameterMismatchException",
                    "message": "The request uses the same client token as a previous, but non-identical request.",
                },
            )
        status: list[str] = []

        def recording(code: str, headers: list[tuple[str, str]], *args: Any) -> Any:
            status.append(code)
            return start_response(code, headers, *args)

        answer = list(self.app(environ, recording))
        if status and status[0].startswith("200"):
            self.succeeded[token] = (now, digest)
        return answer


def _dynamodb_answer(start_response: Callable[..., Any], status: str, document: dict[str, Any]) -> Iterable[bytes]:
    body = json.dumps(document).encode()
    start_response(status, [("Content-Type", "application/x-amz-json-1.0"), ("Content-Length", str(len(body)))])
    return [body]


# ---------------------------------------------------------------------------- DynamoDB start keys
_INVALID_START_KEY = "The provided starting key is invalid"
_OUTSIDE_QUERY = "The provided starting key is outside query boundaries based on provided conditions"
_EQUALITY = re.compile(r"([#:]?[\w.]+)\s*(?<![<>!])=\s*([#:]?[\w.]+)")


def _same_value(one: Any, other: Any) -> bool:
    if isinstance(one, dict) and isinstance(other, dict) and set(one) == set(other) == {"N"}:
        try:
            return decimal.Decimal(one["N"]) == decimal.Decimal(other["N"])
        except (decimal.InvalidOperation, TypeError):
            return False
    return one == other


def _query_partition(request: dict[str, Any], name: str) -> Any:
    """The partition key value a Query asks for (None when it cannot be read from the request)."""
    expression = request.get("KeyConditionExpression")
    if isinstance(expression, str):
        names = request.get("ExpressionAttributeNames") or {}
        values = request.get("ExpressionAttributeValues") or {}
        for left, right in _EQUALITY.findall(expression):
            for attribute, value in ((left, right), (right, left)):
                if value.startswith(":") and names.get(attribute, attribute) == name:
                    return values.get(value)
        return None
    condition = (request.get("KeyConditions") or {}).get(name) or {}
    return (condition.get("AttributeValueList") or [None])[0]


def start_key_error(operation: str, request: dict[str, Any], table: dict[str, Any]) -> str | None:
    """What DynamoDB answers (a ValidationException's message) to a Query or Scan whose
    ExclusiveStartKey it refuses; None when it takes it (or when moto answers the request anyway)."""
    start = request.get("ExclusiveStartKey")
    if start is None:
        return None
    invalid = (
        _INVALID_START_KEY
        if operation == "Query"
        else f"{_INVALID_START_KEY}: The provided key element does not match the schema"
    )
    schema = list(table.get("KeySchema", []))
    paged = schema
    if request.get("IndexName"):
        indexes = table.get("GlobalSecondaryIndexes", []) + table.get("LocalSecondaryIndexes", [])
        index = next((i for i in indexes if i.get("IndexName") == request["IndexName"]), None)
        if index is None:
            return None  # moto refuses an unknown index itself
        paged = index["KeySchema"]
        schema += [k for k in paged if k["AttributeName"] not in {s["AttributeName"] for s in schema}]
    types = {d["AttributeName"]: d["AttributeType"] for d in table.get("AttributeDefinitions", [])}
    if not isinstance(start, dict) or set(start) != {k["AttributeName"] for k in schema}:
        return invalid
    for name, value in start.items():
        if not isinstance(value, dict) or len(value) != 1:
            return invalid
        ((kind, raw),) = value.items()
        if kind != types.get(name) or not isinstance(raw, str) or raw == "":
            return invalid
        if kind == "N":
            try:
                decimal.Decimal(raw)
            except decimal.InvalidOperation:
                return invalid
    if operation == "Query":
        partition = next(k["AttributeName"] for k in paged if k["KeyType"] == "HASH")
        wanted = _query_partition(request, partition)
        if wanted is not None and not _same_value(start[partition], wanted):
            return _OUTSIDE_QUERY
    return None


class StartKeyGuard:
    """WSGI middleware: DynamoDB's checks of a Query's or Scan's ExclusiveStartKey (see the module's
    docstring). Runs inside SerializedDynamoDB, so the table it describes is the one moto queries."""

    def __init__(self, app: WsgiApp) -> None:
        self.app = app

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        target = environ.get("HTTP_X_AMZ_TARGET", "")
        operation = target.rpartition(".")[2]
        if (
            not target.startswith("DynamoDB_")
            or operation not in ("Query", "Scan")
            or not environ.get("CONTENT_LENGTH")
        ):
            return self.app(environ, start_response)
        body = environ["wsgi.input"].read(int(environ["CONTENT_LENGTH"]))
        environ["wsgi.input"] = io.BytesIO(body)
        try:
            request = json.loads(body)
        except ValueError:
            return self.app(environ, start_response)
        if isinstance(request, dict) and "ExclusiveStartKey" in request:
            table = self._describe(environ, request.get("TableName"))
            problem = start_key_error(operation, request, table) if table else None
            if problem:
                answer = json.dumps(
                    {"__type": "com.amazon.coral.validate#ValidationException", "message": problem}
                ).encode()
                start_response(
                    "400 Bad Request",
                    [
                        ("Content-Type", "application/x-amz-json-1.0"),
                        ("Content-Length", str(len(answer))),
                        ("x-amzn-RequestId", str(uuid.uuid4())),
                    ],
                )
                return [answer]
            environ["wsgi.input"] = io.BytesIO(body)
        return self.app(environ, start_response)

    def _describe(self, environ: dict[str, Any], table: Any) -> dict[str, Any] | None:
        """The table's description, asked of moto with the caller's own credentials and region."""
        body = json.dumps({"TableName": table}).encode()
        status: list[str] = []
        asked = {
            **environ,
            "wsgi.input": io.BytesIO(body),
            "CONTENT_LENGTH": str(len(body)),
            "HTTP_X_AMZ_TARGET": "DynamoDB_20120810.DescribeTable",
        }
        answer = b"".join(self.app(asked, lambda code, headers, exc_info=None: status.append(code)))
        if not status or not status[0].startswith("200"):
            return None
        return json.loads(answer).get("Table")


# ---------------------------------------------------------------------------- S3 notifications
def notifications_carry_version_ids() -> None:
    """S3 names the object's version in each notification from a versioned bucket; moto does not."""
    from moto.s3 import notifications

    if getattr(notifications._get_s3_event, "names_versions", False):
        return
    original = notifications._get_s3_event

    def event(event_name: str, bucket: Any, key: Any, notification_id: str) -> dict[str, Any]:
        found = original(event_name, bucket, key, notification_id)
        if getattr(bucket, "is_versioned", False) and getattr(key, "version_id", "null") != "null":
            for record in found.get("Records", []):
                record["s3"]["object"]["versionId"] = key.version_id
        return found

    event.names_versions = True  # type: ignore[attr-defined]
    notifications._get_s3_event = event


# ---------------------------------------------------------------------------- DynamoDB Streams
SHARD_ITERATOR_LIFETIME_SECONDS = 15 * 60
_shard_iterators_lock = threading.Lock()


def forget_expired(iterators: dict[str, Any], now: float, lifetime: float = SHARD_ITERATOR_LIFETIME_SECONDS) -> None:
    """Drop the shard iterators handed out more than `lifetime` ago (`iterators` keeps the order
    they were handed out in)."""
    with _shard_iterators_lock:
        while iterators:
            oldest = next(iter(iterators))
            if iterators[oldest].handed_out > now - lifetime:
                return
            del iterators[oldest]


def shard_iterators_expire() -> None:
    """A shard iterator expires 15 minutes after DynamoDB Streams hands it out; moto keeps every one
    for ever, and a stream poller gets a new one with each read."""
    from moto.dynamodbstreams.models import ShardIterator

    if getattr(ShardIterator, "expire", False):
        return
    create = ShardIterator.__init__

    def init(self: Any, streams_backend: Any, *args: Any, **kwargs: Any) -> None:
        create(self, streams_backend, *args, **kwargs)
        self.handed_out = time.monotonic()
        forget_expired(streams_backend.shard_iterators, self.handed_out)

    ShardIterator.__init__ = init
    ShardIterator.expire = True


# ---------------------------------------------------------------------------- S3 lifecycle
def lifecycle_due(start: dt.datetime, days: int) -> dt.datetime:
    """When S3 acts on a rule of `days` for something dated `start`: that many days later, rounded up
    to the next midnight UTC."""
    moment = start.astimezone(dt.UTC) + dt.timedelta(days=int(days))
    midnight = moment.replace(hour=0, minute=0, second=0, microsecond=0)
    return midnight if midnight == moment else midnight + dt.timedelta(days=1)


def _rule_prefix(rule: dict[str, Any]) -> str | None:
    """The key prefix a rule covers; None for a rule filtered by tags (not applied here)."""
    if "Filter" not in rule:
        return rule.get("Prefix") or ""
    found = rule["Filter"] or {}
    if "Tag" in found or (found.get("And") or {}).get("Tags"):
        return None
    return found.get("Prefix", (found.get("And") or {}).get("Prefix", "")) or ""


def expire_by_lifecycle(s3: Any, bucket: str, now: dt.datetime) -> dict[str, int]:
    """Apply a bucket's lifecycle expirations as S3 would have by `now`; returns what was done."""
    from botocore.exceptions import ClientError

    done = {"expired": 0, "noncurrent_deleted": 0, "markers_removed": 0, "uploads_aborted": 0}
    try:
        rules = s3.get_bucket_lifecycle_configuration(Bucket=bucket)["Rules"]
    except ClientError as error:
        if error.response.get("Error", {}).get("Code") == "NoSuchLifecycleConfiguration":
            return done
        raise
    versioned = s3.get_bucket_versioning(Bucket=bucket).get("Status") == "Enabled"
    history: dict[str, list[dict[str, Any]]] = {}  # each key's versions and delete markers, newest first
    for page in s3.get_paginator("list_object_versions").paginate(Bucket=bucket):
        for entry in page.get("Versions", []):
            history.setdefault(entry["Key"], []).append({**entry, "marker": False})
        for entry in page.get("DeleteMarkers", []):
            history.setdefault(entry["Key"], []).append({**entry, "marker": True})
    for entries in history.values():
        entries.sort(key=lambda e: (bool(e.get("IsLatest")), e["LastModified"]), reverse=True)
    for rule in rules:
        prefix = _rule_prefix(rule)
        if rule.get("Status") != "Enabled" or prefix is None:
            continue
        expiration = rule.get("Expiration") or {}
        days, noncurrent = expiration.get("Days"), (rule.get("NoncurrentVersionExpiration") or {}).get("NoncurrentDays")
        for key, entries in history.items():
            if not key.startswith(prefix):
                continue
            if noncurrent:  # a version is noncurrent from the moment the next one was written
                gone = [
                    older
                    for newer, older in itertools.pairwise(entries)
                    if not older["marker"] and lifecycle_due(newer["LastModified"], noncurrent) <= now
                ]
                for entry in gone:
                    s3.delete_object(Bucket=bucket, Key=key, VersionId=entry["VersionId"])
                    entries.remove(entry)
                    done["noncurrent_deleted"] += 1
            if not entries:
                continue
            latest = entries[0]
            expires = (
                lifecycle_due(latest["LastModified"], days)
                if days
                else (expiration["Date"] if expiration.get("Date") else None)
            )
            if not latest["marker"] and expires is not None and expires <= now:
                s3.delete_object(Bucket=bucket, Key=key)
                if versioned:
                    entries.insert(
                        0, {"Key": key, "LastModified": now, "IsLatest": True, "marker": True, "VersionId": None}
                    )
                else:
                    entries.remove(latest)
                done["expired"] += 1
            elif (
                latest["marker"]
                and len(entries) == 1
                and latest.get("VersionId")
                and (expiration.get("ExpiredObjectDeleteMarker") or (expires is not None and expires <= now))
            ):
                s3.delete_object(Bucket=bucket, Key=key, VersionId=latest["VersionId"])
                entries.clear()
                done["markers_removed"] += 1
        aborted_after = (rule.get("AbortIncompleteMultipartUpload") or {}).get("DaysAfterInitiation")
        if aborted_after:
            for upload in s3.list_multipart_uploads(Bucket=bucket, Prefix=prefix).get("Uploads", []):
                if lifecycle_due(upload["Initiated"], aborted_after) <= now:
                    s3.abort_multipart_upload(Bucket=bucket, Key=upload["Key"], UploadId=upload["UploadId"])
                    done["uploads_aborted"] += 1
    return done


def sweep_lifecycles(endpoint: str, *, interval: float, stop: threading.Event) -> None:
    """Apply every bucket's lifecycle rules every `interval` seconds until `stop` is set."""
    import boto3

    s3 = boto3.client("s3", endpoint_url=endpoint, region_name=os.environ.get("AWS_DEFAULT_REGION", "us-east-1"))
    while not stop.wait(interval):
        try:
            for bucket in s3.list_buckets().get("Buckets", []):
                expire_by_lifecycle(s3, bucket["Name"], dt.datetime.now(dt.UTC))
        except Exception:  # the next sweep tries again
            log.exception("lifecycle sweep failed")


def transactions_copy_only_their_items() -> None:
    """A transaction checks every condition first and then writes, keeping for a rollback only the
    items it writes. moto deep-copies each table a transaction names, once per item it writes, so
    a transaction costs time in proportion to the table's size (a second and more on a table of a
    few thousand items, with every other DynamoDB request waiting behind it). What a transaction
    does and answers is unchanged: all of it or none of it, and the same cancellation reasons."""
    from moto.dynamodb import exceptions
    from moto.dynamodb.comparisons import get_filter_expression
    from moto.dynamodb.models import DynamoDBBackend

    operations = {"ConditionCheck", "Put", "Delete", "Update"}

    def key_of(backend: Any, kind: str, op: dict[str, Any]) -> dict[str, Any]:
        if kind != "Put":
            return op["Key"]
        table = backend.get_table(op["TableName"])
        names = [table.hash_key_attr, *([table.range_key_attr] if table.range_key_attr else [])]
        return {name: op["Item"][name] for name in names}

    def checked(backend: Any, transact_items: list[dict[str, Any]]) -> list[tuple[str, dict[str, Any], Any]]:
        """Each operation with its key, once every condition holds; else the cancellation."""
        if len(transact_items) > 100:
            raise exceptions.TooManyTransactionsException()
        seen, planned, reasons, failed = set(), [], [], False
        for entry in transact_items:
            if len(entry) > 1:
                raise exceptions.TransactWriteSingleOpException()
            ((kind, op),) = entry.items()
            if kind not in operations:
                raise ValueError("Unsupported transaction operation")
            key = key_of(backend, kind, op)
            identity = (op["TableName"], str(dict(sorted(key.items()))))
            if identity in seen:
                raise exceptions.MultipleTransactionsException()
            seen.add(identity)
            current = backend.get_item(op["TableName"], key)
            condition = op.get("ConditionExpression")
            holds = condition is None or get_filter_expression(
                condition, op.get("ExpressionAttributeNames"), op.get("ExpressionAttributeValues")
            ).expr(current)
            if holds:
                reasons.append((None, None, None))
            else:
                failed = True
                old = (
                    current.to_json()["Attributes"]
                    if current and op.get("ReturnValuesOnConditionCheckFailure") == "ALL_OLD"
                    else None
                )
                reasons.append(("ConditionalCheckFailed", "The conditional request failed", old))
            planned.append((kind, op, key))
        if failed:
            raise exceptions.TransactionCanceledException(reasons)
        return planned

    def transact_write_items(self: Any, transact_items: list[dict[str, Any]]) -> None:
        planned = checked(self, transact_items)
        tables = {op["TableName"]: self.get_table(op["TableName"]) for _, op, _ in planned}
        records = {name: len(t.stream_shard.items) for name, t in tables.items() if t.stream_shard is not None}
        before = [(op["TableName"], key, copy.deepcopy(self.get_item(op["TableName"], key))) for _, op, key in planned]
        try:
            for kind, op, key in planned:
                values = {
                    "expression_attribute_names": op.get("ExpressionAttributeNames"),
                    "expression_attribute_values": op.get("ExpressionAttributeValues"),
                }
                if kind == "Put":
                    self.put_item(op["TableName"], op["Item"])
                elif kind == "Delete":
                    self.delete_item(op["TableName"], key)
                elif kind == "Update":
                    self.update_item(op["TableName"], key, update_expression=op["UpdateExpression"], **values)
        except Exception:
            for name, key, item in reversed(before):
                if item is None:
                    self.delete_item(name, key)
                else:
                    self.put_item(name, item.to_json()["Attributes"])
            for name, count in records.items():  # what was written and undone was never written
                del tables[name].stream_shard.items[count:]
            raise

    DynamoDBBackend.transact_write_items = transact_write_items


def dynamodb_item_answers_written_as_they_are() -> None:
    """DynamoDB's item operations answer with what moto's backend returns, written as JSON: it is
    already the wire's shape (attribute values, keys, counts). moto's model-driven serializer walks
    every attribute of every item against the service model first, about half a millisecond an
    item: 250 ms for a Query of a thousand small items, with every other DynamoDB request waiting
    behind it. Anything else (errors, table descriptions) still goes through moto's serializer."""
    from moto.dynamodb.responses import DynamoHandler

    item_operations = {
        "BatchGetItem",
        "BatchWriteItem",
        "DeleteItem",
        "GetItem",
        "PutItem",
        "Query",
        "Scan",
        "TransactGetItems",
        "TransactWriteItems",
        "UpdateItem",
    }
    serialized = DynamoHandler.serialized

    def written_as_is(self: Any, action_result: Any) -> Any:
        result = action_result.result
        if isinstance(result, dict) and self._get_action() in item_operations:
            try:
                body = json.dumps(result, separators=(",", ":"))
            except TypeError:  # something only the model knows how to write (binary values)
                return serialized(self, action_result)
            return 200, {**self.response_headers, "Content-Type": "application/x-amz-json-1.0"}, body
        return serialized(self, action_result)

    DynamoHandler.serialized = written_as_is


def main(argv: list[str]) -> None:
    from moto.moto_server.werkzeug_app import DomainDispatcherApplication, MotoRequestHandler, create_backend_app
    from werkzeug.serving import run_simple

    host, port = argv[0], int(argv[1])
    os.environ.setdefault("MOTO_PORT", str(port))
    notifications_carry_version_ids()
    shard_iterators_expire()
    transactions_copy_only_their_items()
    dynamodb_item_answers_written_as_they_are()
    secret = os.environ.get("AWS_SECRET_ACCESS_KEY", "testing")
    app = PresignedUrlGuard(
        PostPolicyGuard(
            SerializedDynamoDB(IdempotentTransactions(StartKeyGuard(DomainDispatcherApplication(create_backend_app)))),
            secret=secret,
        ),
        secret=secret,
    )
    threading.Thread(
        target=sweep_lifecycles,
        name="lifecycle",
        daemon=True,
        kwargs={
            "endpoint": f"http://{host}:{port}",
            "interval": float(os.environ.get("ECKO_LIFECYCLE_SWEEP_SECONDS", "600")),
            "stop": threading.Event(),
        },
    ).start()
    run_simple(host, port, app, threaded=True, use_reloader=False, request_handler=MotoRequestHandler)


if __name__ == "__main__":
    main(sys.argv[1:])
