"""What can go wrong, in the domain's own terms: the errors domain code raises.

They know nothing of HTTP; `eckospace.http.problems` renders each as an RFC 9457 problem. An
error carries a stable slug clients can switch on (its problem type is
`urn:eckospace:problem:<slug>`), a detail for people, per-field errors, how long to wait before
trying again when that is known, and any extension members its answer carries. A bounded context's
own errors subclass one of the kinds here, with a slug (and a title) of their own.
"""

from __future__ import annotations

from typing import Any, ClassVar


class DomainError(Exception):
    slug: ClassVar[str] = "internal-error"
    title: ClassVar[str | None] = None  # a summary of its own, for an error more specific than its kind

    def __init__(
        self,
        detail: str | None = None,
        *,
        errors: list[dict[str, Any]] | None = None,
        retry_after: int | None = None,
        **extensions: Any,
    ) -> None:
        super().__init__(detail or self.slug)
        self.detail = detail
        self.errors = errors
        self.retry_after = retry_after  # seconds
        self.extensions = extensions


class Fault(DomainError):
    """Something on our side, or a service we depend on, failed in a way the caller cannot fix."""


class InvalidInput(DomainError):
    """The request is malformed or its fields invalid (`errors`: `in`, `name`, `detail` per field)."""

    slug = "invalid-request"


class NotAuthenticated(DomainError):
    """No valid credentials came with the request."""

    slug = "unauthorized"
    scheme: ClassVar[str] = "Bearer"  # the authentication scheme the caller should use


class NotPermitted(DomainError):
    """The caller is known but may not do this."""

    slug = "forbidden"


class MissingScope(NotPermitted):
    """The caller's token lacks scopes this needs (`required`)."""

    slug = "insufficient-scope"

    def __init__(self, required: tuple[str, ...], detail: str | None = None) -> None:
        super().__init__(
            detail or f"This request needs a token with the scope(s): {' '.join(required)}.",
            required_scopes=list(required),
        )
        self.required = required


class NotFound(DomainError):
    slug = "not-found"


class Conflict(DomainError):
    """The resource's state does not allow this now (`retry_after` when waiting may help)."""

    slug = "conflict"


class VersionMismatch(DomainError):
    """The caller acted on a version of the resource that is not the current one."""

    slug = "precondition-failed"


class TooLarge(DomainError):
    slug = "payload-too-large"


class UnsupportedType(DomainError):
    """The content is not of a type accepted here."""

    slug = "unsupported-media-type"


class Unprocessable(DomainError):
    """Well-formed input that cannot be acted on as it is."""

    slug = "unprocessable-content"


class LimitReached(DomainError):
    """A rate or allowance is used up until `retry_after` seconds from now; the limits, as extension
    members, say which."""

    slug = "rate-limited"

    def __init__(self, detail: str, *, retry_after: int, **limits: Any) -> None:
        super().__init__(detail, retry_after=retry_after, **limits)


class Unavailable(DomainError):
    """A service this depends on is busy or unreachable; retrying later may succeed."""

    slug = "service-unavailable"
