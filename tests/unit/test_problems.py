"""The one mapping from domain errors to the problems clients see: status, type, title, headers."""

from __future__ import annotations

import inspect

import pytest

from eckospace import errors
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
from eckospace.http.problems import problem_for
from eckospace.identity.binding import BrowserMismatch
from eckospace.identity.google import SignInRefused
from eckospace.media.errors import UnsafeArchive, UnsupportedMediaType
from eckospace.payments.stripe_webhooks import SignatureRejected

BEARER = 'Bearer realm="eckospace"'

KINDS = [
    (InvalidInput("Bad."), 400, "invalid-request", "Invalid request", {}),
    (NotAuthenticated("Who?"), 401, "unauthorized", "Unauthorized", {"WWW-Authenticate": BEARER}),
    (NotPermitted("No."), 403, "forbidden", "Forbidden", {}),
    (
        MissingScope(("posts:write", "posts:read")),
        403,
        "insufficient-scope",
        "Insufficient scope",
        {"WWW-Authenticate": f'{BEARER}, error="insufficient_scope", scope="posts:write posts:read"'},
    ),
    (NotFound("None."), 404, "not-found", "Not Found", {}),
    (Conflict("Busy.", retry_after=1), 409, "conflict", "Conflict", {"Retry-After": "1"}),
    (VersionMismatch("Stale."), 412, "precondition-failed", "Precondition Failed", {}),
    (TooLarge("Big."), 413, "payload-too-large", "Payload Too Large", {}),
    (UnsupportedType("Odd."), 415, "unsupported-media-type", "Unsupported Media Type", {}),
    (Unprocessable("Cannot."), 422, "unprocessable-content", "Unprocessable Content", {}),
    (LimitReached("Used up.", retry_after=3600), 429, "rate-limited", "Too Many Requests", {"Retry-After": "3600"}),
    (Fault("Broke."), 500, "internal-error", "Internal Server Error", {}),
    (Unavailable("Away.", retry_after=5), 503, "service-unavailable", "Service Unavailable", {"Retry-After": "5"}),
]


@pytest.mark.parametrize(("error", "status", "slug", "title", "headers"), KINDS, ids=lambda v: type(v).__name__)
def test_each_kind_is_answered_with_its_status_type_title_and_headers(error, status, slug, title, headers):
    problem = problem_for(error)
    assert (problem.status, problem.type, problem.title) == (status, f"urn:eckospace:problem:{slug}", title)
    assert problem.headers == headers
    assert problem.body()["detail"] == error.detail


def test_every_kind_is_mapped():
    defined = {
        kind
        for _, kind in inspect.getmembers(errors, inspect.isclass)
        if issubclass(kind, DomainError) and kind is not DomainError
    }
    assert defined == {type(error) for error, *_ in KINDS}


def test_a_problem_body_keeps_its_members_in_order():
    error = InvalidInput("Bad.", errors=[{"in": "query", "name": "limit", "detail": "too big"}], hint="x")
    body = problem_for(error).body(instance="/api/feed", request_id="r1")
    assert list(body.items()) == [
        ("type", "urn:eckospace:problem:invalid-request"),
        ("title", "Invalid request"),
        ("status", 400),
        ("detail", "Bad."),
        ("instance", "/api/feed"),
        ("errors", [{"in": "query", "name": "limit", "detail": "too big"}]),
        ("request_id", "r1"),
        ("hint", "x"),
    ]
    assert problem_for(Fault()).body() == {
        "type": "urn:eckospace:problem:internal-error",
        "title": "Internal Server Error",
        "status": 500,
    }


def test_missing_scopes_are_named_and_a_wait_is_at_least_a_second():
    body = problem_for(MissingScope(("posts:write",), "Subscribing needs posts:write.")).body()
    assert body["required_scopes"] == ["posts:write"] and body["detail"] == "Subscribing needs posts:write."
    limited = problem_for(LimitReached("Used up.", retry_after=0, daily_limit=5))
    assert limited.headers == {"Retry-After": "1"} and limited.body()["daily_limit"] == 5


@pytest.mark.parametrize(
    ("error", "status", "slug", "title", "headers"),
    [
        (
            SignatureRejected("Wrong."),
            401,
            "invalid-signature",
            "Invalid webhook signature",
            {"WWW-Authenticate": 'Stripe-Signature realm="eckospace"'},
        ),
        (BrowserMismatch("Elsewhere."), 403, "sign-in-browser-mismatch", "Sign-in started in another browser", {}),
        (SignInRefused("Refused."), 400, "sign-in-refused", "Sign-in refused", {}),
        (UnsafeArchive("Bomb.", check="max_ratio"), 422, "unsafe-archive", "Unsafe archive", {}),
        (UnsupportedMediaType("Odd."), 415, "unsupported-media-type", "Unsupported Media Type", {}),
    ],
    ids=lambda v: type(v).__name__,
)
def test_a_contexts_own_errors_keep_their_slug_and_title_and_take_their_kinds_status(
    error, status, slug, title, headers
):
    problem = problem_for(error)
    assert (problem.status, problem.type, problem.title) == (status, f"urn:eckospace:problem:{slug}", title)
    assert problem.headers == headers
