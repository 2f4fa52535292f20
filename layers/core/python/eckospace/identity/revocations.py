"""Revoked access tokens, and the authorizer's one-call check that a token is still good.

A revocation is kept (by `jti`) until the token would have expired anyway; DynamoDB's TTL
removes it some time after that, and nothing reads an expired token's entry meanwhile, because
the token itself is refused first.
"""

from __future__ import annotations

from typing import Any

from eckospace import aws
from eckospace.config import Settings
from eckospace.identity.tokens import TokenClaims

TABLE_SETTING = "ECKO_REVOKED_TOKENS_TABLE"


def revoke(jti: str, *, expires_at: int) -> None:
    aws.client("dynamodb").put_item(
        TableName=Settings.require(TABLE_SETTING),
        Item={"jti": {"S": jti}, "expires_at": {"N": str(expires_at)}},
    )


def still_valid(claims: TokenClaims) -> bool:
    """Not revoked, and (for an integration's token) its integration still enabled: both read in
    one BatchGetItem, and only the attributes needed."""
    from eckospace.identity.integrations import TABLE_SETTING as INTEGRATIONS_SETTING

    revoked_table = Settings.require(TABLE_SETTING)
    request: dict[str, Any] = {revoked_table: {"Keys": [{"jti": {"S": claims.jti}}], "ProjectionExpression": "jti"}}
    integrations_table = None
    if claims.token_use == "client":
        if not claims.client_id:
            return False
        integrations_table = Settings.require(INTEGRATIONS_SETTING)
        request[integrations_table] = {"Keys": [{"client_id": {"S": claims.client_id}}],
                                       "ProjectionExpression": "client_id, #status",
                                       "ExpressionAttributeNames": {"#status": "status"}}
    responses = aws.batch_get(request)
    if responses[revoked_table]:
        return False
    if integrations_table is not None:
        found = responses[integrations_table]
        return bool(found) and found[0].get("status", {}).get("S") == "active"
    return True
