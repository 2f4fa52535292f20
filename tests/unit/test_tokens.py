from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time

import jwt
import pytest

from eckospace.identity.authorizer import api_wide_resource, bearer_token, policy_for
from eckospace.identity.keys import KeyRing, generate_signing_key
from eckospace.identity.tokens import InvalidToken, TokenVerifier, mint_access_token

ISSUER, AUDIENCE = "https://issuer.test", "api.test"


def _verifier(ring_holder: dict, fetches: list) -> TokenVerifier:
    def fetch(force: bool):
        fetches.append(force)
        return ring_holder["ring"].jwks()

    return TokenVerifier(fetch, issuer=ISSUER, audience=AUDIENCE, refetch_interval=0.0)


def _mint(ring: KeyRing, **overrides) -> str:
    options = {"subject": "u1", "scopes": ["translations:read"], "issuer": ISSUER, "audience": AUDIENCE}
    options.update(overrides)
    return mint_access_token(ring.active, **options)


def test_round_trip_carries_subject_scopes_and_client():
    ring = KeyRing.new()
    claims = _verifier({"ring": ring}, []).verify(_mint(ring, client_id="c1", token_use="client"))
    assert claims.subject == "u1" and claims.scopes == ("translations:read",)
    assert claims.client_id == "c1" and claims.token_use == "client"


def test_unknown_kid_refetches_the_jwks_once_then_accepts_a_rotated_key():
    old = KeyRing.new()
    holder = {"ring": old}
    fetches: list = []
    verifier = _verifier(holder, fetches)
    verifier.verify(_mint(old))
    new_key = generate_signing_key()
    holder["ring"] = KeyRing(active_kid=new_key.kid, keys=(*old.keys, new_key))
    verifier.verify(_mint(holder["ring"]))  # signed by a key published after the first fetch
    assert fetches == [False, True]
    verifier.verify(_mint(old))  # old tokens keep verifying after rotation
    assert fetches == [False, True]


def test_unknown_kid_refetch_is_rate_limited():
    ring = KeyRing.new()
    fetches: list = []
    verifier = TokenVerifier(
        lambda force: fetches.append(force) or ring.jwks(), issuer=ISSUER, audience=AUDIENCE, refetch_interval=60.0
    )
    verifier.verify(_mint(ring))
    stranger = KeyRing.new()
    for _ in range(5):
        with pytest.raises(InvalidToken):
            verifier.verify(_mint(stranger))
    assert fetches == [False]  # a flood of unknown kids cannot hammer the parameter store


def test_hmac_confusion_with_the_public_key_is_refused():
    """The classic attack: sign HS256 with the (public) verification key as the HMAC secret."""
    ring = KeyRing.new()
    public_jwk = json.dumps(ring.jwks()["keys"][0]).encode()
    header = _b64url(json.dumps({"alg": "HS256", "kid": ring.active_kid, "typ": "at+jwt"}).encode())
    claims = _b64url(
        json.dumps(
            {
                "sub": "u1",
                "iss": ISSUER,
                "aud": AUDIENCE,
                "exp": int(time.time()) + 60,
                "iat": int(time.time()),
                "jti": "x",
                "scope": "admin:write",
            }
        ).encode()
    )
    signature = _b64url(hmac.new(public_jwk, f"{header}.{claims}".encode(), hashlib.sha256).digest())
    with pytest.raises(InvalidToken):
        _verifier({"ring": ring}, []).verify(f"{header}.{claims}.{signature}")


def _b64url(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


@pytest.mark.parametrize(
    "change",
    [
        {"audience": "other"},
        {"issuer": "https://other"},
        {"ttl_seconds": -120},
    ],
)
def test_claims_are_checked(change):
    ring = KeyRing.new()
    with pytest.raises(InvalidToken):
        _verifier({"ring": ring}, []).verify(_mint(ring, **change))


def test_non_access_tokens_and_missing_claims_are_refused():
    ring = KeyRing.new()
    key = ring.active
    id_token = jwt.encode(
        {
            "sub": "u1",
            "iss": ISSUER,
            "aud": AUDIENCE,
            "exp": int(time.time()) + 60,
            "iat": int(time.time()),
            "jti": "j",
        },
        key.private_key_pem,
        algorithm="ES256",
        headers={"kid": key.kid, "typ": "JWT"},
    )
    no_jti = jwt.encode(
        {"sub": "u1", "iss": ISSUER, "aud": AUDIENCE, "exp": int(time.time()) + 60, "iat": int(time.time())},
        key.private_key_pem,
        algorithm="ES256",
        headers={"kid": key.kid, "typ": "at+jwt"},
    )
    for token in (id_token, no_jti, "a.b.c", ""):
        with pytest.raises(InvalidToken):
            _verifier({"ring": ring}, []).verify(token)


@pytest.mark.parametrize(
    ("header", "token"),
    [
        ("Bearer abc", "abc"),
        ("bearer  abc ", "abc"),
        ("Basic abc", None),
        ("Bearer", None),
        ("Bearer a b", None),
        (None, None),
        ("", None),
    ],
)
def test_bearer_header_parsing(header, token):
    assert bearer_token(header) == token


def test_policy_covers_the_whole_api_and_carries_the_caller():
    ring = KeyRing.new()
    claims = _verifier({"ring": ring}, []).verify(_mint(ring, scopes=["a:read", "b:write"]))
    arn = "arn:aws:execute-api:us-east-1:1:api123/v1/GET/api/translations/app"
    assert api_wide_resource(arn) == "arn:aws:execute-api:us-east-1:1:api123/v1/*"
    policy = policy_for(claims, arn)
    assert policy["principalId"] == "u1"
    assert policy["policyDocument"]["Statement"][0]["Effect"] == "Allow"
    assert policy["context"]["scope"] == "a:read b:write" and "client_id" not in policy["context"]


def test_a_session_token_carries_its_session_id_to_the_authorizers_context():
    ring = KeyRing.new()
    verifier = _verifier({"ring": ring}, [])
    claims = verifier.verify(_mint(ring, token_use="user", session_id="f3a9"))
    assert claims.session_id == "f3a9" and policy_for(claims, "arn:x/v1/GET/api/me")["context"]["sid"] == "f3a9"
    sessionless = verifier.verify(_mint(ring, token_use="user"))
    assert sessionless.session_id is None and "sid" not in policy_for(sessionless, "arn:x/v1/GET/api/me")["context"]
    key = ring.active
    odd_sid = jwt.encode(
        {
            "iss": ISSUER,
            "aud": AUDIENCE,
            "sub": "u1",
            "iat": int(time.time()),
            "exp": int(time.time()) + 60,
            "jti": "j1",
            "scope": "",
            "sid": ["f3a9"],
        },
        key.private_key_pem,
        algorithm=key.alg,
        headers={"kid": key.kid, "typ": "at+jwt"},
    )
    with pytest.raises(InvalidToken):
        verifier.verify(odd_sid)


def test_rotation_activates_the_key_published_before_and_publishes_the_next():
    ring = KeyRing.new()
    assert len(ring.keys) == 2 and ring.keys[0].kid == ring.active_kid
    rotated = ring.rotated()
    assert rotated.active_kid == ring.keys[1].kid  # verifiers have had it since the last rotation
    assert [key.kid for key in rotated.keys][:2] == [ring.active_kid, ring.keys[1].kid]
    twice = rotated.rotated()
    assert ring.active_kid not in {key.kid for key in twice.keys}  # older than previous: dropped
    assert KeyRing.from_json(twice.to_json()) == twice
