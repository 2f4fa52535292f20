"""The loopback OpenID Connect provider that stands in for Google in the local stack and the
sign-in tests (eckolocal.oidc): discovery, the authorization code flow with PKCE (S256 only),
RS256 ID tokens verified against its JWKS, single-use codes and its error redirects."""

from __future__ import annotations

import base64
import hashlib
import secrets
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

import jwt
import pytest
import requests

from eckolocal.oidc import ClientAuth, OidcAccount, OidcLoginError, RunningProvider, start_oidc_provider

CLIENT_ID = "eckospace-web"
CLIENT_SECRET = "not-a-real-secret"
REDIRECT_URI = "http://127.0.0.1:9/api/auth/google/callback"  # never requested: complete_login stops before it
VERIFIED = OidcAccount("google-0001", "ada@example.com", True, "Ada Lovelace")
UNVERIFIED = OidcAccount("google-0002", "bob@example.com", False, "Bob Unverified")


@pytest.fixture(scope="module")
def idp(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningProvider]:
    provider = start_oidc_provider(
        tmp_path_factory.mktemp("oidc"),
        client_id=CLIENT_ID,
        client_secret=CLIENT_SECRET,
        redirect_uris=[REDIRECT_URI],
        accounts=[VERIFIED, UNVERIFIED],
    )
    yield provider
    assert provider.stop() == 0, provider.log()[-3000:]


@dataclass(frozen=True)
class AuthorizationRequest:
    url: str
    state: str
    nonce: str
    code_verifier: str


def authorization_request(idp: RunningProvider, **overrides: str | None) -> AuthorizationRequest:
    """What our API would send a browser to: code flow, PKCE S256, state and nonce. An override of
    None drops that parameter."""
    verifier = secrets.token_urlsafe(48)
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
    state, nonce = secrets.token_urlsafe(16), secrets.token_urlsafe(16)
    params: dict[str, str | None] = {
        "response_type": "code",
        "client_id": CLIENT_ID,
        "redirect_uri": REDIRECT_URI,
        "scope": "openid email profile",
        "state": state,
        "nonce": nonce,
        "code_challenge": challenge,
        "code_challenge_method": "S256",
        **overrides,
    }
    query = urlencode({name: value for name, value in params.items() if value is not None})
    return AuthorizationRequest(f"{idp.discovery['authorization_endpoint']}?{query}", state, nonce, verifier)


def sign_in(idp: RunningProvider, account: OidcAccount) -> tuple[AuthorizationRequest, str]:
    """Sign in as `account`; return the request and the authorization code the client received."""
    request = authorization_request(idp)
    redirect = urlsplit(idp.complete_login(request.url, login=account.sub))
    params = parse_qs(redirect.query)
    assert f"{redirect.scheme}://{redirect.netloc}{redirect.path}" == REDIRECT_URI
    assert params["state"] == [request.state]
    return request, params["code"][0]


def verified_claims(idp: RunningProvider, token_response: requests.Response, nonce: str) -> dict[str, Any]:
    assert token_response.status_code == 200, token_response.text
    id_token = token_response.json()["id_token"]
    assert jwt.get_unverified_header(id_token)["alg"] == "RS256"
    key = jwt.PyJWKClient(idp.discovery["jwks_uri"]).get_signing_key_from_jwt(id_token)
    claims = jwt.decode(id_token, key, algorithms=["RS256"], audience=CLIENT_ID, issuer=idp.issuer)
    assert claims["nonce"] == nonce
    return claims


def oauth_error(response: requests.Response) -> str:
    assert response.status_code == 400, response.text
    return response.json()["error"]


def test_discovery_lists_the_endpoints_and_only_s256(idp: RunningProvider) -> None:
    document = requests.get(idp.discovery_url, timeout=10).json()

    assert document["issuer"] == idp.issuer
    assert {"authorization_endpoint", "token_endpoint", "jwks_uri"} <= document.keys()
    assert document["code_challenge_methods_supported"] == ["S256"]
    assert {"client_secret_post", "client_secret_basic"} <= set(document["token_endpoint_auth_methods_supported"])


def test_code_flow_with_pkce_yields_an_id_token_verified_against_the_jwks(idp: RunningProvider) -> None:
    request, code = sign_in(idp, VERIFIED)

    # The exchange is spelled out here (client_secret_post) rather than through idp.exchange_code.
    response = requests.post(
        idp.discovery["token_endpoint"],
        timeout=10,
        data={
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": REDIRECT_URI,
            "code_verifier": request.code_verifier,
            "client_id": CLIENT_ID,
            "client_secret": CLIENT_SECRET,
        },
    )
    claims = verified_claims(idp, response, request.nonce)

    assert claims["sub"] == VERIFIED.sub
    assert claims["email"] == VERIFIED.email
    assert claims["email_verified"] is True
    assert claims["name"] == VERIFIED.name


@pytest.mark.parametrize("client_auth", ["client_secret_post", "client_secret_basic"])
def test_the_client_may_authenticate_either_way(idp: RunningProvider, client_auth: ClientAuth) -> None:
    request, code = sign_in(idp, VERIFIED)

    response = idp.exchange_code(code, REDIRECT_URI, request.code_verifier, client_auth=client_auth)

    assert verified_claims(idp, response, request.nonce)["sub"] == VERIFIED.sub


def test_a_code_cannot_be_used_twice(idp: RunningProvider) -> None:
    request, code = sign_in(idp, VERIFIED)

    first = idp.exchange_code(code, REDIRECT_URI, request.code_verifier)
    second = idp.exchange_code(code, REDIRECT_URI, request.code_verifier)

    assert first.status_code == 200, first.text
    assert oauth_error(second) == "invalid_grant"


def test_a_wrong_code_verifier_is_rejected(idp: RunningProvider) -> None:
    request, code = sign_in(idp, VERIFIED)

    response = idp.exchange_code(code, REDIRECT_URI, secrets.token_urlsafe(48))

    assert oauth_error(response) == "invalid_grant"


def test_an_unverified_account_has_email_verified_false(idp: RunningProvider) -> None:
    request, code = sign_in(idp, UNVERIFIED)

    claims = verified_claims(idp, idp.exchange_code(code, REDIRECT_URI, request.code_verifier), request.nonce)

    assert claims["sub"] == UNVERIFIED.sub
    assert claims["email_verified"] is False


@pytest.mark.parametrize(
    "overrides",
    [
        {"code_challenge": None, "code_challenge_method": None},
        {"code_challenge_method": "plain"},
    ],
    ids=["without-pkce", "plain-pkce"],
)
def test_pkce_is_required_with_s256_and_errors_come_back_as_redirects(
    idp: RunningProvider, overrides: dict[str, str | None]
) -> None:
    request = authorization_request(idp, **overrides)

    with pytest.raises(OidcLoginError) as raised:
        idp.complete_login(request.url, login=VERIFIED.sub)

    assert raised.value.error == "invalid_request"
    assert raised.value.redirect_url is not None
    assert raised.value.redirect_url.startswith(f"{REDIRECT_URI}?")
    assert parse_qs(urlsplit(raised.value.redirect_url).query)["state"] == [request.state]


def test_an_unknown_account_cannot_sign_in(idp: RunningProvider) -> None:
    with pytest.raises(OidcLoginError, match="401"):
        idp.complete_login(authorization_request(idp).url, login="nobody")


def test_cancelling_sign_in_redirects_with_access_denied(idp: RunningProvider) -> None:
    request = authorization_request(idp)

    redirect = parse_qs(urlsplit(idp.cancel_login(request.url)).query)

    assert redirect["error"] == ["access_denied"]
    assert redirect["state"] == [request.state]
