"""The contract test's hooks drop exactly one failure: an undeclared method answered with the
gateway's 403 `no-such-route` problem; everything else still fails the run."""

from __future__ import annotations

import json
from types import SimpleNamespace

import pytest
from schemathesis.openapi.checks import UnsupportedMethodResponse

from tests.support.contract_hooks import filter_failure

GATEWAY_403 = {
    "type": "urn:eckospace:problem:no-such-route",
    "title": "Forbidden",
    "status": 403,
    "detail": "No route matches this method and path.",
    "request_id": "r-1",
}


def answer(status: int, body: object, content_type: str = "application/problem+json") -> SimpleNamespace:
    return SimpleNamespace(
        status_code=status, headers={"content-type": [content_type]}, content=json.dumps(body).encode()
    )


def undeclared_method(status: int, reason: str = "wrong_status") -> UnsupportedMethodResponse:
    return UnsupportedMethodResponse(
        operation="TRACE /api/me", method="TRACE", status_code=status, failure_reason=reason, message="expected 405"
    )


def test_the_gateways_403_for_an_undeclared_method_is_accepted():
    assert filter_failure(None, undeclared_method(403), None, answer(403, GATEWAY_403)) is False


@pytest.mark.parametrize(
    ("status", "body", "content_type"),
    [
        (403, {**GATEWAY_403, "type": "urn:eckospace:problem:forbidden"}, "application/problem+json"),
        (403, GATEWAY_403, "application/json"),
        (403, {**GATEWAY_403, "status": 404}, "application/problem+json"),
        (404, {**GATEWAY_403, "status": 404}, "application/problem+json"),
        (200, {}, "application/json"),
        (500, GATEWAY_403, "application/problem+json"),
    ],
)
def test_any_other_answer_to_an_undeclared_method_still_fails(status, body, content_type):
    assert filter_failure(None, undeclared_method(status), None, answer(status, body, content_type)) is True


def test_other_failures_are_kept_even_with_that_answer():
    assert filter_failure(None, undeclared_method(405, "missing_allow_header"), None, answer(403, GATEWAY_403))
    other = SimpleNamespace(code="ST103")
    assert filter_failure(None, other, None, answer(403, GATEWAY_403)) is True
