"""The local CDN: what CloudFront does for the media bucket, on a loopback port.

The template's distribution reads its S3 origin with origin access control, and the bucket policy
lets it read only some prefixes (`public/*`). This server serves the same URL shapes
(`http://127.0.0.1:<port>/public/<media id>/<name>`) from the same bucket in the AWS backend, under
the same grants read from the template's bucket policy: anything else is S3's 403 AccessDenied, as
CloudFront passes it on. It keeps no cache of its own (CloudFront's edge cache, and so its
invalidations, have no local effect), so a withdrawn copy is gone at once; it sends the headers
the objects were stored with (`Cache-Control`, `Content-Type`, `ETag`, `Last-Modified`), answers
conditional GETs with 304, and adds the security headers of the distribution's response headers
policy.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from eckolocal.template import Template

log = logging.getLogger("eckolocal.cdn")

Receive = Callable[[], Awaitable[dict[str, Any]]]
Send = Callable[[dict[str, Any]], Awaitable[None]]

CDN_PRINCIPAL = {"Service": "cloudfront.amazonaws.com"}
# What CloudFront's managed SecurityHeadersPolicy adds to every answer.
SECURITY_HEADERS = [
    ("strict-transport-security", "max-age=31536000"),
    ("x-content-type-options", "nosniff"),
    ("x-frame-options", "SAMEORIGIN"),
    ("referrer-policy", "strict-origin-when-cross-origin"),
    ("x-xss-protection", "1; mode=block"),
]
_ACCESS_DENIED = (
    b'<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>AccessDenied</Code><Message>Access Denied</Message></Error>'
)


@dataclass(frozen=True)
class Distribution:
    logical_id: str
    bucket: str
    readable_prefixes: tuple[str, ...]


def distributions(template: Template) -> list[Distribution]:
    """Each CloudFront distribution with an S3 origin, and the prefixes its bucket policy lets it read."""
    found = []
    for logical_id in template.of_type("AWS::CloudFront::Distribution"):
        config = template.properties(logical_id)["DistributionConfig"]
        domain = config["Origins"][0]["DomainName"]
        bucket = domain.split(".s3.", 1)[0]
        found.append(Distribution(logical_id, bucket, tuple(_cdn_grants(template, bucket))))
    return found


def _cdn_grants(template: Template, bucket: str) -> list[str]:
    prefixes = []
    for logical_id in template.of_type("AWS::S3::BucketPolicy"):
        policy = template.properties(logical_id)
        if policy["Bucket"] != bucket:
            continue
        for statement in policy["PolicyDocument"]["Statement"]:
            actions = statement["Action"] if isinstance(statement["Action"], list) else [statement["Action"]]
            if statement["Effect"] != "Allow" or statement.get("Principal") != CDN_PRINCIPAL:
                continue
            if "s3:GetObject" not in actions:
                continue
            resources = statement["Resource"] if isinstance(statement["Resource"], list) else [statement["Resource"]]
            for resource in resources:
                _, _, key_pattern = resource.partition(f":::{bucket}/")
                if key_pattern.endswith("*"):
                    prefixes.append(key_pattern[:-1])
    return prefixes


class LocalCdn:
    """An ASGI app serving one distribution's readable objects from its bucket."""

    def __init__(self, distribution: Distribution, s3: Any) -> None:
        self.distribution, self.s3 = distribution, s3

    async def __call__(self, scope: dict[str, Any], receive: Receive, send: Send) -> None:
        if scope["type"] != "http":  # served with lifespan off
            return
        status, headers, body = await asyncio.to_thread(self.answer, scope)
        await send({"type": "http.response.start", "status": status, "headers": _encoded(headers + SECURITY_HEADERS)})
        await send({"type": "http.response.body", "body": b"" if scope["method"] == "HEAD" else body})

    def answer(self, scope: dict[str, Any]) -> tuple[int, list[tuple[str, str]], bytes]:
        key = scope["path"].lstrip("/")
        if scope["method"] not in ("GET", "HEAD") or not key.startswith(self.distribution.readable_prefixes):
            return _denied()
        request_headers = {name.decode().lower(): value.decode() for name, value in scope["headers"]}
        try:
            found = self.s3.get_object(Bucket=self.distribution.bucket, Key=key)
        except self.s3.exceptions.NoSuchKey:
            return _denied()  # S3 hides what a reader without s3:ListBucket may not know
        except Exception:  # the backend is down or restarting: what CloudFront says of an origin it cannot reach
            log.exception("the local CDN could not read %s", key)
            return 502, [("content-type", "text/plain")], b"The origin could not be reached."
        headers = [
            ("content-type", found.get("ContentType", "application/octet-stream")),
            ("etag", found["ETag"]),
            ("last-modified", found["LastModified"].strftime("%a, %d %b %Y %H:%M:%S GMT")),
            ("accept-ranges", "bytes"),
        ]
        if found.get("CacheControl"):
            headers.append(("cache-control", found["CacheControl"]))
        if request_headers.get("if-none-match") == found["ETag"]:
            found["Body"].close()
            return 304, [header for header in headers if header[0] != "content-type"], b""
        body = found["Body"].read()
        return 200, [*headers, ("content-length", str(len(body)))], body


def _denied() -> tuple[int, list[tuple[str, str]], bytes]:
    return 403, [("content-type", "application/xml")], _ACCESS_DENIED


def _encoded(headers: list[tuple[str, str]]) -> list[tuple[bytes, bytes]]:
    return [(name.encode(), value.encode()) for name, value in headers]
