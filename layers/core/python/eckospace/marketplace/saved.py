"""Saved items: a user's private list of the published listings and jobs they saved, newest first.

Saving is one transaction: the saved item (one per user and posting) and the posting's
`save_count`, which only a published posting takes. Saving again or unsaving what is not saved
changes nothing. The list is `browse.saved_page`.
"""

from __future__ import annotations

from typing import Any

from eckospace import items
from eckospace.ids import sort_key
from eckospace.marketplace import lifecycle, postings, store
from eckospace.marketplace.kinds import Kind
from eckospace.transactions import Cancelled, transact


def _saved_key(user: str, posting_id: str) -> dict[str, Any]:
    return {"pk": {"S": f"saved#{user}#{posting_id}"}, "sk": {"S": "saved"}}


def _count(
    posting_id: str, by: int, condition: str, values: dict[str, Any], names: dict[str, str] | None = None
) -> dict[str, Any]:
    """The posting's `save_count` moved by `by`, if `condition` holds."""
    update: dict[str, Any] = {
        "TableName": store.table(),
        "Key": store.key(posting_id),
        "UpdateExpression": "ADD save_count :by",
        "ConditionExpression": condition,
        "ExpressionAttributeValues": {":by": {"N": str(by)}, **values},
    }
    if names:
        update["ExpressionAttributeNames"] = names
    return {"Update": update}


def save(user: str, posting_id: str, kind: Kind) -> None:
    """404 for a posting the user cannot see; 409 for one they can (their own) that is not published now."""
    if not kind.ids.match(posting_id):
        raise postings.not_found(posting_id, kind)
    ms = store.now_ms()
    saved = {
        "pk": f"saved#{user}#{posting_id}",
        "sk": "saved",
        "type": "saved",
        "user": user,
        "posting_id": posting_id,
        "created_ms": ms,
        # on ByOwner: the saver's items, newest first
        "owner_pk": f"saved#{user}",
        "owner_sk": sort_key(ms, posting_id),
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
                    "posting",
                    _count(
                        posting_id,
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
        if cancelled.failed == "posting":
            posting = store.load(posting_id, kind)
            if not postings.visible_to(posting, user):
                raise postings.not_found(posting_id, kind) from None
            assert posting is not None
            raise lifecycle.refuse(posting["status"], kind, f"Only a published {kind.noun} can be saved.") from None
        raise


def unsave(user: str, posting_id: str, kind: Kind) -> None:
    if not kind.ids.match(posting_id):
        return
    try:
        transact(
            [
                (
                    "saved",
                    {
                        "Delete": {
                            "TableName": store.table(),
                            "Key": _saved_key(user, posting_id),
                            "ConditionExpression": "attribute_exists(pk)",
                        }
                    },
                ),
                ("posting", _count(posting_id, -1, "attribute_exists(pk)", {})),
            ]
        )
    except Cancelled as cancelled:
        if cancelled.failed == "saved":
            return  # not saved: nothing to change
        raise
