"""RFC 9457 problem details: the one shape every error of the API takes.

Domain code raises a `Problem` subclass; `eckospace.http.resolver` renders it. Problem types are
URNs (`urn:eckospace:problem:<slug>`): stable identifiers clients can switch on.
"""

from __future__ import annotations

from typing import Any

PROBLEM_CONTENT_TYPE = "application/problem+json"


class Problem(Exception):
    status: int = 500
    slug: str = "internal-error"
    title: str = "Internal Server Error"

    def __init__(
        self,
        detail: str | None = None,
        *,
        errors: list[dict[str, Any]] | None = None,
        headers: dict[str, str] | None = None,
        **extensions: Any,
    ) -> None:
        super().__init__(detail or self.title)
        self.detail = detail
        self.errors = errors
        self.headers = headers or {}
        self.extensions = extensions

    @property
    def type(self) -> str:
        return f"urn:eckospace:problem:{self.slug}"

    def body(self, *, instance: str | None = None, request_id: str | None = None) -> dict[str, Any]:
        body: dict[str, Any] = {"type": self.type, "title": self.title, "status": self.status}
        if self.detail:
            body["detail"] = self.detail
        if instance:
            body["instance"] = instance
        if self.errors:
            body["errors"] = self.errors
        if request_id:
            body["request_id"] = request_id
        body.update(self.extensions)
        return body


class BadRequest(Problem):
    status, slug, title = 400, "invalid-request", "Invalid request"


class Unauthorized(Problem):
    status, slug, title = 401, "unauthorized", "Unauthorized"

    def __init__(self, detail: str | None = None, **kwargs: Any) -> None:
        super().__init__(detail, headers={"WWW-Authenticate": 'Bearer realm="eckospace"'}, **kwargs)


class Forbidden(Problem):
    status, slug, title = 403, "forbidden", "Forbidden"


class InsufficientScope(Forbidden):
    """RFC 6750 §3.1: the token is valid but lacks a scope the route requires."""

    slug, title = "insufficient-scope", "Insufficient scope"

    def __init__(self, required: tuple[str, ...]) -> None:
        scope = " ".join(required)
        super().__init__(
            f"This request needs a token with the scope(s): {scope}.",
            required_scopes=list(required),
        )
        self.headers["WWW-Authenticate"] = f'Bearer realm="eckospace", error="insufficient_scope", scope="{scope}"'


class NotFound(Problem):
    status, slug, title = 404, "not-found", "Not Found"


class Conflict(Problem):
    status, slug, title = 409, "conflict", "Conflict"


class PayloadTooLarge(Problem):
    status, slug, title = 413, "payload-too-large", "Payload Too Large"


class UnsupportedMediaType(Problem):
    status, slug, title = 415, "unsupported-media-type", "Unsupported Media Type"


class UnprocessableContent(Problem):
    status, slug, title = 422, "unprocessable-content", "Unprocessable Content"


class TooManyRequests(Problem):
    status, slug, title = 429, "rate-limited", "Too Many Requests"

    def __init__(self, detail: str | None = None, *, retry_after: int, **kwargs: Any) -> None:
        super().__init__(detail, headers={"Retry-After": str(max(1, retry_after))}, **kwargs)


class ServiceUnavailable(Problem):
    status, slug, title = 503, "service-unavailable", "Service Unavailable"
