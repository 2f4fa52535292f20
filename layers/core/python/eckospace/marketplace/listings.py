"""Listings: create, read, edit, and every move through their lifecycle (`lifecycle`).

A draft, pending or rejected listing is its seller's alone (and the reviewers', through the review
queue): to anyone else it does not exist (404), as sold, archived and expired listings do not. A
published listing is anyone's to read. Only the seller edits or moves a listing.

Material fields are what a reviewer judged: changing one of a published listing sends it back to
review. The price alone is not one, so a seller may lower (or raise) it without waiting for review;
its currency is.

Each change is one TransactWriteItems: the listing, conditional on the version read, and its
attachments' side (each media is readable through the listing while, and only while, it is
published: `eckospace.media.attachments`).
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from eckospace import timestamps
from eckospace.allowances import DailyAllowance, Quantity
from eckospace.errors import Conflict, DomainError, NotFound, NotPermitted, VersionMismatch
from eckospace.events import DomainEvent, publish, stable_event_id
from eckospace.marketplace import lifecycle, settings, store
from eckospace.marketplace.lifecycle import PENDING, PUBLISHED
from eckospace.preconditions import if_match_hits
from eckospace.transactions import Cancelled, Operation, transact

MAX_ATTACHMENTS = 10
MATERIAL = ("title", "description", "category", "condition", "location", "currency", "attachments")
EDITABLE = (*MATERIAL, "price")
DAILY_LISTINGS = DailyAllowance("listings", (Quantity("listings", "used", "daily_limit", settings.DAILY_LISTINGS),))
# What each owner action's event is, when it has one (reviews publish their own).
OWNER_EVENTS = {"mark_sold": "listing.sold"}


def not_found(listing_id: str) -> NotFound:
    return NotFound(f"No listing {listing_id[:40]} that you can see.")


def etag(listing: dict[str, Any]) -> str:
    """`"v<version>.<digest>"`: the version is what If-Match compares; the digest covers the save count."""
    state = json.dumps({"saves": listing.get("save_count", 0)}, sort_keys=True)
    return f'"v{listing["version"]}.{hashlib.sha256(state.encode()).hexdigest()[:10]}"'


def visible_to(listing: dict[str, Any] | None, viewer: str) -> bool:
    return bool(listing and (listing["status"] == PUBLISHED or listing["seller"] == viewer))


def view(listing: dict[str, Any]) -> dict[str, Any]:
    """What a reader sees (`eckospace.marketplace.models.Listing`)."""
    from eckospace.media.attachments import attachment_view

    public = listing["status"] == PUBLISHED
    return {
        "id": listing["id"],
        "object": "listing",
        "seller": listing["seller"],
        "title": listing["title"],
        "description": listing["description"],
        "price": listing["price"],
        "currency": listing["currency"],
        "category": listing["category"],
        "condition": listing["condition"],
        "location": listing["location"],
        "attachments": [attachment_view(summary, public=public) for summary in listing.get("attachments", [])],
        "status": listing["status"],
        "rejection": listing.get("rejection"),
        "save_count": listing.get("save_count", 0),
        "version": listing["version"],
        "created_at": timestamps.from_ms(listing["created_ms"]),
        "updated_at": timestamps.from_ms(listing["updated_ms"]),
        "published_at": _at(listing.get("published_ms")),
        "expires_at": _at(listing.get("expires_ms")) if listing["status"] in (PUBLISHED, lifecycle.EXPIRED) else None,
    }


def _at(ms: int | None) -> str | None:
    return timestamps.from_ms(ms) if ms else None


# ------------------------------------------------------------------------------------ reads
def read(listing_id: str, viewer: str) -> dict[str, Any]:
    listing = store.load(listing_id)
    if not visible_to(listing, viewer):
        raise not_found(listing_id)
    assert listing is not None
    return listing


def _owned(listing_id: str, user: str) -> dict[str, Any]:
    listing = read(listing_id, user)
    if listing["seller"] != user:
        raise NotPermitted("Only its seller can change a listing.")
    return listing


# ------------------------------------------------------------------------------------ writes
def _media_operations(old: dict[str, Any] | None, new: dict[str, Any]) -> list[Operation]:
    before = [summary["id"] for summary in (old or {}).get("attachments", [])]
    after = [summary["id"] for summary in new.get("attachments", [])]
    if not before and not after:
        return []
    from eckospace.media.attachments import attach_operations

    return attach_operations(
        f"listing:{new['id']}",
        owner=new["seller"],
        before=before,
        after=after,
        public_before=bool(old and old["status"] == PUBLISHED),
        public_after=new["status"] == PUBLISHED,
    )


def _write(operations: list[Operation], *, changed: DomainError, allowance: DomainError | None = None) -> None:
    try:
        transact(operations)
    except Cancelled as cancelled:
        if cancelled.failed == "allowance" and allowance is not None:
            raise allowance from None
        if cancelled.failed and cancelled.failed.startswith("media:"):
            from eckospace.media.attachments import not_attachable

            raise not_attachable(cancelled.failed.removeprefix("media:")) from None
        if cancelled.failed == "listing" or cancelled.conflicted:
            raise changed from None
        raise


def _attachments(seller: str, media_ids: list[str], kept: list[dict[str, Any]]) -> list[dict[str, Any]]:
    from eckospace.media.attachments import checked_summaries

    return checked_summaries(seller, media_ids, most=MAX_ATTACHMENTS, holder="listing", kept=kept)


def create(seller: str, fields: dict[str, Any]) -> dict[str, Any]:
    """A new draft listing (`fields` as the create body checked them)."""
    ms = store.now_ms()
    listing = {
        "id": store.new_id("lst", ms),
        "seller": seller,
        **{name: fields[name] for name in ("title", "description", "price", "currency", "category", "condition")},
        "location": fields["location"],
        "attachments": _attachments(seller, fields.get("attachments", []), []),
        "status": lifecycle.DRAFT,
        "version": 1,
        "created_ms": ms,
        "updated_ms": ms,
    }
    now = ms / 1000
    allowance = DAILY_LISTINGS.transaction_item(store.table(), store.allowance_key(DAILY_LISTINGS, seller, now), now)
    operations: list[Operation] = [
        ("allowance", allowance),
        (
            "listing",
            {
                "Put": {
                    "TableName": store.table(),
                    "Item": store.item(listing),
                    "ConditionExpression": "attribute_not_exists(pk)",
                }
            },
        ),
        *_media_operations(None, listing),
    ]
    _write(
        operations,
        changed=Conflict("The listing could not be created; retry.", retry_after=1),
        allowance=DAILY_LISTINGS.exhausted(now),
    )
    return listing


def require_version(listing: dict[str, Any], if_match: str | None) -> None:
    """412 when `If-Match` names another version of the listing than the one read."""
    if if_match and not if_match_hits(if_match, listing["version"]):
        raise VersionMismatch(f"The listing is at version {listing['version']}; If-Match named another.")


def _changed_meanwhile(if_match: str | None) -> DomainError:
    # `If-Match: *` asks only that the listing exists: a change that lands meanwhile is a retry, not a 412
    if if_match and if_match.strip() != "*":
        return VersionMismatch("The listing changed meanwhile; read it again.")
    return Conflict("The listing changed meanwhile; retry.", retry_after=1)


def update(listing_id: str, seller: str, changes: dict[str, Any], *, if_match: str | None = None) -> dict[str, Any]:
    """Apply the fields sent; a material change to a published listing sends it back to review."""
    listing = _owned(listing_id, seller)
    require_version(listing, if_match)
    lifecycle.refuse_edit(listing["status"], noun="listing")
    new = dict(listing)
    for name in EDITABLE:
        if changes.get(name) is not None and name != "attachments":
            new[name] = changes[name]
    if changes.get("attachments") is not None:
        new["attachments"] = _attachments(seller, changes["attachments"], listing.get("attachments", []))
    if all(new.get(name) == listing.get(name) for name in EDITABLE):
        return listing
    ms = store.now_ms()
    new |= {"updated_ms": ms, "version": listing["version"] + 1}
    if listing["status"] == PUBLISHED and any(new.get(name) != listing.get(name) for name in MATERIAL):
        new |= {"status": PENDING, "submitted_ms": ms}
    _write(
        [("listing", store.update_operation(listing, new)), *_media_operations(listing, new)],
        changed=_changed_meanwhile(if_match),
    )
    return new


def move(listing: dict[str, Any], action: str, *, reason: str | None = None) -> dict[str, Any]:
    """`listing` after `action` (see `lifecycle`), written if it is still the version read; 409 when
    the lifecycle has no such move from its status."""
    to = lifecycle.target(action, listing["status"], noun="listing")
    ms = store.now_ms()
    new = dict(listing) | {"status": to, "updated_ms": ms, "version": listing["version"] + 1}
    if action == "submit":
        new |= {"submitted_ms": ms, "rejection": None}
    elif action in ("approve", "renew"):
        new |= {"published_ms": listing.get("published_ms") or ms, "expires_ms": ms + lifecycle.LIFETIME_MS}
    elif action in ("reject", "take_down"):
        new["rejection"] = {"reason": reason, "decided_at": timestamps.from_ms(ms)}
    operations = [("listing", store.update_operation(listing, new)), *_media_operations(listing, new)]
    _write(operations, changed=Conflict("The listing changed meanwhile; read it again and retry.", retry_after=1))
    return new


def act(listing_id: str, seller: str, action: str, *, if_match: str | None = None) -> dict[str, Any]:
    """The seller's own move (`submit`, `mark_sold`, `archive`, `renew`), announced when it has an event."""
    listing = _owned(listing_id, seller)
    require_version(listing, if_match)
    moved = move(listing, action)
    if action in OWNER_EVENTS:
        announce(OWNER_EVENTS[action], moved)
    return moved


def announce(event_type: str, listing: dict[str, Any], **data: Any) -> None:
    publish(listing_event(event_type, listing, **data))


def listing_event(event_type: str, listing: dict[str, Any], **data: Any) -> DomainEvent:
    """A listing's lifecycle event, its id stable for the version it is about (a retry publishes the same id)."""
    return DomainEvent(
        event_type,
        {"listing_id": listing["id"], "seller": listing["seller"], "title": listing["title"], **data},
        subject=listing["id"],
        id=stable_event_id(f"{event_type}:{listing['id']}:{listing['version']}"),
    )
