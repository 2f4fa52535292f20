"""Google sign-in end to end: our API against a real OpenID Connect provider on loopback standing
in for Google, then the session it yields (one-time code, access token, rotating refresh token).
Each refused case is its own test and checks that nothing was created."""

from __future__ import annotations

import hashlib
import time
from collections.abc import Iterator
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest
import requests

from tests.support.local_stack import RunningStack, free_port, start_stack
from tests.support.oidc_provider import OidcAccount, RunningProvider, start_oidc_provider

CLIENT_ID = "eckospace-web"
CLIENT_SECRET = "provider-client-secret-for-tests-0123456789"
VERIFIED = OidcAccount("google-sub-ada", "ada@example.com", True, "Ada Lovelace")
UNVERIFIED = OidcAccount("google-sub-eve", "eve@example.com", False, "Eve")
COMPLETE_URL = "http://localhost:5173/auth/complete"


@pytest.fixture(scope="module")
def signin(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[RunningStack, RunningProvider]]:
    port = free_port()
    callback = f"http://127.0.0.1:{port}/social-login/callback/google"
    provider = start_oidc_provider(tmp_path_factory.mktemp("oidc"), client_id=CLIENT_ID, client_secret=CLIENT_SECRET,
                                   redirect_uris=[callback], accounts=[VERIFIED, UNVERIFIED])
    stack = start_stack(tmp_path_factory.mktemp("signin-stack"), port=port, overrides={
        "GoogleDiscoveryUrl": provider.discovery_url, "GoogleClientId": CLIENT_ID, "SignInCompleteUrl": COMPLETE_URL})
    stack.aws("secretsmanager").put_secret_value(SecretId="eckospace/dev/google-client-secret",
                                                 SecretString=CLIENT_SECRET)
    yield stack, provider
    stack.stop()
    provider.stop()


def start(stack: RunningStack) -> str:
    response = requests.get(stack.url("/social-login/redirect/google"), allow_redirects=False, timeout=30)
    assert response.status_code == 302 and response.headers["Cache-Control"] == "no-store"
    return response.headers["Location"]


def callback(stack: RunningStack, query: dict[str, str] | str) -> requests.Response:
    query_string = query if isinstance(query, str) else urlencode(query)
    return requests.get(stack.url(f"/social-login/callback/google?{query_string}"), allow_redirects=False, timeout=30)


def provider_redirect(stack, provider, login: str = VERIFIED.sub) -> dict[str, str]:
    """Sign in at the provider; the query it sends the browser back to us with."""
    back = provider.complete_login(start(stack), login)
    return {k: v[0] for k, v in parse_qs(urlsplit(back).query).items()}


def users_count(stack) -> int:
    return stack.aws("dynamodb").scan(TableName="eckospace-local-UsersTable", Select="COUNT")["Count"]


def state_item(stack, state: str) -> dict:
    return {"TableName": "eckospace-local-SignInStatesTable",
            "Key": {"pk": {"S": f"state#{hashlib.sha256(state.encode()).hexdigest()}"}}}


def session_for(stack, code: str) -> requests.Response:
    return requests.post(stack.url("/api/auth/session"), json={"code": code}, timeout=30,
                         headers={"x-api-key": stack.credentials["api_key"]})


def test_authorization_request_carries_state_nonce_and_pkce(signin):
    stack, provider = signin
    location = start(stack)
    query = {k: v[0] for k, v in parse_qs(urlsplit(location).query).items()}
    assert location.startswith(provider.discovery["authorization_endpoint"])
    assert query["code_challenge_method"] == "S256" and len(query["code_challenge"]) == 43
    assert len(query["state"]) >= 32 and len(query["nonce"]) >= 32 and query["client_id"] == CLIENT_ID
    assert query["redirect_uri"].endswith("/social-login/callback/google")
    assert start(stack) != location  # a fresh state each time


