"""RFC 9457 problem details: the one shape every error of the API takes, and the one mapping from
the domain's errors (`eckospace.errors`) to it.

Problem types are URNs (`urn:eckospace:problem:<slug>`): stable identifiers clients can switch on.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from eckospace.errors import (
    Conflict,
    DomainError,
    Fault,
    InvalidInput,
    LimitReached,
    MissingScope,
    NotAuthenticated,
    NotFound,
    NotPermitted,
    TooLarge,
    Unavailable,
    Unprocessable,
    UnsupportedType,
    VersionMismatch,
)

PROBLEM_CONTENT_TYPE = "application/problem+json"
REALM = 'realm="eckospace"'

# Each kind of domain error: its status and the title of a problem that has none of its own.
_KINDS: dict[type[DomainError], tuple[int, str]] = {
    InvalidInput: (400, "Invalid request"),
    NotAuthenticated: (401, "Unauthorized"),
    MissingScope: (403, "Insufficient scope"),
    NotPermitted: (403, "Forbidden"),
    NotFound: (404, "Not Found"),
    Conflict: (409, "Conflict"),
    VersionMismatch: (412, "Precondition Failed"),
    TooLarge: (413, "Payload Too Large"),
    UnsupportedType: (415, "Unsupported Media Type"),
    Unprocessable: (422, "Unprocessable Content"),
    LimitReached: (429, "Too Many Requests"),
    Fault: (500, "Internal Server Error"),
    Unavailable: (503, "Service Unavailable"),
}


@dataclass(frozen=True)
class Problem:
    status: int
    type: str
    title: str
    detail: str | None = None
    errors: list[dict[str, Any]] | None = None
    extensions: dict[str, Any] = field(default_factory=dict)
    headers: dict[str, str] = field(default_factory=dict)

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


def problem_for(error: DomainError) -> Problem:
    """The problem `error` is answered with: its kind's status and title (unless it has a title of
    its own), its slug's type, and the headers its kind calls for."""
    status, title = next((_KINDS[kind] for kind in type(error).__mro__ if kind in _KINDS), _KINDS[Fault])
    headers: dict[str, str] = {}
    if isinstance(error, NotAuthenticated):
        headers["WWW-Authenticate"] = f"{error.scheme} {REALM}"
    elif isinstance(error, MissingScope):  # RFC 6750 §3.1
        headers["WWW-Authenticate"] = f'Bearer {REALM}, error="insufficient_scope", scope="{" ".join(error.required)}"'
    if error.retry_after is not None:
        headers["Retry-After"] = str(max(1, error.retry_after))
    return Problem(
        status=status,
        type=f"urn:eckospace:problem:{error.slug}",
        title=error.title or title,
        detail=error.detail,
        errors=error.errors,
        extensions=error.extensions,
        headers=headers,
    )
