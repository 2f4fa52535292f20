"""Google sign-in end to end: our API against a real OpenID Connect provider on loopback standing
in for Google, then the session it yields (one-time code, access token, rotating refresh token).
Each refused case is its own test and checks that nothing was created.

The sign-in is bound to the browser that started it by a `__Host-` cookie, which is `Secure`. The
local stack speaks plain http on 127.0.0.1, and a client that keeps the cookie rules (requests'
cookie jar among them) never sends a `Secure` cookie over http: these tests play a browser on the
deployed API's https, reading the cookie from `Set-Cookie` and presenting it in a `Cookie` header
(`test_the_redirect_binds_the_sign_in_to_the_browser_with_a_host_only_cookie` shows both sides)."""

from __future__ import annotations

import hashlib
import time
from collections.abc import Iterator
from http.cookies import SimpleCookie
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest
import requests

from eckolocal.oidc import OidcAccount, RunningProvider, start_oidc_provider
from tests.support.local_stack import RunningStack, free_port, only_modules, start_stack
from tests.support.openapi_contract import check_answer

CLIENT_ID = "eckospace-web"
CLIENT_SECRET = "provider-client-secret-for-tests-0123456789"
VERIFIED = OidcAccount("google-sub-ada", "ada@example.com", True, "Ada Lovelace")
UNVERIFIED = OidcAccount("google-sub-eve", "eve@example.com", False, "Eve")
COMPLETE_URL = "http://localhost:5173/auth/complete"
BINDING_COOKIE = "__Host-eckospace-sign-in"


@pytest.fixture(scope="module")
def signin(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[RunningStack, RunningProvider]]:
    port = free_port()
    callback = f"http://127.0.0.1:{port}/social-login/callback/google"
    provider = start_oidc_provider(
        tmp_path_factory.mktemp("oidc"),
        client_id=CLIENT_ID,
        client_secret=CLIENT_SECRET,
        redirect_uris=[callback],
        accounts=[VERIFIED, UNVERIFIED],
    )
    # Sign-in and sessions are the identity stack's, which no parameter switches off: no module
    # beside it is needed.
    stack = start_stack(
        tmp_path_factory.mktemp("signin-stack"),
        port=port,
        overrides={
            **only_modules(),
            "GoogleDiscoveryUrl": provider.discovery_url,
            "GoogleClientId": CLIENT_ID,
            "SignInCompleteUrl": COMPLETE_URL,
            "AuthorizerCacheSeconds": "1",
        },
    )  # so the end of a session shows within a test
    stack.aws("secretsmanager").put_secret_value(
        SecretId="eckospace/dev/google-client-secret", SecretString=CLIENT_SECRET
    )
    yield stack, provider
    stack.stop()
    provider.stop()


def binding_cookie(response: requests.Response):
    """The sign-in cookie the response sets (a `Morsel`: its value and attributes)."""
    jar: SimpleCookie = SimpleCookie()
    for header in response.raw.headers.getlist("Set-Cookie"):
        jar.load(header)
    assert BINDING_COOKIE in jar, f"no {BINDING_COOKIE} cookie in {response.raw.headers.getlist('Set-Cookie')}"
    return jar[BINDING_COOKIE]


def start_bound(stack: RunningStack) -> tuple[str, str]:
    """Start a sign-in as a fresh browser: the provider URL, and the binding cookie's value."""
    response = requests.get(stack.url("/social-login/redirect/google"), allow_redirects=False, timeout=30)
    assert response.status_code == 302 and response.headers["Cache-Control"] == "no-store"
    return response.headers["Location"], binding_cookie(response).value


def start(stack: RunningStack) -> str:
    return start_bound(stack)[0]


def callback(stack: RunningStack, query: dict[str, str] | str, binding: str | None) -> requests.Response:
    """The browser follows the provider's redirect to us, with its sign-in cookie when it has one."""
    query_string = query if isinstance(query, str) else urlencode(query)
    cookies = {"Cookie": f"{BINDING_COOKIE}={binding}"} if binding is not None else {}
    return requests.get(
        stack.url(f"/social-login/callback/google?{query_string}"), allow_redirects=False, headers=cookies, timeout=30
    )


