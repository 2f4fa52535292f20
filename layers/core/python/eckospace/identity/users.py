"""People who sign in, and the external identities (Google subjects) linked to them.

One table (`ECKO_USERS_TABLE`), key `pk`: `user#<id>` holds the profile, `google#<sub>` the link.
A first sign-in writes both in one transaction, each only if absent, so two concurrent first
sign-ins of the same person create one user.
"""

from __future__ import annotations

import time
import uuid
from dataclasses import dataclass
from typing import Any

from eckospace import aws
from eckospace.identity import settings
from eckospace.timestamps import from_seconds


@dataclass(frozen=True)
class User:
    id: str
    email: str
    name: str | None
    created: int  # epoch seconds, as stored

    def public(self) -> dict[str, Any]:
        """The user as `GET /api/me` shows them (`eckospace.identity.models.Me`)."""
        return {"id": self.id, "email": self.email, "name": self.name, "created_at": from_seconds(self.created)}


def _table() -> str:
    return settings.USERS_TABLE()


def get(user_id: str) -> User | None:
    found = aws.client("dynamodb").get_item(
        TableName=_table(), Key={"pk": {"S": f"user#{user_id}"}}, ConsistentRead=True
    )
    if "Item" not in found:
        return None
    item = found["Item"]
    return User(
        id=user_id, email=item["email"]["S"], name=item.get("name", {}).get("S"), created=int(item["created"]["N"])
    )


def _linked_user_id(provider: str, subject: str) -> str | None:
    found = aws.client("dynamodb").get_item(
        TableName=_table(), Key={"pk": {"S": f"{provider}#{subject}"}}, ConsistentRead=True
    )
    return found["Item"]["user_id"]["S"] if "Item" in found else None


def find_or_create(provider: str, subject: str, *, email: str, name: str | None) -> User:
    """The user linked to this external identity, created (and linked) on first sign-in."""
    user_id = _linked_user_id(provider, subject)
    if user_id is None:
        user_id = uuid.uuid4().hex
        profile: dict[str, Any] = {
            "pk": {"S": f"user#{user_id}"},
            "email": {"S": email},
            "created": {"N": str(int(time.time()))},
        }
        if name:
            profile["name"] = {"S": name}
        link = {"pk": {"S": f"{provider}#{subject}"}, "user_id": {"S": user_id}}
        client = aws.client("dynamodb")
        try:
            client.transact_write_items(
                TransactItems=[
                    {
                        "Put": {
                            "TableName": _table(),
                            "Item": profile,
                            "ConditionExpression": "attribute_not_exists(pk)",
                        }
                    },
                    {"Put": {"TableName": _table(), "Item": link, "ConditionExpression": "attribute_not_exists(pk)"}},
                ]
            )
        except client.exceptions.TransactionCanceledException:
            user_id = _linked_user_id(provider, subject)  # a concurrent first sign-in won the race
            if user_id is None:
                raise
    user = get(user_id)
    if user is None:
        raise RuntimeError(f"{provider} identity is linked to a missing user")
    return user
