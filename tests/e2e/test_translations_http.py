"""GET /api/translations/app over real HTTP through the local stack (gateway, authorizer, usage
plans, worker processes, the emulator)."""

from __future__ import annotations

import base64
import time

import pytest
import requests

from eckolocal.usage import ensure_api_key
from eckospace.identity.keys import KeyRing
from tests.support.local_stack import RunningStack
from tests.support.tokens import AUDIENCE, ISSUER, mint, tampered, unsigned

PATH = "/api/translations/app"
PROBLEM = "application/problem+json"


def get(stack: RunningStack, *, api_key: str | None, token: str | None, params=None, headers=None):
    sent = dict(headers or {})
    if api_key is not None:
        sent["x-api-key"] = api_key
    if token is not None:
        sent["Authorization"] = f"Bearer {token}"
    return requests.get(stack.url(PATH), params=params, headers=sent, timeout=30)


@pytest.fixture(scope="module")
def reader(keyring) -> str:
    return mint(keyring, ["translations:read"])


def test_fallback_chain_serves_the_nearest_catalogue(stack, api_key, reader):
    response = get(stack, api_key=api_key, token=reader, params={"locale": "fr-CA"})
    assert response.status_code == 200
    body = response.json()
    assert body["locale"] == "fr" and body["requested_locale"] == "fr-CA"
    assert response.headers["Content-Language"] == "fr"
    assert body["messages"]["nav.home"] == "Accueil"
    assert response.headers["X-Request-Id"]
    assert response.headers["ETag"].startswith('"') and not response.headers["ETag"].startswith("W/")
    assert "private" in response.headers["Cache-Control"] and "max-age=" in response.headers["Cache-Control"]


@pytest.mark.parametrize(
    ("asked", "served"),
    [("en", "en"), ("pt-BR", "pt-BR"), ("pt-PT", "en"), ("zh-Hant-TW", "en"), ("DE-at", "de"), ("es-419", "es")],
)
def test_locale_resolution(stack, api_key, reader, asked, served):
    response = get(stack, api_key=api_key, token=reader, params={"locale": asked})
    assert response.status_code == 200
    assert response.json()["locale"] == served == response.headers["Content-Language"]


def test_right_to_left_locale_says_so(stack, api_key, reader):
    body = get(stack, api_key=api_key, token=reader, params={"locale": "ar-EG"}).json()
    assert body["locale"] == "ar" and body["direction"] == "rtl"


def test_accept_language_decides_without_locale(stack, api_key, reader):
    response = get(stack, api_key=api_key, token=reader, headers={"Accept-Language": "xx;q=0.9, es-MX;q=0.8, fr;q=0.1"})
    assert response.status_code == 200
    assert response.json()["locale"] == "es" and response.json()["requested_locale"] is None


def test_if_none_match_gives_304_without_body(stack, api_key, reader):
    first = get(stack, api_key=api_key, token=reader, params={"locale": "de"})
    etag = first.headers["ETag"]
    for header in (etag, f'"other", {etag}', f"W/{etag}", "*"):
        again = get(stack, api_key=api_key, token=reader, params={"locale": "de"}, headers={"If-None-Match": header})
        assert again.status_code == 304, header
        assert again.content == b""
        assert again.headers["ETag"] == etag
    changed = get(stack, api_key=api_key, token=reader, params={"locale": "de"}, headers={"If-None-Match": '"stale"'})
    assert changed.status_code == 200 and changed.json()["locale"] == "de"


def test_etag_differs_between_locales(stack, api_key, reader):
    tags = {
        get(stack, api_key=api_key, token=reader, params={"locale": loc}).headers["ETag"] for loc in ("en", "fr", "ar")
    }
    assert len(tags) == 3


