"""Google sign-in: the OpenID Connect authorization code flow with `state`, `nonce` and PKCE (S256).

The provider's endpoints come from its discovery document (`ECKO_GOOGLE_DISCOVERY_URL`, Google's by
default), so any OpenID provider can stand in (the tests use a real one on loopback). State is
stored server side under its digest, expires after ten minutes and is consumed by a conditional
delete, so it works once, and only in the browser that started it (`eckospace.identity.binding`:
the callback needs that browser's sign-in cookie). ID tokens are checked against the provider's
JWKS with PyJWT's `PyJWKClient`, kept warm in the sandbox: an unknown `kid` makes it fetch the keys once more, and a
failed fetch (an unknown `kid`, or the hourly refresh) leaves the keys it already had in place.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
import time
import urllib.error
import urllib.parse
import urllib.request
from functools import cache
from typing import Any

from eckospace import aws
from eckospace.errors import Fault, InvalidInput, Unavailable
from eckospace.identity import binding as browser_binding
from eckospace.identity import settings, users
from eckospace.identity.sessions import CODE_SECONDS
from eckospace.observability import logger

PROVIDER = "google"
STATE_SECONDS = 600
BINDING_COOKIE_SECONDS = STATE_SECONDS + CODE_SECONDS  # the sign-in at the provider, then its one-time code
DISCOVERY_SECONDS = 3600
HTTP_TIMEOUT = 5
KEY_REFETCH_COOLDOWN = 10.0  # at most one refetch for unknown kids per this many seconds

_discovery: dict[str, Any] = {}


class SignInRefused(InvalidInput):
    slug, title = "sign-in-refused", "Sign-in refused"


def _b64url(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _digest(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()


def _http_json(request: urllib.request.Request | str) -> dict[str, Any]:
    try:
        with urllib.request.urlopen(request, timeout=HTTP_TIMEOUT) as response:  # noqa: S310 - configured URLs
            document: dict[str, Any] = json.loads(response.read())
            return document
    except urllib.error.HTTPError:
        raise
    except (OSError, ValueError) as exc:
        raise Unavailable("The sign-in provider could not be reached; try again.", retry_after=5) from exc


def provider_metadata() -> dict[str, Any]:
    """The provider's discovery document, cached for an hour."""
    if _discovery.get("expires", 0) < time.monotonic():
        document = _http_json(settings.GOOGLE_DISCOVERY_URL())
        _discovery.update(document=document, expires=time.monotonic() + DISCOVERY_SECONDS)
    cached: dict[str, Any] = _discovery["document"]
    return cached


@cache
def _jwks_client(uri: str) -> Any:
    from jwt import PyJWKClient, PyJWKClientConnectionError

    class LastGoodKeysClient(PyJWKClient):
        """PyJWKClient that answers with the last keys it fetched when the provider cannot be
        reached, rather than failing every sign-in during the provider's outage."""

        last_good: Any = None

        def fetch_data(self) -> Any:
            try:
                self.last_good = super().fetch_data()
            except PyJWKClientConnectionError:
                if self.last_good is None:
                    raise
                logger().warning("provider keys could not be refreshed; using the last good ones")
            return self.last_good

    return LastGoodKeysClient(
        uri, cache_keys=True, lifespan=DISCOVERY_SECONDS, timeout=HTTP_TIMEOUT, cooldown_duration=KEY_REFETCH_COOLDOWN
    )


@cache
def _client_secret_provider() -> Any:
    from aws_lambda_powertools.utilities.parameters import SecretsProvider

    return SecretsProvider(boto3_client=aws.client("secretsmanager"))


def _client_secret() -> str:
    secret: str = _client_secret_provider().get(settings.GOOGLE_CLIENT_SECRET(), max_age=300)
    return secret


