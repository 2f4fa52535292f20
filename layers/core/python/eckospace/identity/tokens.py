"""Access tokens: short-lived ES256 JWTs (RFC 9068 profile, `typ: at+jwt`) with `kid`.

Tokens minted for a user's session carry its id in `sid` (the session's refresh family), so the
authorizer can refuse them once the session has ended.

Minting needs a private key (`KeyRing`); verification needs only the public JWKS.
"""

from __future__ import annotations

import time
import uuid
from dataclasses import dataclass
from typing import Any

import jwt

from eckospace.identity.keys import ALGORITHM, SigningKey

TOKEN_TYPE = "at+jwt"
LEEWAY_SECONDS = 30
REQUIRED_CLAIMS = ("iss", "aud", "exp", "iat", "sub", "jti")


class InvalidToken(Exception):
    """The token cannot be trusted; the message says why (for logs, never for the caller)."""


@dataclass(frozen=True)
class TokenClaims:
    subject: str
    scopes: tuple[str, ...]
    token_use: str
    client_id: str | None
    jti: str
    expires_at: int
    session_id: str | None = None


def mint_access_token(
    key: SigningKey,
    *,
    subject: str,
    scopes: list[str] | tuple[str, ...],
    issuer: str,
    audience: str,
    token_use: str = "client",
    client_id: str | None = None,
    ttl_seconds: int = 900,
    now: int | None = None,
    session_id: str | None = None,
) -> str:
    issued = int(time.time()) if now is None else now
    claims: dict[str, Any] = {
        "iss": issuer,
        "aud": audience,
        "sub": subject,
        "iat": issued,
        "nbf": issued,
        "exp": issued + ttl_seconds,
        "jti": uuid.uuid4().hex,
        "scope": " ".join(scopes),
        "token_use": token_use,
    }
    if client_id:
        claims["client_id"] = client_id
    if session_id:
        claims["sid"] = session_id
    headers = {"kid": key.kid, "typ": TOKEN_TYPE}
    return jwt.encode(claims, key.private_key_pem, algorithm=key.alg, headers=headers)


class TokenVerifier:
    """Verifies access tokens against a JWKS supplied by `fetch_jwks` (called again, at most once
    per `refetch_interval` seconds, when a token names a key id we have not seen)."""

    def __init__(self, fetch_jwks: Any, *, issuer: str, audience: str, refetch_interval: float = 30.0) -> None:
        self._fetch_jwks = fetch_jwks
        self._issuer = issuer
        self._audience = audience
        self._refetch_interval = refetch_interval
        self._keys: dict[str, jwt.PyJWK] = {}
        self._fetched_at = float("-inf")

    def _load(self, force: bool) -> None:
        jwks = self._fetch_jwks(force)
        keys = {}
        for entry in jwks.get("keys", []):
            if entry.get("kid") and entry.get("alg", ALGORITHM) == ALGORITHM:
                keys[entry["kid"]] = jwt.PyJWK(entry, algorithm=ALGORITHM)
        self._keys = keys
        self._fetched_at = time.monotonic()

    def _key_for(self, kid: str) -> jwt.PyJWK:
        if not self._keys:
            self._load(force=False)
        if kid not in self._keys and time.monotonic() - self._fetched_at >= self._refetch_interval:
            self._load(force=True)
        try:
            return self._keys[kid]
        except KeyError:
            raise InvalidToken("unknown key id") from None

    def verify(self, token: str) -> TokenClaims:
        try:
            header = jwt.get_unverified_header(token)
        except jwt.PyJWTError as exc:
            raise InvalidToken(f"malformed token: {exc}") from None
        if header.get("alg") != ALGORITHM:
            raise InvalidToken("unexpected algorithm")
        if header.get("typ") != TOKEN_TYPE:
            raise InvalidToken("not an access token")
        kid = header.get("kid")
        if not isinstance(kid, str) or not kid:
            raise InvalidToken("no key id")
        key = self._key_for(kid)
        try:
            claims = jwt.decode(
                token,
                key=key,
                algorithms=[ALGORITHM],
                audience=self._audience,
                issuer=self._issuer,
                leeway=LEEWAY_SECONDS,
                options={"require": list(REQUIRED_CLAIMS)},
            )
        except jwt.PyJWTError as exc:
            raise InvalidToken(f"rejected: {type(exc).__name__}") from None
        scope, session_id = claims.get("scope", ""), claims.get("sid")
        if not isinstance(scope, str) or not isinstance(claims["sub"], str):
            raise InvalidToken("malformed claims")
        if session_id is not None and (not isinstance(session_id, str) or not session_id):
            raise InvalidToken("malformed session id")
        return TokenClaims(
            subject=claims["sub"],
            scopes=tuple(scope.split()),
            token_use=str(claims.get("token_use", "client")),
            client_id=claims.get("client_id"),
            jti=str(claims["jti"]),
            expires_at=int(claims["exp"]),
            session_id=session_id,
        )