def provider_redirect(stack, provider, login: str = VERIFIED.sub) -> tuple[dict[str, str], str]:
    """Sign in at the provider; the query it sends the browser back to us with, and that browser's
    binding cookie."""
    location, binding = start_bound(stack)
    back = provider.complete_login(location, login)
    return {k: v[0] for k, v in parse_qs(urlsplit(back).query).items()}, binding


def signed_in_code(stack, provider) -> tuple[str, str]:
    """A finished sign-in: the one-time code the front end receives, and the browser's binding."""
    query, binding = provider_redirect(stack, provider)
    answer = callback(stack, query, binding)
    assert answer.status_code == 302, answer.text
    return parse_qs(urlsplit(answer.headers["Location"]).query)["code"][0], binding


def state_exists(stack, state: str) -> bool:
    return "Item" in stack.aws("dynamodb").get_item(**state_item(stack, state), ConsistentRead=True)


def users_count(stack) -> int:
    return stack.aws("dynamodb").scan(TableName="eckospace-local-UsersTable", Select="COUNT")["Count"]


def state_item(stack, state: str) -> dict:
    return {
        "TableName": "eckospace-local-SignInStatesTable",
        "Key": {"pk": {"S": f"state#{hashlib.sha256(state.encode()).hexdigest()}"}},
    }


def session_for(stack, code: str, binding: str | None) -> requests.Response:
    """The front end's server exchanges the code, passing on the binding cookie its page received."""
    body = {"code": code} if binding is None else {"code": code, "binding": binding}
    return requests.post(
        stack.url("/api/auth/session"), json=body, timeout=30, headers={"x-api-key": stack.credentials["api_key"]}
    )


def test_authorization_request_carries_state_nonce_and_pkce(signin):
    stack, provider = signin
    location = start(stack)
    query = {k: v[0] for k, v in parse_qs(urlsplit(location).query).items()}
    assert location.startswith(provider.discovery["authorization_endpoint"])
    assert query["code_challenge_method"] == "S256" and len(query["code_challenge"]) == 43
    assert len(query["state"]) >= 32 and len(query["nonce"]) >= 32 and query["client_id"] == CLIENT_ID
    assert query["redirect_uri"].endswith("/social-login/callback/google")
    assert start(stack) != location  # a fresh state each time


def test_the_redirect_binds_the_sign_in_to_the_browser_with_a_host_only_cookie(signin):
    stack, _ = signin
    with requests.Session() as browser:
        response = browser.get(stack.url("/social-login/redirect/google"), allow_redirects=False, timeout=30)
        cookie = binding_cookie(response)
        assert cookie["path"] == "/" and cookie["secure"] and cookie["httponly"] and not cookie["domain"]
        assert cookie["samesite"] == "Lax" and 0 < int(cookie["max-age"]) <= 15 * 60
        assert len(cookie.value) >= 43  # 256 random bits
        # A cookie jar that keeps the rules holds the Secure cookie but sends it back over https only:
        # over the local stack's plain http it would never reach the callback.
        assert BINDING_COOKIE in browser.cookies
        later = browser.prepare_request(requests.Request("GET", stack.url("/social-login/callback/google")))
        assert "Cookie" not in later.headers
    state = parse_qs(urlsplit(response.headers["Location"]).query)["state"][0]
    stored = stack.aws("dynamodb").get_item(**state_item(stack, state), ConsistentRead=True)["Item"]
    assert cookie.value not in str(stored)  # kept as a digest only
    assert start_bound(stack)[1] != cookie.value  # a fresh binding each time


