"""Listings: things for sale. What is theirs alone: their fields, their attachments and how a reader
sees them; the rest (reads, edits, the lifecycle) is every posting's (`postings`)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from eckospace.allowances import DailyAllowance, Quantity
from eckospace.marketplace import postings, settings
from eckospace.marketplace.kinds import LISTING
from eckospace.marketplace.lifecycle import PUBLISHED

MAX_ATTACHMENTS = 10
DAILY_LISTINGS = DailyAllowance("listings", (Quantity("listings", "used", "daily_limit", settings.DAILY_LISTINGS),))


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
        **postings.lifecycle_view(listing),
    }


def _attachments(seller: str) -> Callable[[list[str], list[dict[str, Any]]], list[dict[str, Any]]]:
    def checked(media_ids: list[str], kept: list[dict[str, Any]]) -> list[dict[str, Any]]:
        from eckospace.media.attachments import checked_summaries

        return checked_summaries(seller, media_ids, most=MAX_ATTACHMENTS, holder="listing", kept=kept)

    return checked


def create(seller: str, fields: dict[str, Any]) -> dict[str, Any]:
    """A new draft listing (`fields` as the create body checked them)."""
    listing = postings.new_draft(LISTING, seller)
    listing |= {name: fields[name] for name in ("title", "description", "price", "currency", "category", "condition")}
    listing |= {"location": fields["location"], "attachments": _attachments(seller)(fields.get("attachments", []), [])}
    return postings.insert(listing, DAILY_LISTINGS)


def read(listing_id: str, viewer: str) -> dict[str, Any]:
    return postings.read(listing_id, LISTING, viewer)


def update(listing_id: str, seller: str, changes: dict[str, Any], *, if_match: str | None = None) -> dict[str, Any]:
    return postings.update(listing_id, LISTING, seller, changes, if_match=if_match, attachments=_attachments(seller))