@pytest.mark.parametrize(
    "locale",
    [
        "",
        "e",
        "en_US",
        "12-%",
        "en--US",
        "toolongsubtag-en",
        "<script>",
        "en-US-" + "x" * 40,
        "en-a",
        "a" * 70,
        "en\u00e9",
    ],
)
def test_malformed_locale_is_a_400_problem(stack, api_key, reader, locale):
    response = get(stack, api_key=api_key, token=reader, params={"locale": locale})
    assert response.status_code == 400
    assert response.headers["Content-Type"].startswith(PROBLEM)
    problem = response.json()
    assert problem["status"] == 400 and problem["type"].startswith("urn:eckospace:problem:")
    assert problem["errors"][0]["name"] == "locale" and problem["errors"][0]["in"] == "query"
    assert problem["request_id"] == response.headers["X-Request-Id"]


def test_missing_token_is_401(stack, api_key):
    response = get(stack, api_key=api_key, token=None)
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"].startswith("Bearer")
    assert response.json()["status"] == 401


def _hmac_with_public_key(keyring) -> str:
    """HS256 signed with the published (public) key as the secret: the algorithm-confusion attack."""
    import hashlib
    import hmac
    import json

    def b64(raw: bytes) -> str:
        return base64.urlsafe_b64encode(raw).decode().rstrip("=")

    header = b64(json.dumps({"alg": "HS256", "typ": "at+jwt", "kid": keyring.active_kid}).encode())
    claims = b64(
        json.dumps(
            {
                "sub": "x",
                "iss": ISSUER,
                "aud": AUDIENCE,
                "scope": "translations:read",
                "jti": "j",
                "iat": int(time.time()),
                "exp": int(time.time()) + 300,
            }
        ).encode()
    )
    secret = json.dumps(keyring.jwks()["keys"][0]).encode()
    return f"{header}.{claims}.{b64(hmac.new(secret, f'{header}.{claims}'.encode(), hashlib.sha256).digest())}"


HOSTILE_TOKENS = {
    "garbage": lambda ring: "not-a-jwt",
    "alg none": lambda ring: unsigned({"sub": "x", "scope": "translations:read", "exp": 9999999999}, ring.active_kid),
    "hmac with the public key": _hmac_with_public_key,
    "tampered payload": lambda ring: tampered(mint(ring, ["posts:read"]), scope="translations:read admin:write"),
    "expired": lambda ring: mint(ring, ["translations:read"], ttl_seconds=60, now=int(time.time()) - 3600),
    "not yet valid": lambda ring: mint(ring, ["translations:read"], now=int(time.time()) + 3600),
    "another audience": lambda ring: mint(ring, ["translations:read"], audience="someone-else"),
    "wrong issuer": lambda ring: mint(ring, ["translations:read"], issuer="https://evil.example"),
    "unknown kid": lambda ring: mint(KeyRing.new(), ["translations:read"]),  # a key never published
}


@pytest.mark.parametrize("attack", sorted(HOSTILE_TOKENS))
def test_hostile_tokens_are_401(stack, api_key, keyring, attack):
    response = get(stack, api_key=api_key, token=HOSTILE_TOKENS[attack](keyring))
    assert response.status_code == 401
    assert response.json()["type"] == "urn:eckospace:problem:unauthorized"


@pytest.mark.parametrize("authorization", ["Basic {token}", "Token {token}", "bearer:{token}", "{token}"])
def test_a_token_without_the_bearer_scheme_is_401(stack, api_key, reader, authorization):
    response = requests.get(
        stack.url(PATH), timeout=30, headers={"x-api-key": api_key, "Authorization": authorization.format(token=reader)}
    )
    assert response.status_code == 401


def test_token_without_the_scope_is_403_insufficient_scope(stack, api_key, keyring):
    response = get(stack, api_key=api_key, token=mint(keyring, ["posts:read", "translations:write"]))
    assert response.status_code == 403
    assert response.headers["Content-Type"].startswith(PROBLEM)
    challenge = response.headers["WWW-Authenticate"]
    assert 'error="insufficient_scope"' in challenge and 'scope="translations:read"' in challenge