def test_full_sign_in_gives_a_one_time_code_then_a_session(signin):
    stack, provider = signin
    answer = callback(stack, provider_redirect(stack, provider))
    assert answer.status_code == 302
    location = answer.headers["Location"]
    assert location.startswith(COMPLETE_URL + "?code=") and "token" not in location
    code = parse_qs(urlsplit(location).query)["code"][0]
    session = session_for(stack, code)
    assert session.status_code == 200 and session.headers["Cache-Control"] == "no-store"
    tokens = session.json()
    me = requests.get(stack.url("/api/me"), timeout=30, headers={
        "x-api-key": stack.credentials["api_key"], "Authorization": f"Bearer {tokens['access_token']}"})
    assert me.status_code == 200 and me.json()["email"] == VERIFIED.email and me.json()["name"] == VERIFIED.name
    assert session_for(stack, code).status_code == 400  # the one-time code is spent

    refreshed = requests.post(stack.url("/api/auth/refresh"), json={"refresh_token": tokens["refresh_token"]},
                              headers={"x-api-key": stack.credentials["api_key"]}, timeout=30)
    assert refreshed.status_code == 200
    reuse = requests.post(stack.url("/api/auth/refresh"), json={"refresh_token": tokens["refresh_token"]},
                          headers={"x-api-key": stack.credentials["api_key"]}, timeout=30)
    assert reuse.status_code == 401
    family_dead = requests.post(stack.url("/api/auth/refresh"), json={"refresh_token": refreshed.json()["refresh_token"]},
                                headers={"x-api-key": stack.credentials["api_key"]}, timeout=30)
    assert family_dead.status_code == 401


def test_signing_in_again_finds_the_same_user(signin):
    stack, provider = signin
    before = users_count(stack)
    assert callback(stack, provider_redirect(stack, provider)).status_code == 302
    assert users_count(stack) == before


def test_missing_state_is_400(signin):
    stack, provider = signin
    query = provider_redirect(stack, provider)
    query.pop("state")
    before = users_count(stack)
    answer = callback(stack, query)
    assert answer.status_code == 400 and answer.json()["errors"][0]["name"] == "state"
    assert users_count(stack) == before


def test_unknown_state_is_400(signin):
    stack, provider = signin
    query = provider_redirect(stack, provider)
    query["state"] = "forged-" + query["state"]
    assert callback(stack, query).status_code == 400


def test_replayed_state_is_400(signin):
    stack, provider = signin
    query = provider_redirect(stack, provider)
    assert callback(stack, query).status_code == 302
    assert callback(stack, query).status_code == 400


def test_expired_state_is_400(signin):
    stack, provider = signin
    query = provider_redirect(stack, provider)
    stack.aws("dynamodb").update_item(**state_item(stack, query["state"]), UpdateExpression="SET expires_at = :past",
                                      ExpressionAttributeValues={":past": {"N": str(int(time.time()) - 1)}})
    assert callback(stack, query).status_code == 400


def test_replayed_code_is_refused(signin):
    stack, provider = signin
    first = provider_redirect(stack, provider)
    assert callback(stack, first).status_code == 302
    second = provider_redirect(stack, provider)
    second["code"] = first["code"]  # a live state, with a code the provider already redeemed
    answer = callback(stack, second)
    assert answer.status_code == 400 and answer.json()["type"] == "urn:eckospace:problem:sign-in-refused"


def test_pkce_verifier_mismatch_is_refused(signin):
    stack, provider = signin
    query = provider_redirect(stack, provider)
    stack.aws("dynamodb").update_item(**state_item(stack, query["state"]), UpdateExpression="SET verifier = :other",
                                      ExpressionAttributeValues={":other": {"S": "x" * 64}})
    assert callback(stack, query).status_code == 400


def test_nonce_mismatch_is_refused(signin):
    stack, provider = signin
    query = provider_redirect(stack, provider)
    stack.aws("dynamodb").update_item(**state_item(stack, query["state"]), UpdateExpression="SET nonce = :other",
                                      ExpressionAttributeValues={":other": {"S": "not-the-nonce-we-sent"}})
    before = users_count(stack)
    answer = callback(stack, query)
    assert answer.status_code == 400 and "not issued for this sign-in" in answer.json()["detail"]
    assert users_count(stack) == before


def test_unverified_email_is_refused_and_creates_nobody(signin):
    stack, provider = signin
    before = users_count(stack)
    answer = callback(stack, provider_redirect(stack, provider, login=UNVERIFIED.sub))
    assert answer.status_code == 400 and "not verified" in answer.json()["detail"]
    assert users_count(stack) == before


def test_cancelled_sign_in_is_400(signin):
    stack, provider = signin
    back = provider.cancel_login(start(stack))
    assert callback(stack, urlsplit(back).query).status_code == 400


def test_sign_in_logs_hold_no_secret(signin):
    stack, provider = signin
    query = provider_redirect(stack, provider)
    answer = callback(stack, query)
    code = parse_qs(urlsplit(answer.headers["Location"]).query)["code"][0]
    tokens = session_for(stack, code).json()
    log = stack.log()
    for secret in (CLIENT_SECRET, query["code"], code, tokens["access_token"], tokens["refresh_token"],
                   query["state"], VERIFIED.email):
        assert secret not in log
