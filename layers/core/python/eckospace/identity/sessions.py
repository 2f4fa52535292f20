"""Sign-in codes and user sessions: an access token plus a rotating refresh token.

Table `ECKO_SESSIONS_TABLE`, key `pk`, values stored only as SHA-256 digests of the secrets:
- `code#<digest>`: a one-time sign-in code (60 s), consumed by a conditional delete;
- `refresh#<digest>`: a refresh token: user, family, `active` or `rotated`, expiry;
- `family#<id>`: present once a family is revoked.

Each refresh rotates the token. Presenting a rotated token again means it was copied: the whole
family is revoked, so neither the thief nor the owner can refresh any more (RFC 9700 §4.14.2).
"""

from __future__ import annotations

import hashlib
import os
import secrets
import time
import uuid
from typing import Any

from eckospace import aws
from eckospace.config import Settings, settings
from eckospace.http.problems import BadRequest, Unauthorized
from eckospace.observability import logger

TABLE_SETTING = "ECKO_SESSIONS_TABLE"
CODE_SECONDS = 60
REFRESH_SECONDS = 30 * 24 * 3600
ACCESS_SECONDS_SETTING = "ECKO_ACCESS_TOKEN_SECONDS"


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def _table() -> str:
    return Settings.require(TABLE_SETTING)


def new_sign_in_code(user_id: str) -> str:
    code = secrets.token_urlsafe(32)
    aws.client("dynamodb").put_item(TableName=_table(), Item={
        "pk": {"S": f"code#{_digest(code)}"}, "user_id": {"S": user_id},
        "expires_at": {"N": str(int(time.time()) + CODE_SECONDS)},
    })
    return code


def exchange_sign_in_code(code: str) -> dict[str, Any]:
    item = aws.take_once(_table(), {"pk": {"S": f"code#{_digest(code)}"}}) if code else None
    if item is None:
        raise BadRequest("The sign-in code is unknown, expired or already used.",
                         errors=[{"in": "body", "name": "code", "detail": "is not a valid sign-in code"}])
    return _new_session(item["user_id"]["S"], family=uuid.uuid4().hex)


def refresh(refresh_token: str) -> dict[str, Any]:
    client = aws.client("dynamodb")
    old_pk = f"refresh#{_digest(refresh_token)}"
    found = client.get_item(TableName=_table(), Key={"pk": {"S": old_pk}}, ConsistentRead=True).get("Item")
    if found is None or int(found["expires_at"]["N"]) <= time.time():
        raise Unauthorized("The refresh token is not valid.")
    family, user_id = found["family"]["S"], found["user_id"]["S"]
    if found["status"]["S"] != "active":
        _revoke_family(family)
        raise Unauthorized("The refresh token was already used; the session is revoked.")
    new_token, new_item = _refresh_item(user_id, family)
    try:
        client.transact_write_items(TransactItems=[
            {"Update": {"TableName": _table(), "Key": {"pk": {"S": old_pk}},
                        "UpdateExpression": "SET #status = :rotated",
                        "ConditionExpression": "#status = :active",
                        "ExpressionAttributeNames": {"#status": "status"},
                        "ExpressionAttributeValues": {":rotated": {"S": "rotated"}, ":active": {"S": "active"}}}},
            {"ConditionCheck": {"TableName": _table(), "Key": {"pk": {"S": f"family#{family}"}},
                                "ConditionExpression": "attribute_not_exists(pk)"}},
            {"Put": {"TableName": _table(), "Item": new_item}},
        ])
    except client.exceptions.TransactionCanceledException:
        # Rotated concurrently, or the family was revoked: either way this token is spent.
        _revoke_family(family)
        raise Unauthorized("The refresh token was already used; the session is revoked.") from None
    return _session_body(user_id, new_token)


def _revoke_family(family: str) -> None:
    logger().warning("refresh token reuse: revoking the session family", extra={"family": family})
    aws.client("dynamodb").put_item(TableName=_table(), Item={
        "pk": {"S": f"family#{family}"}, "revoked_at": {"N": str(int(time.time()))},
        "expires_at": {"N": str(int(time.time()) + REFRESH_SECONDS)},
    })


def _refresh_item(user_id: str, family: str) -> tuple[str, dict[str, Any]]:
    token = "ekr_" + secrets.token_urlsafe(32)
    return token, {"pk": {"S": f"refresh#{_digest(token)}"}, "user_id": {"S": user_id}, "family": {"S": family},
                   "status": {"S": "active"}, "expires_at": {"N": str(int(time.time()) + REFRESH_SECONDS)}}


def _new_session(user_id: str, *, family: str) -> dict[str, Any]:
    token, item = _refresh_item(user_id, family)
    aws.client("dynamodb").put_item(TableName=_table(), Item=item)
    return _session_body(user_id, token)


def _session_body(user_id: str, refresh_token: str) -> dict[str, Any]:
    from eckospace.identity.scopes import USER_SCOPES
    from eckospace.identity.signing import active_signing_key
    from eckospace.identity.tokens import mint_access_token

    lifetime = int(os.environ.get(ACCESS_SECONDS_SETTING, "900"))
    config = settings()
    scopes = sorted(USER_SCOPES)
    access = mint_access_token(active_signing_key(), subject=user_id, scopes=scopes, issuer=config.token_issuer,
                               audience=config.token_audience, token_use="user", ttl_seconds=lifetime)
    return {"access_token": access, "token_type": "Bearer", "expires_in": lifetime,
            "refresh_token": refresh_token, "scope": " ".join(scopes)}
