"""OAuth 2.0 for integrations: the client credentials grant (RFC 6749 §4.4) and token revocation
(RFC 7009). Errors take RFC 6749 §5.2's shape (`error`, `error_description`), not problem+json,
because OAuth client libraries parse exactly that.
"""

from __future__ import annotations

import base64
import binascii
import time
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs, unquote_plus

from eckospace.identity import integrations, revocations, settings
from eckospace.identity.integrations import Integration
from eckospace.observability import logger

MAX_FORM_BYTES = 8192
MAX_FORM_FIELDS = 20
NO_STORE = {"Cache-Control": "no-store", "Pragma": "no-cache"}


class OAuthError(Exception):
    def __init__(
        self, error: str, description: str, *, status: int = 400, headers: dict[str, str] | None = None
    ) -> None:
        super().__init__(description)
        self.error = error
        self.description = description
        self.status = status
        self.headers = {**NO_STORE, **(headers or {})}

    def body(self) -> dict[str, str]:
        return {"error": self.error, "error_description": self.description}


@dataclass(frozen=True)
class OAuthRequest:
    form: dict[str, str]
    authorization: str | None


def parse_form(body: str | None, is_base64: bool, content_type: str | None, authorization: str | None) -> OAuthRequest:
    """The form parameters, each present at most once (RFC 6749 §3.2)."""
    if (content_type or "").split(";")[0].strip().lower() != "application/x-www-form-urlencoded":
        raise OAuthError("invalid_request", "The body must be application/x-www-form-urlencoded.")
    raw = body or ""
    if is_base64:
        try:
            raw = base64.b64decode(raw, validate=True).decode("utf-8")
        except (binascii.Error, UnicodeDecodeError):
            raise OAuthError("invalid_request", "The body is not valid form data.") from None
    if len(raw) > MAX_FORM_BYTES:
        raise OAuthError("invalid_request", "The body is too large.")
    try:
        fields = parse_qs(raw, keep_blank_values=False, strict_parsing=bool(raw), max_num_fields=MAX_FORM_FIELDS)
    except ValueError:
        raise OAuthError("invalid_request", "The body is not valid form data.") from None
    repeated = sorted(name for name, values in fields.items() if len(values) > 1)
    if repeated:
        raise OAuthError("invalid_request", f"Parameters may appear only once: {', '.join(repeated)}.")
    return OAuthRequest(form={name: values[0] for name, values in fields.items()}, authorization=authorization)


def _client_credentials(request: OAuthRequest) -> tuple[str, str, bool]:
    """(client id, secret, whether HTTP Basic was used), from one method only (§2.3)."""
    in_form = "client_id" in request.form or "client_secret" in request.form
    scheme, _, encoded = (request.authorization or "").partition(" ")
    if scheme.lower() == "basic" and encoded.strip():
        if in_form:
            raise OAuthError("invalid_request", "Authenticate with one method: HTTP Basic or the form, not both.")
        try:
            user, _, password = base64.b64decode(encoded.strip(), validate=True).decode("utf-8").partition(":")
        except (binascii.Error, UnicodeDecodeError):
            raise _invalid_client(basic=True) from None
        return unquote_plus(user), unquote_plus(password), True
    if request.form.get("client_id") and request.form.get("client_secret"):
        return request.form["client_id"], request.form["client_secret"], False
    raise _invalid_client(basic=False)


def _invalid_client(*, basic: bool) -> OAuthError:
    return OAuthError(
        "invalid_client",
        "Client authentication failed.",
        status=401,
        headers={"WWW-Authenticate": 'Basic realm="eckospace"'} if basic else None,
    )


def authenticate_client(request: OAuthRequest) -> Integration:
    client_id, secret, basic = _client_credentials(request)
    integration = integrations.get(client_id) if client_id.startswith(integrations.CLIENT_ID_PREFIX) else None
    if integration is None or not integration.enabled or not integration.authenticates(secret):
        logger().info("client authentication failed", extra={"client_id": client_id[:40]})
        raise _invalid_client(basic=basic)
    return integration


def granted_scopes(integration: Integration, requested: str | None) -> list[str]:
    """Only what was asked for and is allowed; nothing asked, the client's default set (§3.3)."""
    if requested is None or not requested.strip():
        return sorted(integration.default_scopes)
    scopes = requested.split()
    refused = sorted(set(scopes) - integration.allowed_scopes)
    if refused:
        raise OAuthError("invalid_scope", f"This client may not request: {' '.join(refused)}.")
    return sorted(set(scopes))


def issue_token(request: OAuthRequest) -> dict[str, Any]:
    """RFC 6749 §4.4 and §5.1: an access token for an authenticated client."""
    from eckospace.identity.signing import active_signing_key
    from eckospace.identity.tokens import mint_access_token

    grant_type = request.form.get("grant_type")
    if not grant_type:
        raise OAuthError("invalid_request", "grant_type is required.")
    integration = authenticate_client(request)
    if grant_type != "client_credentials":
        raise OAuthError("unsupported_grant_type", "Integrations use the client_credentials grant.")
    scopes = granted_scopes(integration, request.form.get("scope"))
    lifetime = settings.ACCESS_TOKEN_SECONDS()
    token = mint_access_token(
        active_signing_key(),
        subject=integration.client_id,
        scopes=scopes,
        issuer=settings.TOKEN_ISSUER(),
        audience=settings.TOKEN_AUDIENCE(),
        token_use="client",
        client_id=integration.client_id,
        ttl_seconds=lifetime,
    )
    return {"access_token": token, "token_type": "Bearer", "expires_in": lifetime, "scope": " ".join(scopes)}


def revoke_token(request: OAuthRequest, verify: Any) -> None:
    """RFC 7009: revoke an access token this client holds. Tokens that are invalid or expired
    already need nothing (and say nothing, §2.2); another client's token is refused."""
    from eckospace.identity.tokens import InvalidToken

    integration = authenticate_client(request)
    token = request.form.get("token")
    if not token:
        raise OAuthError("invalid_request", "token is required.")
    try:
        claims = verify(token)
    except InvalidToken:
        return
    if claims.client_id != integration.client_id:
        raise OAuthError("unauthorized_client", "The token was not issued to this client.")
    if claims.expires_at > time.time():
        revocations.revoke(claims.jti, expires_at=claims.expires_at)
