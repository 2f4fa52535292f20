"""The identity routes' real answers (and the Stripe webhook's), from their handlers in-process
against the emulator, hold to what the committed OpenAPI document says of them: every status
they answer is documented, and every body matches its schema exactly (RFC 6749 / 7009 shapes for
OAuth, problem+json elsewhere), times included (`created_at`, RFC 3339 UTC)."""

from __future__ import annotations

import base64
import json
import uuid
from typing import Any
from urllib.parse import urlencode

import pytest
import stripe

from eckospace import aws
from eckospace.identity import integrations, jwks, sessions, signing, users
from eckospace.payments import stripe_webhooks
from tests.integration.conftest import load_function
from tests.support.lambda_proxy import invoke
from tests.support.openapi_contract import check_answer

BINDING = "browser-binding-" + "c" * 32
FORM = "application/x-www-form-urlencoded"
STRIPE_SECRET_ID = "eckospace/dev/stripe-webhook-secrets"
STRIPE_SECRET = "whsec_contract_" + "d" * 20


def answered(handler, method: str, path: str, **request: Any) -> tuple[int, Any]:
    """Call the handler; check its answer against the document; the status and the parsed body."""
    answer = invoke(handler, method, path, **request)
    return answer.status, check_answer(method, path, answer.status, answer.headers, answer.text)


def form_request(
    fields: dict[str, str], *, basic: tuple[str, str] | None = None, content_type: str = FORM
) -> dict[str, Any]:
    """An OAuth client's form request: its body and headers, for `invoke`."""
    headers = {"Content-Type": content_type}
    if basic:
        headers["Authorization"] = "Basic " + base64.b64encode(f"{basic[0]}:{basic[1]}".encode()).decode()
    return {"body": urlencode(fields), "headers": headers}


@pytest.fixture
def oauth(function_env):
    for function in ("OAuthTokenFunction", "OAuthRevokeFunction", "JwksGetFunction"):
        function_env(function)
    signing._provider.cache_clear()
    jwks._provider.cache_clear()
    jwks.verifier.cache_clear()
    yield {name: load_function(name).lambda_handler for name in ("oauth_token", "oauth_revoke", "jwks_get")}
    jwks._provider.cache_clear()
    jwks.verifier.cache_clear()


def new_integration() -> tuple[str, str]:
    integration, secret = integrations.register(
        name=f"contract-{uuid.uuid4().hex[:6]}",
        allowed_scopes={"translations:read", "posts:read"},
        default_scopes={"translations:read"},
        tier="free",
        api_key_id=None,
    )
    return integration.client_id, secret


def test_the_token_endpoint_answers_as_documented(oauth):
    token = oauth["oauth_token"]
    client = new_integration()
    path = "/api/oauth/token"
    status, body = answered(token, "POST", path, **form_request({"grant_type": "client_credentials"}, basic=client))
    assert status == 200 and body["token_type"] == "Bearer" and body["scope"] == "translations:read"
    status, body = answered(
        token,
        "POST",
        path,
        **form_request(
            {
                "grant_type": "client_credentials",
                "client_id": client[0],
                "client_secret": client[1],
                "scope": "posts:read",
            },
        ),
    )
    assert status == 200 and body["scope"] == "posts:read"
    refusals = [
        ({"grant_type": "client_credentials", "scope": "admin:write"}, client, FORM, 400, "invalid_scope"),
        ({"grant_type": "password"}, client, FORM, 400, "unsupported_grant_type"),
        ({}, client, FORM, 400, "invalid_request"),
        ({"grant_type": "client_credentials"}, client, "application/json", 400, "invalid_request"),
        ({"grant_type": "client_credentials", "client_id": client[0]}, client, FORM, 400, "invalid_request"),
        ({"grant_type": "client_credentials"}, (client[0], "wrong"), FORM, 401, "invalid_client"),
        ({"grant_type": "client_credentials"}, None, FORM, 401, "invalid_client"),
    ]
    for form, basic, content_type, expected, error in refusals:
        status, body = answered(token, "POST", path, **form_request(form, basic=basic, content_type=content_type))
        assert (status, body["error"]) == (expected, error), form


def test_the_revocation_endpoint_answers_as_documented(oauth):
    token, revoke = oauth["oauth_token"], oauth["oauth_revoke"]
    mine, theirs = new_integration(), new_integration()

    def access_token(client: tuple[str, str]) -> str:
        grant = form_request({"grant_type": "client_credentials"}, basic=client)
        return invoke(token, "POST", "/api/oauth/token", **grant).body["access_token"]

    path = "/api/oauth/revoke"
    status, body = answered(revoke, "POST", path, **form_request({"token": access_token(mine)}, basic=mine))
    assert (status, body) == (200, None)  # no content
    status, body = answered(revoke, "POST", path, **form_request({"token": "not-a-token"}, basic=mine))
    assert (status, body) == (200, None)  # nothing to revoke says nothing
    status, body = answered(revoke, "POST", path, **form_request({"token": access_token(theirs)}, basic=mine))
    assert (status, body["error"]) == (400, "unauthorized_client")
    status, body = answered(revoke, "POST", path, **form_request({}, basic=mine))
    assert (status, body["error"]) == (400, "invalid_request")
    status, body = answered(revoke, "POST", path, **form_request({"token": "x"}, basic=(mine[0], "wrong")))
    assert (status, body["error"]) == (401, "invalid_client")