def start_sign_in() -> tuple[str, str]:
    """Store a fresh state bound to a fresh browser binding; return the provider URL to send the
    browser to and the binding, for the browser's sign-in cookie."""
    state, nonce, verifier = secrets.token_urlsafe(32), secrets.token_urlsafe(32), secrets.token_urlsafe(64)
    binding = browser_binding.new_binding()
    aws.client("dynamodb").put_item(
        TableName=settings.SIGN_IN_STATES_TABLE(),
        Item={
            "pk": {"S": f"state#{_digest(state)}"},
            "nonce": {"S": nonce},
            "verifier": {"S": verifier},
            "binding": {"S": browser_binding.digest(binding)},
            "expires_at": {"N": str(int(time.time()) + STATE_SECONDS)},
        },
    )
    query = urllib.parse.urlencode(
        {
            "response_type": "code",
            "client_id": settings.GOOGLE_CLIENT_ID(),
            "redirect_uri": settings.SIGN_IN_REDIRECT_URI(),
            "scope": "openid email profile",
            "state": state,
            "nonce": nonce,
            "code_challenge": _b64url(hashlib.sha256(verifier.encode()).digest()),
            "code_challenge_method": "S256",
        }
    )
    return f"{provider_metadata()['authorization_endpoint']}?{query}", binding


def _exchange_code(code: str, verifier: str) -> dict[str, Any]:
    form = urllib.parse.urlencode(
        {
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": settings.SIGN_IN_REDIRECT_URI(),
            "client_id": settings.GOOGLE_CLIENT_ID(),
            "client_secret": _client_secret(),
            "code_verifier": verifier,
        }
    ).encode()
    request = urllib.request.Request(
        provider_metadata()["token_endpoint"],
        data=form,
        method="POST",
        headers={"Content-Type": "application/x-www-form-urlencoded", "Accept": "application/json"},
    )
    try:
        return _http_json(request)
    except urllib.error.HTTPError as exc:
        logger().info("authorization code refused by the provider", extra={"status": exc.code})
        raise SignInRefused("The authorization code was not accepted.") from None


def _verified_claims(id_token: str, nonce: str) -> dict[str, Any]:
    import jwt

    metadata = provider_metadata()
    try:
        key = _jwks_client(metadata["jwks_uri"]).get_signing_key_from_jwt(id_token)
        claims = jwt.decode(
            id_token,
            key=key,
            algorithms=["RS256", "ES256"],
            audience=settings.GOOGLE_CLIENT_ID(),
            issuer=metadata["issuer"],
            options={"require": ["iss", "aud", "exp", "iat", "sub"]},
            leeway=30,
        )
    except jwt.PyJWKClientConnectionError as exc:
        raise Unavailable("The sign-in provider's keys could not be read; try again.", retry_after=5) from exc
    except jwt.PyJWTError as exc:
        logger().info("ID token refused", extra={"reason": type(exc).__name__})
        raise SignInRefused("The identity token could not be verified.") from None
    if not hmac.compare_digest(str(claims.get("nonce", "")), nonce):
        raise SignInRefused("The identity token was not issued for this sign-in.")
    if claims.get("email_verified") is not True or not claims.get("email"):
        raise SignInRefused("The Google account's email address is not verified.")
    return claims


def finish_sign_in(params: dict[str, str], binding: str | None) -> users.User:
    """Check the callback (state first, in the browser that started it: nothing happens for a
    request we did not start, and a foreign or missing sign-in cookie consumes nothing), exchange
    the code, verify the ID token, then find or create the user."""
    state = params.get("state")
    if not state:
        raise InvalidInput("state is missing.", errors=[{"in": "query", "name": "state", "detail": "is required"}])
    stored = browser_binding.take_if_bound(
        settings.SIGN_IN_STATES_TABLE(),
        {"pk": {"S": f"state#{_digest(state)}"}},
        binding,
        missing="This browser has no sign-in in progress (its sign-in cookie is missing or expired): "
        "start signing in again.",
        mismatch="This sign-in was started in another browser: start signing in again in this one.",
    )
    if stored is None:
        raise InvalidInput(
            "state is unknown, expired or already used.",
            errors=[{"in": "query", "name": "state", "detail": "is not a live sign-in state"}],
        )
    if params.get("error"):  # the sign-in this browser started ends here
        raise SignInRefused("The sign-in was cancelled or refused at the provider.")
    if not params.get("code"):
        raise InvalidInput("code is missing.", errors=[{"in": "query", "name": "code", "detail": "is required"}])
    tokens = _exchange_code(params["code"], stored["verifier"]["S"])
    if not isinstance(tokens.get("id_token"), str):
        raise Fault("The provider answered without an identity token.")
    claims = _verified_claims(tokens["id_token"], stored["nonce"]["S"])
    return users.find_or_create(PROVIDER, str(claims["sub"]), email=str(claims["email"]), name=claims.get("name"))
