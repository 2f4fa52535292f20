"""OAuth 2.0 for integrations over HTTP through the local stack: the client credentials grant
(RFC 6749 §4.4), its errors (§5.2), revocation (RFC 7009), the published JWKS, disabled
integrations and client secret rotation."""

from __future__ import annotations

import base64
import json
import time
from collections.abc import Iterator

import pytest
import requests

from eckospace import aws
from eckospace.identity import integrations, settings
from tests.support.local_stack import RunningStack

FORM = {"Content-Type": "application/x-www-form-urlencoded"}


@pytest.fixture(scope="module")
def admin(stack: RunningStack) -> Iterator[None]:
    """Operate on the stack's integrations the way the operator command does."""
    import os

    saved = os.environ.get(settings.INTEGRATIONS_TABLE.variable)
    os.environ[settings.INTEGRATIONS_TABLE.variable] = "eckospace-local-IntegrationsTable"
    aws.use_client("dynamodb", stack.aws("dynamodb"))
    yield
    aws.reset_clients()
    if saved is None:
        os.environ.pop(settings.INTEGRATIONS_TABLE.variable, None)
    else:
        os.environ[settings.INTEGRATIONS_TABLE.variable] = saved


def basic(client_id: str, secret: str) -> dict[str, str]:
    return {"Authorization": "Basic " + base64.b64encode(f"{client_id}:{secret}".encode()).decode()}


def post(stack: RunningStack, path: str, data: str | dict, *, api_key: str | None, headers=None) -> requests.Response:
    sent = {**FORM, **(headers or {})}
    if api_key:
        sent["x-api-key"] = api_key
    return requests.post(stack.url(path), data=data, headers=sent, timeout=30)


def token_for(stack, api_key, client_id, secret, **form) -> requests.Response:
    return post(
        stack,
        "/api/oauth/token",
        {"grant_type": "client_credentials", **form},
        api_key=api_key,
        headers=basic(client_id, secret),
    )


def translations(stack, api_key, token) -> int:
    return requests.get(
        stack.url("/api/translations/app"),
        timeout=30,
        headers={"x-api-key": api_key, "Authorization": f"Bearer {token}"},
    ).status_code


@pytest.fixture(scope="module")
def demo(stack) -> tuple[str, str]:
    return stack.credentials["client_id"], stack.credentials["client_secret"]


def test_client_secret_basic_gets_the_default_scopes_and_calls_the_api(stack, api_key, demo):
    response = token_for(stack, api_key, *demo)
    assert response.status_code == 200
    body = response.json()
    assert body["token_type"] == "Bearer" and body["expires_in"] == 900 and body["scope"] == "translations:read"
    assert response.headers["Cache-Control"] == "no-store" and response.headers["Pragma"] == "no-cache"
    header = json.loads(base64.urlsafe_b64decode(body["access_token"].split(".")[0] + "=="))
    assert header["alg"] == "ES256" and header["kid"] and header["typ"] == "at+jwt"
    assert translations(stack, api_key, body["access_token"]) == 200


def test_client_secret_post_with_requested_scopes(stack, api_key, demo):
    response = post(
        stack,
        "/api/oauth/token",
        {
            "grant_type": "client_credentials",
            "client_id": demo[0],
            "client_secret": demo[1],
            "scope": "posts:read translations:read",
        },
        api_key=api_key,
    )
    assert response.status_code == 200 and response.json()["scope"] == "posts:read translations:read"


def test_a_token_without_the_route_scope_is_403(stack, api_key, demo):
    token = token_for(stack, api_key, *demo, scope="posts:read").json()["access_token"]
    assert translations(stack, api_key, token) == 403


@pytest.mark.parametrize(
    ("case", "form", "auth", "status", "error"),
    [
        ("wrong secret", {"grant_type": "client_credentials"}, "wrong", 401, "invalid_client"),
        ("unknown client", {"grant_type": "client_credentials"}, "unknown", 401, "invalid_client"),
        ("no credentials", {"grant_type": "client_credentials"}, None, 401, "invalid_client"),
        (
            "two auth methods",
            {"grant_type": "client_credentials", "client_id": "x", "client_secret": "y"},
            "good",
            400,
            "invalid_request",
        ),
        ("missing grant_type", {}, "good", 400, "invalid_request"),
        ("another grant", {"grant_type": "authorization_code", "code": "abc"}, "good", 400, "unsupported_grant_type"),
        (
            "unknown scope",
            {"grant_type": "client_credentials", "scope": "everything:please"},
            "good",
            400,
            "invalid_scope",
        ),
        ("repeated parameter", "grant_type=client_credentials&scope=a&scope=b", "good", 400, "invalid_request"),
    ],
)
def test_token_errors_follow_rfc_6749(stack, api_key, demo, case, form, auth, status, error):
    credentials = {"good": demo, "wrong": (demo[0], demo[1] + "x"), "unknown": ("ekc_0000000000000000", "s")}
    headers = basic(*credentials[auth]) if auth else {}
    response = post(stack, "/api/oauth/token", form, api_key=api_key, headers=headers)
    assert response.status_code == status, case
    assert response.json()["error"] == error and response.json()["error_description"]
    assert response.headers["Cache-Control"] == "no-store"
    if error == "invalid_client" and auth:
        assert response.headers["WWW-Authenticate"].startswith("Basic")
    assert demo[1] not in response.text


