from __future__ import annotations

import json
import os

import pytest
from botocore.stub import Stubber

from eckospace import aws
from eckospace.translations import service
from tests.integration.conftest import CallCounter, Context, event, load_function
from tests.support import openapi_contract


@pytest.fixture
def handler(function_env):
    function_env("TranslationsGetAppFunction")
    service.clear_cache()
    yield load_function("translations_get_app").lambda_handler
    service.clear_cache()


def _headers(response: dict) -> dict:
    return {k: v[-1] for k, v in response["multiValueHeaders"].items()}


def test_cold_read_makes_one_call_and_warm_reads_none(handler):
    counter = CallCounter()
    counter.attach(aws.client("dynamodb"))
    first = handler(event("translations_get_app"), Context())
    assert first["statusCode"] == 200 and json.loads(first["body"])["locale"] == "fr"
    assert counter.calls == ["BatchGetItem"]
    for _ in range(3):
        assert handler(event("translations_get_app"), Context())["statusCode"] == 200
    assert counter.calls == ["BatchGetItem"]  # cached, misses (fr-CA) included


def test_request_id_header_matches_api_gateway(handler):
    response = handler(event("translations_get_app"), Context())
    assert _headers(response)["X-Request-Id"] == "req-fixture-1"


def test_dynamodb_throttling_is_a_503_problem_with_retry_after(handler):
    stubber = Stubber(aws.client("dynamodb"))
    stubber.add_client_error(
        "batch_get_item", service_error_code="ProvisionedThroughputExceededException", http_status_code=400
    )
    with stubber:
        response = handler(event("translations_get_app"), Context())
    body = json.loads(response["body"])
    assert response["statusCode"] == 503 and _headers(response)["Retry-After"] == "1"
    assert body["request_id"] == "req-fixture-1" and "Traceback" not in response["body"]


def test_an_unexpected_dynamodb_fault_is_a_500_without_internals(handler):
    stubber = Stubber(aws.client("dynamodb"))
    stubber.add_client_error(
        "batch_get_item",
        service_error_code="ValidationException",
        service_message="table eckospace-secret-name is broken",
        http_status_code=400,
    )
    with stubber:
        response = handler(event("translations_get_app"), Context())
    assert response["statusCode"] == 500
    assert "eckospace-secret-name" not in response["body"] and "Traceback" not in response["body"]
    assert _headers(response)["Content-Type"] == "application/problem+json"


def test_missing_authorizer_context_fails_closed(handler):
    unauthenticated = event("translations_get_app")
    unauthenticated["requestContext"]["authorizer"] = None
    response = handler(unauthenticated, Context())
    assert response["statusCode"] == 401


def test_missing_configuration_is_a_500_not_an_import_error(handler, monkeypatch):
    monkeypatch.delenv("ECKO_TRANSLATIONS_TABLE")
    response = handler(event("translations_get_app"), Context())
    assert response["statusCode"] == 500


def test_answers_match_the_committed_document(handler):
    """200 (with its ETag), 304 without content, and 404 for a deployment without catalogues, each
    as infra/openapi.json documents it."""
    ok = handler(event("translations_get_app"), Context())
    served = openapi_contract.check_lambda_answer("GET", "/api/translations/app", ok)
    assert served["locale"] == "fr" and _headers(ok)["ETag"]
    revalidate = event("translations_get_app")
    revalidate["headers"]["If-None-Match"] = _headers(ok)["ETag"]
    revalidate["multiValueHeaders"]["If-None-Match"] = [_headers(ok)["ETag"]]
    unchanged = handler(revalidate, Context())
    assert unchanged["statusCode"] == 304
    openapi_contract.check_lambda_answer("GET", "/api/translations/app", unchanged)
    service.clear_cache()
    with Stubber(aws.client("dynamodb")) as empty:  # no catalogue at all, not even the default locale's
        empty.add_response("batch_get_item", {"Responses": {os.environ["ECKO_TRANSLATIONS_TABLE"]: []}})
        missing = handler(event("translations_get_app"), Context())
    assert missing["statusCode"] == 404
    openapi_contract.check_lambda_answer("GET", "/api/translations/app", missing)