def test_missing_or_unknown_api_key_is_403(stack, reader):
    for key in (None, "not-a-key"):
        response = get(stack, api_key=key, token=reader)
        assert response.status_code == 403
        assert response.headers["Content-Type"] == PROBLEM  # the gateway's own answers are problems too
        assert response.json()["type"] == "urn:eckospace:problem:invalid-api-key"


def test_unknown_route_and_method_answer_as_api_gateway(stack, api_key, reader):
    headers = {"x-api-key": api_key, "Authorization": f"Bearer {reader}"}
    assert requests.get(stack.url("/api/nothing-here"), headers=headers, timeout=30).status_code == 403
    wrong_method = requests.post(stack.url(PATH), headers=headers, timeout=30)
    assert wrong_method.status_code == 403
    assert wrong_method.headers["x-amzn-ErrorType"] == "MissingAuthenticationTokenException"


def test_rate_limit_gives_429_with_retry_after(stack, reader):
    plan_id = _plan_id(stack, "FreeUsagePlan")
    ensure_api_key(stack.aws("apigateway"), name="throttle-test", value="throttle-test-key-0123456789", plan_id=plan_id)
    _eventually(lambda: get(stack, api_key="throttle-test-key-0123456789", token=reader).status_code != 403)
    time.sleep(2.5)  # let the bucket refill to its burst after the probe
    statuses, retry_after = [], None
    for _ in range(6):
        response = get(stack, api_key="throttle-test-key-0123456789", token=reader, params={"locale": "en"})
        statuses.append(response.status_code)
        if response.status_code == 429:
            retry_after = response.headers["Retry-After"]
            assert response.json()["type"] == "urn:eckospace:problem:rate-limited"
    assert 200 in statuses and 429 in statuses, statuses
    assert retry_after is not None and int(retry_after) >= 1
    time.sleep(int(retry_after) + 0.5)
    assert get(stack, api_key="throttle-test-key-0123456789", token=reader).status_code == 200


def test_quota_gives_429_with_retry_after_until_the_period_ends(stack, reader):
    plan_id = _plan_id(stack, "PartnerUsagePlan")
    ensure_api_key(stack.aws("apigateway"), name="quota-test", value="quota-test-key-0123456789", plan_id=plan_id)
    time.sleep(1.1)  # key changes reach the gateway within a second (see KeyDirectory)
    statuses = [get(stack, api_key="quota-test-key-0123456789", token=reader).status_code for _ in range(3)]
    assert statuses == [200, 200, 200]
    over = get(stack, api_key="quota-test-key-0123456789", token=reader)
    assert over.status_code == 429
    assert over.json()["type"] == "urn:eckospace:problem:quota-exceeded"
    assert int(over.headers["Retry-After"]) > 60  # the monthly period does not end within a minute of a test


def test_disabled_api_key_stops_working(stack, reader):
    apigateway = stack.aws("apigateway")
    key_id = ensure_api_key(
        apigateway,
        name="disable-test",
        value="disable-test-key-0123456789",
        plan_id=_plan_id(stack, "StandardUsagePlan"),
    )
    # Like API Gateway, key changes take effect within seconds, not instantly.
    _eventually(lambda: get(stack, api_key="disable-test-key-0123456789", token=reader).status_code == 200)
    apigateway.update_api_key(apiKey=key_id, patchOperations=[{"op": "replace", "path": "/enabled", "value": "false"}])
    _eventually(lambda: get(stack, api_key="disable-test-key-0123456789", token=reader).status_code == 403)


def _eventually(condition, seconds: float = 10.0) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "the change did not take effect in time"
        time.sleep(0.3)


def _plan_id(stack: RunningStack, logical_id: str) -> str:
    name = stack.credentials["usage_plans"][logical_id]
    plans = stack.aws("apigateway").get_usage_plans()["items"]
    return next(plan["id"] for plan in plans if plan["name"] == name)