def test_token_endpoint_wants_form_bodies_and_an_api_key(stack, api_key, demo):
    as_json = requests.post(
        stack.url("/api/oauth/token"),
        json={"grant_type": "client_credentials"},
        timeout=30,
        headers={"x-api-key": api_key, **basic(*demo)},
    )
    assert as_json.status_code == 400 and as_json.json()["error"] == "invalid_request"
    assert token_for(stack, None, *demo).status_code == 403


def test_a_client_cannot_escalate_beyond_its_allowed_scopes(stack, api_key, admin):
    integration, secret = integrations.register(
        name="narrow",
        allowed_scopes={"translations:read"},
        default_scopes={"translations:read"},
        tier="free",
        api_key_id=None,
    )
    refused = token_for(stack, api_key, integration.client_id, secret, scope="translations:read admin:write")
    assert refused.status_code == 400 and refused.json()["error"] == "invalid_scope"
    assert "admin:write" in refused.json()["error_description"]


def test_revoked_tokens_are_refused_within_the_authorizer_cache_time(stack, api_key, demo):
    token = token_for(stack, api_key, *demo).json()["access_token"]
    assert translations(stack, api_key, token) == 200
    revoked = post(
        stack,
        "/api/oauth/revoke",
        {"token": token, "token_type_hint": "access_token"},
        api_key=api_key,
        headers=basic(*demo),
    )
    assert revoked.status_code == 200 and revoked.text == ""
    time.sleep(1.5)  # AuthorizerCacheSeconds is 1 in this stack
    assert translations(stack, api_key, token) == 401


def test_revocation_answers_200_for_unknown_tokens_and_refuses_other_clients_tokens(stack, api_key, demo, admin):
    assert (
        post(stack, "/api/oauth/revoke", {"token": "not-a-token"}, api_key=api_key, headers=basic(*demo)).status_code
        == 200
    )
    other, secret = integrations.register(
        name="other",
        allowed_scopes={"translations:read"},
        default_scopes={"translations:read"},
        tier="free",
        api_key_id=None,
    )
    theirs = token_for(stack, api_key, other.client_id, secret).json()["access_token"]
    refused = post(stack, "/api/oauth/revoke", {"token": theirs}, api_key=api_key, headers=basic(*demo))
    assert refused.status_code == 400 and refused.json()["error"] == "unauthorized_client"
    time.sleep(1.5)
    assert translations(stack, api_key, theirs) == 200  # still valid: it was not revoked


def test_a_disabled_integration_loses_its_tokens_and_cannot_get_new_ones(stack, api_key, admin):
    integration, secret = integrations.register(
        name="to-disable",
        allowed_scopes={"translations:read"},
        default_scopes={"translations:read"},
        tier="free",
        api_key_id=None,
    )
    token = token_for(stack, api_key, integration.client_id, secret).json()["access_token"]
    assert translations(stack, api_key, token) == 200
    integrations.set_enabled(integration.client_id, False)
    time.sleep(1.5)
    assert translations(stack, api_key, token) == 401
    assert token_for(stack, api_key, integration.client_id, secret).status_code == 401


def test_a_rotated_secret_works_until_its_overlap_ends(stack, api_key, admin):
    integration, old_secret = integrations.register(
        name="rotating",
        allowed_scopes={"translations:read"},
        default_scopes={"translations:read"},
        tier="free",
        api_key_id=None,
    )
    _, new_secret = integrations.rotate_secret(integration.client_id, overlap_seconds=2)
    assert token_for(stack, api_key, integration.client_id, old_secret).status_code == 200
    assert token_for(stack, api_key, integration.client_id, new_secret).status_code == 200
    time.sleep(2.5)
    assert token_for(stack, api_key, integration.client_id, old_secret).status_code == 401
    assert token_for(stack, api_key, integration.client_id, new_secret).status_code == 200


def test_jwks_is_public_and_names_the_signing_key(stack, api_key, demo):
    token = token_for(stack, api_key, *demo).json()["access_token"]
    kid = json.loads(base64.urlsafe_b64decode(token.split(".")[0] + "=="))["kid"]
    response = requests.get(stack.url("/.well-known/jwks.json"), timeout=30)  # no API key, no token
    assert response.status_code == 200 and "public" in response.headers["Cache-Control"]
    keys = response.json()["keys"]
    assert kid in {key["kid"] for key in keys}
    assert all("d" not in key for key in keys)  # public halves only


def test_logs_hold_no_client_secret_and_no_token(stack, api_key, demo):
    """Runs last in this module: everything above was logged by the stack and its functions."""
    token = token_for(stack, api_key, *demo).json()["access_token"]
    post(
        stack,
        "/api/oauth/token",
        {"grant_type": "client_credentials", "client_id": demo[0], "client_secret": demo[1] + "typo"},
        api_key=api_key,
    )
    translations(stack, api_key, token)
    log = stack.log()
    assert "client authentication failed" in log  # the failure was logged ...
    for secret in (demo[1], token, token.split(".")[2], api_key):
        assert secret not in log  # ... without what would let a reader of the logs act as the client
