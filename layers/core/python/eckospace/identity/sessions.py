"""Sign-in codes and user sessions: an access token plus a rotating refresh token.

Table `ECKO_SESSIONS_TABLE`, key `pk`, values stored only as SHA-256 digests of the secrets:
- `code#<digest>`: a one-time sign-in code (60 s) with the digest of the browser binding it was
  issued for (`eckospace.identity.binding`), consumed by a conditional delete that checks it;
- `refresh#<digest>`: a refresh token: user, family, `active` or `rotated`, its expiry and the
  family's (`family_expires_at`: `ECKO_SESSION_MAX_DAYS` after sign-in, which no rotation moves);
- `family#<id>`: present once a family is revoked (logout, or a refresh token presented twice).

A family is a session: its id is the `sid` of every access token minted for it, and the
authorizer refuses those tokens once the family is revoked (`eckospace.identity.revocations`).

Each refresh rotates the token. Presenting a rotated token again means it was copied: the whole
family is revoked, so neither the thief nor the owner can refresh any more (RFC 9700 §4.14.2).
"""

from __future__ import annotations

import hashlib
import secrets
import time
import uuid
from typing import Any

from eckospace import aws
from eckospace.errors import NotAuthenticated
from eckospace.identity import binding as browser_binding
from eckospace.identity import settings
from eckospace.observability import logger

CODE_SECONDS = 60
REFRESH_SECONDS = 30 * 24 * 3600
DAY_SECONDS = 24 * 3600


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def _table() -> str:
    return settings.SESSIONS_TABLE()


def _max_seconds() -> int:
    return settings.SESSION_MAX_DAYS() * DAY_SECONDS


def family_key(session_id: str) -> dict[str, Any]:
    """The key of a session's revocation marker (present once the session is over; the authorizer
    reads it by the same key, `eckospace.identity.revocations`)."""
    return {"pk": {"S": f"family#{session_id}"}}


def new_sign_in_code(user_id: str, binding: str) -> str:
    """A one-time code for the front end, bound to the browser binding the sign-in was made with."""
    code = secrets.token_urlsafe(32)
    aws.client("dynamodb").put_item(
        TableName=_table(),
        Item={
            "pk": {"S": f"code#{_digest(code)}"},
            "user_id": {"S": user_id},
            "binding": {"S": browser_binding.digest(binding)},
            "expires_at": {"N": str(int(time.time()) + CODE_SECONDS)},
        },
    )
    return code


def exchange_sign_in_code(code: str, binding: str) -> dict[str, Any]:
    item = (
        browser_binding.take_if_bound(
            _table(),
            {"pk": {"S": f"code#{_digest(code)}"}},
            binding,
            missing="The browser binding is missing: pass on the value of the sign-in cookie.",
            mismatch="This sign-in code was issued to another browser: the binding is not the one from the "
            "sign-in cookie of the browser that signed in.",
        )
        if code
        else None
    )
    if item is None:
        raise NotAuthenticated(
            "The sign-in code is unknown, expired or already used: sign in again.",
            errors=[{"in": "body", "name": "code", "detail": "is not a valid sign-in code"}],
        )
    return _new_session(item["user_id"]["S"], family=uuid.uuid4().hex)


