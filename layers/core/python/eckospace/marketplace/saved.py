"""Saved items: a user's private list of published listings they saved, newest first.

Saving is one transaction: the saved item (one per user and listing) and the listing's
`save_count`, which only a published listing takes. Saving again or unsaving what is not saved
changes nothing. The list is `browse.saved_page`.
"""

from __future__ import annotations

from typing import Any

from eckospace import items
from eckospace.ids import sort_key
from eckospace.marketplace import lifecycle, listings, store
from eckospace.transactions import Cancelled, transact


def _saved_key(user: str, listing_id: str) -> dict[str, Any]:
    return {"pk": {"S": f"saved#{user}#{listing_id}"}, "sk": {"S": "saved"}}


def _count(
    listing_id: str, by: int, condition: str, values: dict[str, Any], names: dict[str, str] | None = None
) -> dict[str, Any]:
    """The listing's `save_count` moved by `by`, if `condition` holds."""
    update: dict[str, Any] = {
        "TableName": store.table(),
        "Key": store.listing_key(listing_id),
        "UpdateExpression": "ADD save_count :by",
        "ConditionExpression": condition,
        "ExpressionAttributeValues": {":by": {"N": str(by)}, **values},
    }
    if names:
        update["ExpressionAttributeNames"] = names
    return {"Update": update}


def save(user: str, listing_id: str) -> None:
    """404 for a listing the user cannot see; 409 for one they can (their own) that is not published now."""
    if not store.LISTING_ID.match(listing_id):
        raise listings.not_found(listing_id)
    ms = store.now_ms()
    saved = {
        "pk": f"saved#{user}#{listing_id}",
        "sk": "saved",
        "type": "saved",
        "user": user,
        "listing_id": listing_id,
        "created_ms": ms,
        # on ByOwner: the saver's items, newest first
        "owner_pk": f"saved#{user}",
        "owner_sk": sort_key(ms, listing_id),
    }
    try:
        transact(
            [
                (
                    "saved",
                    {
                        "Put": {
                            "TableName": store.table(),
                            "Item": items.to_item(saved),
                            "ConditionExpression": "attribute_not_exists(pk)",
                        }
                    },
                ),
                (
                    "listing",
                    _count(
                        listing_id,
                        1,
                        "#status = :published AND expires_ms > :now",
                        {":published": {"S": lifecycle.PUBLISHED}, ":now": {"N": str(ms)}},
                        names={"#status": "status"},
                    ),
                ),
            ]
        )
    except Cancelled as cancelled:
        if cancelled.code_of("saved") == "ConditionalCheckFailed":
            return  # saved before: nothing to change
        if cancelled.failed == "listing":
            listing = store.load(listing_id)
            if not listings.visible_to(listing, user):
                raise listings.not_found(listing_id) from None
            assert listing is not None
            raise lifecycle.IllegalTransition(
                "Only a published listing can be saved.",
                current_status=listing["status"],
                allowed_actions=lifecycle.allowed_actions(listing["status"]),
            ) from None
        raise


def unsave(user: str, listing_id: str) -> None:
    if not store.LISTING_ID.match(listing_id):
        return
    try:
        transact(
            [
                (
                    "saved",
                    {
                        "Delete": {
                            "TableName": store.table(),
                            "Key": _saved_key(user, listing_id),
                            "ConditionExpression": "attribute_exists(pk)",
                        }
                    },
                ),
                ("listing", _count(listing_id, -1, "attribute_exists(pk)", {})),
            ]
        )
    except Cancelled as cancelled:
        if cancelled.failed == "saved":
            return  # not saved: nothing to change
        raise
