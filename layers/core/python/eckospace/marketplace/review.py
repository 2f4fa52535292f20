"""Review: a reviewer's decision on a listing or job waiting for one (the queues are
`browse.review_queue`). Reviewers hold `review:*` scopes, apart from post moderators'
`moderation:*`; no reviewer decides on their own posting.

A decision is the lifecycle's `approve` or `reject` (with its reason), written only if the posting
is still the version the reviewer was shown when they send its `ETag` as `If-Match`; it publishes
`<kind>.published` or `<kind>.rejected`.
"""

from __future__ import annotations

from typing import Any

from eckospace import timestamps
from eckospace.errors import NotPermitted
from eckospace.marketplace import postings, store
from eckospace.marketplace.kinds import Kind


def decide(
    posting_id: str, kind: Kind, reviewer: str, *, action: str, reason: str, if_match: str | None
) -> dict[str, Any]:
    posting = store.load(posting_id, kind)
    if posting is None:
        raise postings.not_found(posting_id, kind)
    if posting[kind.owner] == reviewer:
        raise NotPermitted(f"Nobody reviews their own {kind.noun}.")
    postings.require_version(posting, if_match)
    decided = postings.move(posting, action, reason=reason)
    postings.announce(kind.events[action], decided, **({"reason": reason} if action == "reject" else {}))
    return {
        "object": f"{kind.noun}_decision",
        f"{kind.noun}_id": posting_id,
        "action": action,
        "reason": reason,
        "decided_at": timestamps.from_ms(decided["updated_ms"]),
        kind.noun: postings.view(decided),
    }