def test_a_callback_opened_in_a_browser_without_the_cookie_is_refused_and_consumes_nothing(signin):
    # Login CSRF: the attacker signs in at the provider and sends the victim the callback URL.
    stack, provider = signin
    query, attacker_binding = provider_redirect(stack, provider)
    before = users_count(stack)
    answer = callback(stack, query, None)
    assert answer.status_code == 403, answer.text
    problem = answer.json()
    assert problem["type"] == "urn:eckospace:problem:sign-in-browser-mismatch" and "start" in problem["detail"]
    assert "Location" not in answer.headers and users_count(stack) == before
    assert state_exists(stack, query["state"])  # nothing consumed: the browser that started it still finishes
    assert callback(stack, query, attacker_binding).status_code == 302


def test_a_callback_with_another_browsers_cookie_is_refused_and_consumes_nothing(signin):
    stack, provider = signin
    attacker_query, attacker_binding = provider_redirect(stack, provider)
    victim_query, victim_binding = provider_redirect(stack, provider)
    answer = callback(stack, attacker_query, victim_binding)
    assert answer.status_code == 403 and answer.json()["type"] == "urn:eckospace:problem:sign-in-browser-mismatch"
    assert "Location" not in answer.headers
    assert state_exists(stack, attacker_query["state"]) and state_exists(stack, victim_query["state"])
    assert callback(stack, victim_query, victim_binding).status_code == 302  # the victim's own sign-in is intact
    assert callback(stack, attacker_query, attacker_binding).status_code == 302


def test_the_code_is_exchanged_only_with_the_binding_of_the_browser_that_signed_in(signin):
    # The attacker finishes the callback in their own browser and sends the victim the front end's
    # URL with their code: the victim's front end passes on the victim's binding, which does not match.
    stack, provider = signin
    code, binding = signed_in_code(stack, provider)
    _, other_binding = start_bound(stack)
    foreign = session_for(stack, code, other_binding)
    assert foreign.status_code == 403 and foreign.json()["type"] == "urn:eckospace:problem:sign-in-browser-mismatch"
    missing = session_for(stack, code, None)
    assert missing.status_code == 400 and missing.json()["errors"][0]["name"] == "binding"
    session = session_for(stack, code, binding)  # neither refusal spent the code
    assert session.status_code == 200 and session.json()["refresh_token"].startswith("ekr_")
    assert session_for(stack, code, binding).status_code == 401  # spent, as a used refresh token is


def test_logout_ends_the_session_for_its_access_and_refresh_tokens(signin):
    stack, provider = signin
    tokens = session_for(stack, *signed_in_code(stack, provider)).json()
    api_key = stack.credentials["api_key"]
    bearer = {"x-api-key": api_key, "Authorization": f"Bearer {tokens['access_token']}"}
    assert requests.get(stack.url("/api/me"), headers=bearer, timeout=30).status_code == 200
    logout = requests.post(stack.url("/api/auth/logout"), headers=bearer, timeout=30)
    assert logout.status_code == 204 and logout.content == b""
    again = requests.post(stack.url("/api/auth/logout"), headers=bearer, timeout=30)
    assert again.status_code in (204, 401)  # idempotent: done again, or the token is already refused
    refreshed = requests.post(
        stack.url("/api/auth/refresh"),
        json={"refresh_token": tokens["refresh_token"]},
        headers={"x-api-key": api_key},
        timeout=30,
    )
    assert refreshed.status_code == 401
    time.sleep(1.5)  # the authorizer's cache (one second here, five minutes by default)
    assert requests.get(stack.url("/api/me"), headers=bearer, timeout=30).status_code == 401
    assert requests.post(stack.url("/api/auth/logout"), headers=bearer, timeout=30).status_code == 401


