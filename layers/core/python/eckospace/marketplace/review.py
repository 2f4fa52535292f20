"""Review: a reviewer's decision on a listing waiting for one (the queue is `browse.review_queue`).
Reviewers hold `review:*` scopes, apart from post moderators' `moderation:*`; no reviewer decides on
their own listing.

A decision is the lifecycle's `approve` or `reject` (with its reason), written only if the listing
is still the version the reviewer was shown when they send its `ETag` as `If-Match`; it publishes
`listing.published` or `listing.rejected`.
"""

from __future__ import annotations

from typing import Any

from eckospace import timestamps
from eckospace.errors import NotPermitted
from eckospace.marketplace import listings, store

EVENTS = {"approve": "listing.published", "reject": "listing.rejected"}


def decide(listing_id: str, reviewer: str, *, action: str, reason: str, if_match: str | None) -> dict[str, Any]:
    listing = store.load(listing_id)
    if listing is None:
        raise listings.not_found(listing_id)
    if listing["seller"] == reviewer:
        raise NotPermitted("Nobody reviews their own listing.")
    listings.require_version(listing, if_match)
    decided = listings.move(listing, action, reason=reason)
    listings.announce(EVENTS[action], decided, **({"reason": reason} if action == "reject" else {}))
    return {
        "object": "listing_decision",
        "listing_id": listing_id,
        "action": action,
        "reason": reason,
        "decided_at": timestamps.from_ms(decided["updated_ms"]),
        "listing": listings.view(decided),
    }
