"""Revoked access tokens, and the authorizer's one-call check that a token is still good.

A revocation is kept (by `jti`) until the token would have expired anyway; DynamoDB's TTL
removes it some time after that, and nothing reads an expired token's entry meanwhile, because
the token itself is refused first.

A token minted for a user's session (`sid`) is also refused once that session has ended (logout,
or a refresh token presented twice): its family's revocation marker is read in the same call.
"""

from __future__ import annotations

from typing import Any

from eckospace import aws
from eckospace.identity import settings
from eckospace.identity.tokens import TokenClaims


def revoke(jti: str, *, expires_at: int) -> None:
    aws.client("dynamodb").put_item(
        TableName=settings.REVOKED_TOKENS_TABLE(),
        Item={"jti": {"S": jti}, "expires_at": {"N": str(expires_at)}},
    )


def still_valid(claims: TokenClaims) -> bool:
    """Not revoked, its session (if it has one) not ended, and (for an integration's token) its
    integration still enabled: all read in one BatchGetItem, and only the attributes needed."""
    revoked_table = settings.REVOKED_TOKENS_TABLE()
    request: dict[str, Any] = {revoked_table: {"Keys": [{"jti": {"S": claims.jti}}], "ProjectionExpression": "jti"}}
    sessions_table = None
    if claims.session_id:
        sessions_table = settings.SESSIONS_TABLE()  # `family#<sid>` once ended (eckospace.identity.sessions)
        request[sessions_table] = {"Keys": [{"pk": {"S": f"family#{claims.session_id}"}}], "ProjectionExpression": "pk"}
    integrations_table = None
    if claims.token_use == "client":
        if not claims.client_id:
            return False
        integrations_table = settings.INTEGRATIONS_TABLE()
        request[integrations_table] = {
            "Keys": [{"client_id": {"S": claims.client_id}}],
            "ProjectionExpression": "client_id, #status",
            "ExpressionAttributeNames": {"#status": "status"},
        }
    responses = aws.batch_get(request)
    if responses[revoked_table] or (sessions_table is not None and responses[sessions_table]):
        return False
    if integrations_table is not None:
        found = responses[integrations_table]
        return bool(found) and found[0].get("status", {}).get("S") == "active"
    return True
