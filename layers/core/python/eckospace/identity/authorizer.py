"""The API's Lambda (TOKEN) authorizer: Bearer JWT in, IAM policy plus caller context out.

API Gateway caches the answer per token for the authorizer's TTL and reuses it for every route,
so the policy allows the whole API and the caller's scopes travel in the context; each route then
checks the scopes it declares. Any failure answers "Unauthorized", which API Gateway turns into a
401; the reason is logged, the token never is.
"""

from __future__ import annotations

from typing import Any

from eckospace.identity.jwks import verifier
from eckospace.identity.revocations import still_valid
from eckospace.identity.tokens import InvalidToken, TokenClaims
from eckospace.observability import logger


class Unauthorized(Exception):
    """Raised with the exact message API Gateway maps to 401."""

    def __init__(self) -> None:
        super().__init__("Unauthorized")


def bearer_token(header: str | None) -> str | None:
    if not header:
        return None
    scheme, _, token = header.strip().partition(" ")
    token = token.strip()
    if scheme.lower() != "bearer" or not token or " " in token:
        return None
    return token


def api_wide_resource(method_arn: str) -> str:
    """`arn:...:api-id/stage/GET/some/path` -> `arn:...:api-id/stage/*`: the cached policy must
    cover every route, not only the one that happened to be called first."""
    api_and_stage = method_arn.split("/", 2)[:2]
    return "/".join(api_and_stage) + "/*"


def policy_for(claims: TokenClaims, method_arn: str) -> dict[str, Any]:
    context = {
        "sub": claims.subject,
        "scope": " ".join(claims.scopes),
        "token_use": claims.token_use,
        "jti": claims.jti,
    }
    if claims.client_id:
        context["client_id"] = claims.client_id
    if claims.session_id:
        context["sid"] = claims.session_id
    return {
        "principalId": claims.subject,
        "policyDocument": {
            "Version": "2012-10-17",
            "Statement": [
                {"Action": "execute-api:Invoke", "Effect": "Allow", "Resource": api_wide_resource(method_arn)}
            ],
        },
        "context": context,
    }


def authorize(event: dict[str, Any]) -> dict[str, Any]:
    token = bearer_token(event.get("authorizationToken"))
    if token is None:
        logger().info("token rejected", extra={"reason": "no bearer token"})
        raise Unauthorized
    try:
        claims = verifier().verify(token)
    except InvalidToken as exc:
        logger().info("token rejected", extra={"reason": str(exc)})
        raise Unauthorized from None
    if not still_valid(claims):
        logger().info("token rejected", extra={"reason": "revoked, its session ended, or its integration disabled"})
        raise Unauthorized
    return policy_for(claims, event.get("methodArn", ""))
