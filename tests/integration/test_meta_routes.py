"""GET /api/meta/routes: the live routes of this deployment, their modules, and what the caller's
token may call."""

from __future__ import annotations

import pytest

from tests.integration.conftest import load_function
from tests.support import openapi_contract
from tests.support.lambda_proxy import invoke


@pytest.fixture
def routes(function_env):
    function_env("MetaRoutesListFunction")
    handler = load_function("meta_routes_list").lambda_handler

    def ask(scopes: str, token_use: str = "user") -> dict:
        authorizer = {"sub": "someone", "scope": scopes, "token_use": token_use}
        answer = invoke(handler, "GET", "/api/meta/routes", authorizer=authorizer)
        assert answer.status == 200, answer.text
        return answer.body

    return ask


def by_route(answer: dict) -> dict[tuple[str, str], dict]:
    return {(r["method"], r["path"]): r for r in answer["data"]}


def test_every_route_of_the_template_is_listed_with_its_scopes(routes, backend):
    listed = by_route(routes("translations:read"))
    assert set(listed) == {(r.method, r.path) for r in backend["template"].routes()}
    assert listed[("GET", "/api/wallet")]["scopes"] == ["wallet:read"]
    assert listed[("GET", "/api/wallet")]["module"] == "payments"
    assert listed[("POST", "/api/posts")]["module"] == "posts"
    assert listed[("GET", "/api/translations/app")]["module"] == "translations"
    assert listed[("POST", "/api/media/uploads")]["module"] == "media"
    assert listed[("GET", "/api/me")]["module"] == "core"  # identity: no parameter switches it off


def test_callable_follows_the_tokens_scopes_and_kind(routes):
    listed = by_route(routes("translations:read wallet:read"))
    assert listed[("GET", "/api/translations/app")]["callable"] is True
    assert listed[("GET", "/api/wallet")]["callable"] is True
    assert listed[("POST", "/api/wallet/top-ups")]["callable"] is False  # wallet:write missing
    assert listed[("GET", "/api/webhooks/endpoints")]["callable"] is False  # integrations' tokens only
    as_client = by_route(routes("webhooks:read", token_use="client"))
    assert as_client[("GET", "/api/webhooks/endpoints")]["callable"] is True
    assert as_client[("GET", "/api/me")]["callable"] is False  # a person's session only


def test_a_module_switched_off_is_left_out(routes, monkeypatch):
    monkeypatch.setenv("ECKO_MODULES", "payments=false,posts=true")
    answer = routes("translations:read")
    assert set(answer) == {"data", "next_cursor"} and answer["next_cursor"] is None
    modules = {r["module"] for r in answer["data"]}
    assert "payments" not in modules and {"core", "posts"} <= modules


def test_answers_match_the_committed_document(function_env, monkeypatch):
    function_env("MetaRoutesListFunction")
    monkeypatch.setenv("ECKO_MODULES", "payments=false,posts=true")
    handler = load_function("meta_routes_list").lambda_handler
    for token_use, scopes in (("user", "translations:read wallet:read"), ("client", "webhooks:read")):
        authorizer = {"sub": "someone", "scope": scopes, "token_use": token_use}
        answer = invoke(handler, "GET", "/api/meta/routes", authorizer=authorizer)
        listed = openapi_contract.check_lambda_answer("GET", "/api/meta/routes", answer.result)
        assert listed["data"] and any(route["callable"] for route in listed["data"])