def test_full_sign_in_gives_a_one_time_code_then_a_session(signin):
    stack, provider = signin
    query, binding = provider_redirect(stack, provider)
    answer = callback(stack, query, binding)
    assert answer.status_code == 302
    location = answer.headers["Location"]
    assert location.startswith(COMPLETE_URL + "?code=") and "token" not in location and binding not in location
    code = parse_qs(urlsplit(location).query)["code"][0]
    session = session_for(stack, code, binding)
    assert session.status_code == 200 and session.headers["Cache-Control"] == "no-store"
    tokens = session.json()
    me = requests.get(
        stack.url("/api/me"),
        timeout=30,
        headers={"x-api-key": stack.credentials["api_key"], "Authorization": f"Bearer {tokens['access_token']}"},
    )
    assert me.status_code == 200 and me.json()["email"] == VERIFIED.email and me.json()["name"] == VERIFIED.name
    assert session_for(stack, code, binding).status_code == 401  # the one-time code is spent

    refreshed = requests.post(
        stack.url("/api/auth/refresh"),
        json={"refresh_token": tokens["refresh_token"]},
        headers={"x-api-key": stack.credentials["api_key"]},
        timeout=30,
    )
    assert refreshed.status_code == 200
    reuse = requests.post(
        stack.url("/api/auth/refresh"),
        json={"refresh_token": tokens["refresh_token"]},
        headers={"x-api-key": stack.credentials["api_key"]},
        timeout=30,
    )
    assert reuse.status_code == 401
    family_dead = requests.post(
        stack.url("/api/auth/refresh"),
        json={"refresh_token": refreshed.json()["refresh_token"]},
        headers={"x-api-key": stack.credentials["api_key"]},
        timeout=30,
    )
    assert family_dead.status_code == 401


def test_every_sign_in_answer_holds_to_the_openapi_document(signin):
    stack, provider = signin

    def checked(method: str, path: str, answer: requests.Response):
        return check_answer(method, path, answer.status_code, answer.headers, answer.content)

    started = requests.get(stack.url("/social-login/redirect/google"), allow_redirects=False, timeout=30)
    assert started.status_code == 302 and checked("GET", "/social-login/redirect/google", started) is None
    callback_path = "/social-login/callback/google"
    query, binding = provider_redirect(stack, provider)
    assert checked("GET", callback_path, callback(stack, query, None))["status"] == 403
    finished = callback(stack, query, binding)
    assert finished.status_code == 302 and checked("GET", callback_path, finished) is None
    assert checked("GET", callback_path, callback(stack, query, binding))["status"] == 400  # replayed
    missing_state = checked("GET", callback_path, callback(stack, {"code": query["code"]}, binding))
    assert missing_state["errors"] == [{"in": "query", "name": "state", "detail": "Field required"}]
    location, cancelled_binding = start_bound(stack)
    cancelled = callback(stack, urlsplit(provider.cancel_login(location)).query, cancelled_binding)
    assert checked("GET", callback_path, cancelled)["type"] == "urn:eckospace:problem:sign-in-refused"

    code = parse_qs(urlsplit(finished.headers["Location"]).query)["code"][0]
    tokens = checked("POST", "/api/auth/session", session_for(stack, code, binding))
    bearer = {"x-api-key": stack.credentials["api_key"], "Authorization": f"Bearer {tokens['access_token']}"}
    me = checked("GET", "/api/me", requests.get(stack.url("/api/me"), headers=bearer, timeout=30))
    assert me["email"] == VERIFIED.email and me["created_at"].endswith("Z") and "created" not in me
    renewed = requests.post(
        stack.url("/api/auth/refresh"),
        json={"refresh_token": tokens["refresh_token"]},
        headers={"x-api-key": stack.credentials["api_key"]},
        timeout=30,
    )
    assert checked("POST", "/api/auth/refresh", renewed)["refresh_token"] != tokens["refresh_token"]
    logout = requests.post(stack.url("/api/auth/logout"), headers=bearer, timeout=30)
    assert logout.status_code == 204 and checked("POST", "/api/auth/logout", logout) is None


def test_signing_in_again_finds_the_same_user(signin):
    stack, provider = signin
    before = users_count(stack)
    assert callback(stack, *provider_redirect(stack, provider)).status_code == 302
    assert users_count(stack) == before


def test_missing_state_is_400(signin):
    stack, provider = signin
    query, binding = provider_redirect(stack, provider)
    query.pop("state")
    before = users_count(stack)
    answer = callback(stack, query, binding)
    assert answer.status_code == 400 and answer.json()["errors"][0]["name"] == "state"
    assert users_count(stack) == before


