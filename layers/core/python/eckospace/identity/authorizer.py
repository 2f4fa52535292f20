"""The API's Lambda (TOKEN) authorizer: Bearer JWT in, IAM policy plus caller context out.

API Gateway caches the answer per token for the authorizer's TTL and reuses it for every route,
so the policy allows the whole API and the caller's scopes travel in the context; each route then
checks the scopes it needs (`eckospace.http.auth.requires`). Any failure answers "Unauthorized",
which API Gateway turns into a 401; the reason is logged, the token never is.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from eckospace import aws
from eckospace.config import Settings, settings
from eckospace.identity.tokens import InvalidToken, TokenClaims, TokenVerifier
from eckospace.observability import logger

JWKS_PARAMETER_SETTING = "ECKO_JWKS_PARAMETER"
JWKS_CACHE_SECONDS = 300


class Unauthorized(Exception):
    """Raised with the exact message API Gateway maps to 401."""

    def __init__(self) -> None:
        super().__init__("Unauthorized")


@cache
def verifier() -> TokenVerifier:
    from aws_lambda_powertools.utilities.parameters import SSMProvider

    name = Settings.require(JWKS_PARAMETER_SETTING)
    # Our client, with its short timeouts and retry policy, rather than the provider's default one.
    provider = SSMProvider(boto3_client=aws.client("ssm"))

    def fetch_jwks(force: bool) -> dict[str, Any]:
        return provider.get(name, transform="json", max_age=JWKS_CACHE_SECONDS, force_fetch=force)

    config = settings()
    return TokenVerifier(fetch_jwks, issuer=config.token_issuer, audience=config.token_audience)


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
    context = {"sub": claims.subject, "scope": " ".join(claims.scopes), "token_use": claims.token_use,
               "jti": claims.jti}
    if claims.client_id:
        context["client_id"] = claims.client_id
    return {
        "principalId": claims.subject,
        "policyDocument": {
            "Version": "2012-10-17",
            "Statement": [{"Action": "execute-api:Invoke", "Effect": "Allow",
                           "Resource": api_wide_resource(method_arn)}],
        },
        "context": context,
    }


def authorize(event: dict[str, Any]) -> dict[str, Any]:
    token = bearer_token(event.get("authorizationToken"))
    if token is None:
        logger().info("token rejected", extra={"reason": "no bearer token"})
        raise Unauthorized()
    try:
        claims = verifier().verify(token)
    except InvalidToken as exc:
        logger().info("token rejected", extra={"reason": str(exc)})
        raise Unauthorized() from None
    return policy_for(claims, event.get("methodArn", ""))
