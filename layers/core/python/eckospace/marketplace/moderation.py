"""Reports of listings and jobs, into the one moderation queue (`eckospace.moderation`), and a
moderator's decision on them: `take_down` sends a published posting back to its owner as
`rejected`, with the reason (`listing.rejected` or `job.rejected`, and the owner's notification),
to fix and submit again; `dismiss` leaves it as it is. Either resolves every open report of it.

Anyone but its owner may report a published posting (the owner's own is a 409, anyone else's that
is not published a 404). The report keeps a snapshot of what was reported, since the owner may edit
it before a moderator reads it.
"""

from __future__ import annotations

from typing import Any

from eckospace.errors import Conflict
from eckospace.marketplace import postings, store
from eckospace.marketplace.kinds import Kind
from eckospace.moderation import reports
from eckospace.moderation.reports import Subject

# What a report keeps of each kind (besides its owner and version).
_SNAPSHOT_FIELDS = {
    "listing": ("title", "description", "price", "currency"),
    "job": ("title", "company", "description", "salary", "application"),
}


def _snapshot(posting: dict[str, Any], kind: Kind) -> dict[str, Any]:
    kept = {name: posting[name] for name in _SNAPSHOT_FIELDS[kind.noun]}
    kept |= {kind.owner: posting[kind.owner], "version": posting["version"]}
    if kind.noun == "listing":
        kept["attachment_ids"] = [summary["id"] for summary in posting.get("attachments", [])]
    return kept


def report(posting_id: str, kind: Kind, reporter: str, *, reason: str, note: str | None) -> dict[str, Any]:
    posting = store.load(posting_id, kind)
    if not postings.visible_to(posting, reporter):
        raise postings.not_found(posting_id, kind)
    assert posting is not None
    if posting[kind.owner] == reporter:
        raise Conflict(f"You cannot report your own {kind.noun}; edit or archive it instead.")
    return reports.file_report(
        Subject.posting(kind.noun, posting_id), reporter, reason=reason, note=note, snapshot=_snapshot(posting, kind)
    )


def decide(posting_id: str, kind: Kind, moderator: str, *, action: str, reason: str) -> dict[str, Any]:
    posting = store.load(posting_id, kind)
    if posting is None:
        raise postings.not_found(posting_id, kind)
    facts = []
    if action == "take_down":
        taken_down = postings.move(posting, "take_down", reason=reason)
        facts.append(postings.event(kind.events["take_down"], taken_down, reason=reason))
    return reports.decide(Subject.posting(kind.noun, posting_id), moderator, action=action, reason=reason, facts=facts)