def refresh(refresh_token: str) -> dict[str, Any]:
    client = aws.client("dynamodb")
    old_pk = f"refresh#{_digest(refresh_token)}"
    found = client.get_item(TableName=_table(), Key={"pk": {"S": old_pk}}, ConsistentRead=True).get("Item")
    now = time.time()
    if found is None:
        raise NotAuthenticated("The refresh token is not valid.")
    # A family started before sessions had an absolute lifetime gets one from its next refresh.
    family_ends = int(found["family_expires_at"]["N"]) if "family_expires_at" in found else int(now) + _max_seconds()
    if family_ends <= now:
        raise NotAuthenticated("The session has reached its maximum lifetime; sign in again.")
    if int(found["expires_at"]["N"]) <= now:
        raise NotAuthenticated("The refresh token is not valid.")
    family, user_id = found["family"]["S"], found["user_id"]["S"]
    if found["status"]["S"] != "active":
        _revoke_family(family)
        raise NotAuthenticated("The refresh token was already used; the session is revoked.")
    new_token, new_item = _refresh_item(user_id, family, family_ends)
    try:
        client.transact_write_items(
            TransactItems=[
                {
                    "Update": {
                        "TableName": _table(),
                        "Key": {"pk": {"S": old_pk}},
                        "UpdateExpression": "SET #status = :rotated",
                        "ConditionExpression": "#status = :active",
                        "ExpressionAttributeNames": {"#status": "status"},
                        "ExpressionAttributeValues": {":rotated": {"S": "rotated"}, ":active": {"S": "active"}},
                    }
                },
                {
                    "ConditionCheck": {
                        "TableName": _table(),
                        "Key": family_key(family),
                        "ConditionExpression": "attribute_not_exists(pk)",
                    }
                },
                {"Put": {"TableName": _table(), "Item": new_item}},
            ]
        )
    except client.exceptions.TransactionCanceledException as exc:
        reasons = exc.response.get("CancellationReasons") or []
        if len(reasons) > 1 and reasons[1].get("Code") == "ConditionalCheckFailed":
            raise NotAuthenticated("The session has ended (logged out or revoked); sign in again.") from None
        # Rotated concurrently: this token is spent, and someone else holds a copy.
        _revoke_family(family)
        raise NotAuthenticated("The refresh token was already used; the session is revoked.") from None
    return _session_body(user_id, new_token, family)


def end_session(session_id: str) -> None:
    """Log out: revoke the session's family. Its refresh tokens stop working at once, its access
    tokens once the authorizer's cached answer for them runs out. Doing it again changes nothing."""
    _write_revocation(session_id)
    logger().info("session ended by its user", extra={"family": session_id})


def _revoke_family(family: str) -> None:
    logger().warning("refresh token reuse: revoking the session family", extra={"family": family})
    _write_revocation(family)


def _write_revocation(family: str) -> None:
    now = int(time.time())
    # Kept until every token of the family is long expired: no refresh token outlives the longer of
    # the family's lifetime and the refresh window from now, and access tokens live minutes.
    keep = max(_max_seconds(), REFRESH_SECONDS) + DAY_SECONDS
    aws.client("dynamodb").put_item(
        TableName=_table(),
        Item={
            **family_key(family),
            "revoked_at": {"N": str(now)},
            "expires_at": {"N": str(now + keep)},
        },
    )


def _refresh_item(user_id: str, family: str, family_ends: int) -> tuple[str, dict[str, Any]]:
    token = "ekr_" + secrets.token_urlsafe(32)
    expires = min(int(time.time()) + REFRESH_SECONDS, family_ends)
    return token, {
        "pk": {"S": f"refresh#{_digest(token)}"},
        "user_id": {"S": user_id},
        "family": {"S": family},
        "status": {"S": "active"},
        "expires_at": {"N": str(expires)},
        "family_expires_at": {"N": str(family_ends)},
    }


def _new_session(user_id: str, *, family: str) -> dict[str, Any]:
    token, item = _refresh_item(user_id, family, int(time.time()) + _max_seconds())
    aws.client("dynamodb").put_item(TableName=_table(), Item=item)
    return _session_body(user_id, token, family)


def _session_body(user_id: str, refresh_token: str, family: str) -> dict[str, Any]:
    from eckospace.identity.scopes import USER_SCOPES
    from eckospace.identity.signing import active_signing_key
    from eckospace.identity.tokens import mint_access_token

    lifetime = settings.ACCESS_TOKEN_SECONDS()
    scopes = sorted(USER_SCOPES)
    access = mint_access_token(
        active_signing_key(),
        subject=user_id,
        scopes=scopes,
        issuer=settings.TOKEN_ISSUER(),
        audience=settings.TOKEN_AUDIENCE(),
        token_use="user",
        ttl_seconds=lifetime,
        session_id=family,
    )
    return {
        "access_token": access,
        "token_type": "Bearer",
        "expires_in": lifetime,
        "refresh_token": refresh_token,
        "scope": " ".join(scopes),
    }
