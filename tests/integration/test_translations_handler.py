from __future__ import annotations

import os

import pytest
from botocore.stub import Stubber

from eckospace import aws
from eckospace.translations import service
from tests.integration.conftest import CallCounter, event, load_function
from tests.support import openapi_contract
from tests.support.lambda_proxy import Answer, Context


@pytest.fixture
def handler(function_env):
    function_env("TranslationsGetAppFunction")
    service.clear_cache()
    yield load_function("translations_get_app").lambda_handler
    service.clear_cache()


def answer(handler, request: dict) -> Answer:
    return Answer.of(handler(request, Context()))


def test_cold_read_makes_one_call_and_warm_reads_none(handler):
    counter = CallCounter()
    counter.attach(aws.client("dynamodb"))
    first = answer(handler, event("translations_get_app"))
    assert first.status == 200 and first.body["locale"] == "fr"
    assert counter.calls == ["BatchGetItem"]
    for _ in range(3):
        assert answer(handler, event("translations_get_app")).status == 200
    assert counter.calls == ["BatchGetItem"]  # cached, misses (fr-CA) included


def test_request_id_header_matches_api_gateway(handler):
    assert answer(handler, event("translations_get_app")).headers["X-Request-Id"] == "req-fixture-1"


def test_dynamodb_throttling_is_a_503_problem_with_retry_after(handler):
    stubber = Stubber(aws.client("dynamodb"))
    stubber.add_client_error(
        "batch_get_item", service_error_code="ProvisionedThroughputExceededException", http_status_code=400
    )
    with stubber:
        throttled = answer(handler, event("translations_get_app"))
    assert throttled.status == 503 and throttled.headers["Retry-After"] == "1"
    assert throttled.body["request_id"] == "req-fixture-1" and "Traceback" not in throttled.text


def test_an_unexpected_dynamodb_fault_is_a_500_without_internals(handler):
    stubber = Stubber(aws.client("dynamodb"))
    stubber.add_client_error(
        "batch_get_item",
        service_error_code="ValidationException",
        service_message="table eckospace-secret-name is broken",
        http_status_code=400,
    )
    with stubber:
        fault = answer(handler, event("translations_get_app"))
    assert fault.status == 500
    assert "eckospace-secret-name" not in fault.text and "Traceback" not in fault.text
    assert fault.headers["Content-Type"] == "application/problem+json"


def test_missing_authorizer_context_fails_closed(handler):
    unauthenticated = event("translations_get_app")
    unauthenticated["requestContext"]["authorizer"] = None
    assert answer(handler, unauthenticated).status == 401


def test_missing_configuration_is_a_500_not_an_import_error(handler, monkeypatch):
    monkeypatch.delenv("ECKO_TRANSLATIONS_TABLE")
    assert answer(handler, event("translations_get_app")).status == 500


def test_answers_match_the_committed_document(handler):
    """200 (with its ETag), 304 without content, and 404 for a deployment without catalogues, each
    as infra/openapi.json documents it."""
    ok = answer(handler, event("translations_get_app"))
    served = openapi_contract.check_lambda_answer("GET", "/api/translations/app", ok.result)
    assert served["locale"] == "fr" and ok.headers["ETag"]
    revalidate = event("translations_get_app")
    revalidate["headers"]["If-None-Match"] = ok.headers["ETag"]
    revalidate["multiValueHeaders"]["If-None-Match"] = [ok.headers["ETag"]]
    unchanged = answer(handler, revalidate)
    assert unchanged.status == 304
    openapi_contract.check_lambda_answer("GET", "/api/translations/app", unchanged.result)
    service.clear_cache()
    with Stubber(aws.client("dynamodb")) as empty:  # no catalogue at all, not even the default locale's
        empty.add_response("batch_get_item", {"Responses": {os.environ["ECKO_TRANSLATIONS_TABLE"]: []}})
        missing = answer(handler, event("translations_get_app"))
    assert missing.status == 404
    openapi_contract.check_lambda_answer("GET", "/api/translations/app", missing.result)