def test_a_provider_error_is_heard_only_from_the_browser_that_started_the_sign_in(signin):
    stack, provider = signin
    query, binding = provider_redirect(stack, provider)
    forged = callback(stack, {**query, "error": "access_denied"}, None)  # no sign-in cookie: not this browser's
    assert forged.status_code == 403
    assert forged.json()["type"] == "urn:eckospace:problem:sign-in-browser-mismatch"
    assert callback(stack, query, binding).status_code == 302  # nothing was consumed


def test_unknown_state_is_400(signin):
    stack, provider = signin
    query, binding = provider_redirect(stack, provider)
    query["state"] = "forged-" + query["state"]
    assert callback(stack, query, binding).status_code == 400


def test_replayed_state_is_400(signin):
    stack, provider = signin
    query, binding = provider_redirect(stack, provider)
    assert callback(stack, query, binding).status_code == 302
    assert callback(stack, query, binding).status_code == 400


def test_expired_state_is_400(signin):
    stack, provider = signin
    query, binding = provider_redirect(stack, provider)
    stack.aws("dynamodb").update_item(
        **state_item(stack, query["state"]),
        UpdateExpression="SET expires_at = :past",
        ExpressionAttributeValues={":past": {"N": str(int(time.time()) - 1)}},
    )
    assert callback(stack, query, binding).status_code == 400


def test_replayed_code_is_refused(signin):
    stack, provider = signin
    first, first_binding = provider_redirect(stack, provider)
    assert callback(stack, first, first_binding).status_code == 302
    second, binding = provider_redirect(stack, provider)
    second["code"] = first["code"]  # a live state, with a code the provider already redeemed
    answer = callback(stack, second, binding)
    assert answer.status_code == 400 and answer.json()["type"] == "urn:eckospace:problem:sign-in-refused"


def test_pkce_verifier_mismatch_is_refused(signin):
    stack, provider = signin
    query, binding = provider_redirect(stack, provider)
    stack.aws("dynamodb").update_item(
        **state_item(stack, query["state"]),
        UpdateExpression="SET verifier = :other",
        ExpressionAttributeValues={":other": {"S": "x" * 64}},
    )
    assert callback(stack, query, binding).status_code == 400


def test_nonce_mismatch_is_refused(signin):
    stack, provider = signin
    query, binding = provider_redirect(stack, provider)
    stack.aws("dynamodb").update_item(
        **state_item(stack, query["state"]),
        UpdateExpression="SET nonce = :other",
        ExpressionAttributeValues={":other": {"S": "not-the-nonce-we-sent"}},
    )
    before = users_count(stack)
    answer = callback(stack, query, binding)
    assert answer.status_code == 400 and "not issued for this sign-in" in answer.json()["detail"]
    assert users_count(stack) == before


def test_unverified_email_is_refused_and_creates_nobody(signin):
    stack, provider = signin
    before = users_count(stack)
    answer = callback(stack, *provider_redirect(stack, provider, login=UNVERIFIED.sub))
    assert answer.status_code == 400 and "not verified" in answer.json()["detail"]
    assert users_count(stack) == before


def test_cancelled_sign_in_is_400(signin):
    stack, provider = signin
    location, binding = start_bound(stack)
    back = provider.cancel_login(location)
    assert callback(stack, urlsplit(back).query, binding).status_code == 400


def test_sign_in_logs_hold_no_secret(signin):
    stack, provider = signin
    query, binding = provider_redirect(stack, provider)
    answer = callback(stack, query, binding)
    code = parse_qs(urlsplit(answer.headers["Location"]).query)["code"][0]
    tokens = session_for(stack, code, binding).json()
    log = stack.log()
    for secret in (
        CLIENT_SECRET,
        query["code"],
        code,
        tokens["access_token"],
        tokens["refresh_token"],
        query["state"],
        binding,
        VERIFIED.email,
    ):
        assert secret not in log