def test_the_published_keys_answer_as_documented(oauth, backend):
    status, body = answered(oauth["jwks_get"], "GET", "/.well-known/jwks.json")
    assert status == 200 and backend["ring"].active_kid in {key["kid"] for key in body["keys"]}


@pytest.fixture
def session_handlers(function_env):
    for function in ("AuthSessionCreateFunction", "AuthSessionRefreshFunction", "AuthLogoutFunction", "MeGetFunction"):
        function_env(function)
    signing._provider.cache_clear()
    return {
        name: load_function(name).lambda_handler
        for name in ("auth_session_create", "auth_session_refresh", "auth_logout", "me_get")
    }


def test_sessions_answer_as_documented(session_handlers):
    create, refresh = session_handlers["auth_session_create"], session_handlers["auth_session_refresh"]
    user = users.find_or_create("google", "contract-sub-1", email="grace@example.com", name="Grace")
    code = sessions.new_sign_in_code(user.id, BINDING)
    path = "/api/auth/session"
    status, problem = answered(create, "POST", path, body={"code": code, "binding": "another-browser-" + "e" * 20})
    assert status == 403 and problem["type"] == "urn:eckospace:problem:sign-in-browser-mismatch"
    status, session = answered(create, "POST", path, body={"code": code, "binding": BINDING})
    assert status == 200 and session["refresh_token"].startswith("ekr_")
    status, problem = answered(create, "POST", path, body={"code": code, "binding": BINDING})
    assert status == 401 and problem["errors"][0]["name"] == "code"  # spent

    path = "/api/auth/refresh"
    status, renewed = answered(refresh, "POST", path, body={"refresh_token": session["refresh_token"]})
    assert status == 200 and renewed["refresh_token"] != session["refresh_token"]
    status, problem = answered(refresh, "POST", path, body={"refresh_token": session["refresh_token"]})
    assert status == 401 and "already used" in problem["detail"]


def test_logout_and_me_answer_as_documented(session_handlers):
    logout, me = session_handlers["auth_logout"], session_handlers["me_get"]
    user = users.find_or_create("google", "contract-sub-2", email="hopper@example.com", name=None)
    session = sessions.exchange_sign_in_code(sessions.new_sign_in_code(user.id, BINDING), BINDING)
    principal = {"sub": user.id, "scope": session["scope"], "token_use": "user"}

    status, body = answered(me, "GET", "/api/me", authorizer=principal)
    assert status == 200 and body["id"] == user.id and body["name"] is None
    assert "created" not in body and body["created_at"].endswith("Z")
    status, problem = answered(me, "GET", "/api/me", authorizer={**principal, "sub": "gone-user"})
    assert status == 404 and problem["status"] == 404

    status, problem = answered(logout, "POST", "/api/auth/logout", authorizer=principal)
    assert status == 403 and "no sign-in session" in problem["detail"]  # a developer token has no session
    sid = session_id_of(session["access_token"])
    status, body = answered(logout, "POST", "/api/auth/logout", authorizer={**principal, "sid": sid})
    assert (status, body) == (204, None)


def session_id_of(access_token: str) -> str:
    claims = access_token.split(".")[1]
    return json.loads(base64.urlsafe_b64decode(claims + "=" * (-len(claims) % 4)))["sid"]


@pytest.fixture
def stripe_webhook(function_env):
    function_env("PaymentsStripeWebhookFunction")
    aws.client("secretsmanager").put_secret_value(
        SecretId=STRIPE_SECRET_ID, SecretString=json.dumps({"current": STRIPE_SECRET})
    )
    stripe_webhooks._secrets_provider.cache_clear()
    yield load_function("payments_stripe_webhook").lambda_handler
    stripe_webhooks._secrets_provider.cache_clear()


def test_the_stripe_webhook_answers_as_documented(stripe_webhook):
    path = "/payment/stripe/webhook"

    def deliver(body: str, signature: str | None = "sign") -> tuple[int, Any]:
        if signature == "sign":
            signature = stripe.WebhookSignature.generate_signature_header(body, STRIPE_SECRET)
        headers = {"Content-Type": "application/json; charset=utf-8"}
        return answered(
            stripe_webhook,
            "POST",
            path,
            body=body,
            headers=headers | ({"Stripe-Signature": signature} if signature else {}),
        )

    handled = json.dumps(
        {
            "id": f"evt_{uuid.uuid4().hex[:24]}",
            "object": "event",
            "type": "charge.refunded",
            "data": {"object": {"id": "ch_1"}},
        }
    )
    assert deliver(handled) == (200, {"received": True, "outcome": "queued"})
    assert deliver(handled) == (200, {"received": True, "outcome": "duplicate"})
    other = json.dumps(
        {
            "id": f"evt_{uuid.uuid4().hex[:24]}",
            "object": "event",
            "type": "customer.created",
            "data": {"object": {"id": "cus_1"}},
        }
    )
    assert deliver(other) == (200, {"received": True, "outcome": "ignored"})
    for body, signature, expected, problem_type in [
        (handled, None, 401, "invalid-signature"),
        (handled, "t=1,v1=00", 401, "invalid-signature"),
        (json.dumps({"id": "not-an-event", "type": "x"}), "sign", 400, "invalid-request"),
        ("[]", "sign", 400, "invalid-request"),
    ]:
        status, problem = deliver(body, signature)
        assert (status, problem["type"]) == (expected, f"urn:eckospace:problem:{problem_type}")
