"""Request and response shapes of the identity endpoints: sign-in, sessions, the signed-in user,
OAuth for integrations and the published keys.

The request models validate bodies. The answer models only describe what the handlers return
(plain dicts), exactly, for the OpenAPI document: they are named there as "module:Class" strings
and their schemas are built only when the document is generated (`defer_build`), so the functions
that import this module for a request model pay nothing for them at cold start.
"""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field


class SessionRequest(BaseModel):
    code: str = Field(min_length=20, max_length=200, description="The one-time code from the sign-in redirect.")
    binding: str = Field(
        min_length=20,
        max_length=200,
        description=(
            "The value of the `__Host-eckospace-sign-in` cookie that came with the browser's request for the "
            "sign-in redirect's page: the code is exchanged only for the browser that signed in."
        ),
    )


class RefreshRequest(BaseModel):
    refresh_token: str = Field(min_length=20, max_length=200)


class Answer(BaseModel):
    """An answer's exact shape: every key listed (required unless said otherwise), and no other."""

    model_config = ConfigDict(extra="forbid", defer_build=True)


class Session(Answer):
    access_token: str = Field(
        description=("An ES256 JWT (`typ: at+jwt`) for `Authorization: Bearer`; its `sid` claim names the session.")
    )
    token_type: Literal["Bearer"]
    expires_in: int = Field(description="Seconds until the access token expires.")
    refresh_token: str = Field(
        description=("`ekr_...`. Use once, at POST /api/auth/refresh: each refresh returns a new one.")
    )
    scope: str = Field(description="The access token's scopes, space separated.")


class Me(Answer):
    id: str = Field(description="The user's id (the `sub` of their access tokens).")
    email: str = Field(description="The verified email address of the account the user signed in with.")
    name: str | None = Field(description="The name the identity provider gave; null when it gave none.")
    created_at: datetime = Field(description="When the user first signed in.")


class OAuthAccessToken(Answer):
    """RFC 6749 section 5.1: a successful token response."""

    access_token: str = Field(description="An ES256 JWT (`typ: at+jwt`) for `Authorization: Bearer`.")
    token_type: Literal["Bearer"]
    expires_in: int = Field(description="Seconds until the access token expires.")
    scope: str = Field(
        description=("The scopes granted, space separated: those requested, or the integration's default set.")
    )


class OAuthTokenError(Answer):
    """RFC 6749 section 5.2: the token endpoint refused the request."""

    error: Literal["invalid_request", "invalid_scope", "unsupported_grant_type"]
    error_description: str


class OAuthRevocationError(Answer):
    """RFC 7009 section 2.2.1 (RFC 6749 section 5.2's shape): the revocation endpoint refused the request."""

    error: Literal["invalid_request", "unauthorized_client"] = Field(
        description=("`unauthorized_client`: the token was issued to another client.")
    )
    error_description: str


class OAuthClientError(Answer):
    """RFC 6749 section 5.2: client authentication failed."""

    error: Literal["invalid_client"]
    error_description: str


class JsonWebKey(Answer):
    """A public signing key (RFC 7517, RFC 7518 section 6.2): a P-256 elliptic curve key for ES256."""

    kty: Literal["EC"]
    crv: Literal["P-256"]
    x: str = Field(description="The x coordinate, base64url.")
    y: str = Field(description="The y coordinate, base64url.")
    kid: str = Field(description="The key id an access token's header names.")
    alg: Literal["ES256"]
    use: Literal["sig"]


class JsonWebKeySet(Answer):
    """RFC 7517 section 5: the keys that verify access tokens."""

    keys: list[JsonWebKey] = Field(
        description=(
            "The signing key, and those published before or after it while keys rotate; match a token's `kid`."
        )
    )
