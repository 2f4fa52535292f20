"""Reports of listings, into the one moderation queue (`eckospace.moderation`), and a moderator's
decision on them: `take_down` sends a published listing back to its seller as `rejected`, with the
reason (`listing.rejected`, and the seller's notification), to fix and submit again; `dismiss`
leaves it as it is. Either resolves every open report of the listing.

Anyone but its seller may report a published listing (the seller's own is a 409, anyone else's
that is not published a 404). The report keeps a snapshot of what was
reported, since the seller may edit the listing before a moderator reads it.
"""

from __future__ import annotations

from typing import Any

from eckospace.errors import Conflict
from eckospace.marketplace import postings, store
from eckospace.marketplace.kinds import LISTING
from eckospace.moderation import reports
from eckospace.moderation.reports import Subject


def _snapshot(listing: dict[str, Any]) -> dict[str, Any]:
    return {
        "title": listing["title"],
        "description": listing["description"],
        "price": listing["price"],
        "currency": listing["currency"],
        "seller": listing["seller"],
        "version": listing["version"],
        "attachment_ids": [summary["id"] for summary in listing.get("attachments", [])],
    }


def report_listing(listing_id: str, reporter: str, *, reason: str, note: str | None) -> dict[str, Any]:
    listing = store.load(listing_id, LISTING)
    if not postings.visible_to(listing, reporter):
        raise postings.not_found(listing_id, LISTING)
    assert listing is not None
    if listing["seller"] == reporter:
        raise Conflict("You cannot report your own listing; edit or archive it instead.")
    return reports.file_report(
        Subject.listing(listing_id), reporter, reason=reason, note=note, snapshot=_snapshot(listing)
    )


def decide(listing_id: str, moderator: str, *, action: str, reason: str) -> dict[str, Any]:
    listing = store.load(listing_id, LISTING)
    if listing is None:
        raise postings.not_found(listing_id, LISTING)
    facts = []
    if action == "take_down":
        taken_down = postings.move(listing, "take_down", reason=reason)
        facts.append(postings.event(LISTING.events["take_down"], taken_down, reason=reason))
    return reports.decide(Subject.listing(listing_id), moderator, action=action, reason=reason, facts=facts)
