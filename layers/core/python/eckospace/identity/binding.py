"""Binding a sign-in to the browser that started it (against login CSRF).

`GET /social-login/redirect/google` sets a random value in a host-only cookie (`__Host-`: Secure,
no Domain, Path=/; HttpOnly; SameSite=Lax, so it rides along on the provider's top-level redirect
back to us) and stores only its digest with the sign-in state. The callback takes the state only
when the browser presents that cookie, and the one-time sign-in code it issues carries the same
digest, so `POST /api/auth/session` exchanges the code only with the value from the same browser,
which the front end's server reads from the cookie and passes on.

A refusal consumes nothing: the state or code is deleted only under a condition that the digest
matches, so a foreign or missing cookie leaves the honest browser's sign-in intact.
"""

from __future__ import annotations

import hashlib
import secrets
import time
from typing import Any

from eckospace import aws
from eckospace.errors import NotPermitted

COOKIE_NAME = "__Host-eckospace-sign-in"


class BrowserMismatch(NotPermitted):
    slug, title = "sign-in-browser-mismatch", "Sign-in started in another browser"


def new_binding() -> str:
    return secrets.token_urlsafe(32)


def digest(binding: str) -> str:
    return hashlib.sha256(binding.encode()).hexdigest()


def set_cookie(binding: str, *, max_age: int) -> str:
    return f"{COOKIE_NAME}={binding}; Path=/; Max-Age={max_age}; Secure; HttpOnly; SameSite=Lax"


def from_cookies(event: dict[str, Any]) -> str | None:
    """The binding cookie's value in a REST proxy event's `Cookie` header(s), or None."""
    values: list[str] = []
    for name, found in (event.get("multiValueHeaders") or {}).items():
        if name.lower() == "cookie":
            values.extend(found or ())
    if not values:
        values = [value for name, value in (event.get("headers") or {}).items() if name.lower() == "cookie" and value]
    for header in values:
        for pair in header.split(";"):
            name, sep, value = pair.strip().partition("=")
            if sep and name == COOKIE_NAME and value:
                return value.strip('"')
    return None


def take_if_bound(
    table: str, key: dict[str, Any], binding: str | None, *, missing: str, mismatch: str
) -> dict[str, Any] | None:
    """Delete the item and return it when it exists, has not expired, and was bound to `binding`;
    None when it is unknown or expired (the caller's 400). A binding that is absent or another
    browser's is a `BrowserMismatch` (403) and leaves the item where it is. One conditional delete."""
    if not binding:
        raise BrowserMismatch(missing)
    dynamodb = aws.client("dynamodb")
    try:
        gone = dynamodb.delete_item(
            TableName=table,
            Key=key,
            ReturnValues="ALL_OLD",
            ReturnValuesOnConditionCheckFailure="ALL_OLD",
            ConditionExpression="attribute_exists(pk) AND #binding = :binding",
            ExpressionAttributeNames={"#binding": "binding"},
            ExpressionAttributeValues={":binding": {"S": digest(binding)}},
        )
    except dynamodb.exceptions.ConditionalCheckFailedException as exc:
        kept = exc.response.get("Item")  # there, but bound to another browser
        if kept is None or int(kept.get("expires_at", {}).get("N", "0")) <= time.time():
            return None
        raise BrowserMismatch(mismatch) from None
    item = gone.get("Attributes", {})
    return item if int(item.get("expires_at", {}).get("N", "0")) > time.time() else None
