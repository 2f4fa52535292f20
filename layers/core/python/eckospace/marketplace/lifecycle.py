"""The life of a marketplace posting, one graph for every kind (a kind may lack a move: a job is
never sold, see `kinds`):

    draft ──submit──▶ pending_review ──approve──▶ published ──mark_sold──▶ sold
      ▲                    │                       │  ▲  │
      │                 reject                 expire renew └──archive──▶ archived
   (edits)                 ▼                       ▼  │
                       rejected ──submit──▶     expired
                           ▲
                           └──────take_down────── published

- `submit` (owner): a draft or a rejected item goes to review.
- `approve` / `reject` (reviewer): a pending item is published (for 30 days) or rejected, with a reason.
- `mark_sold` (owner): a published item is sold.
- `archive` (owner): any item not yet sold or archived is withdrawn for good.
- `renew` (owner): a published or expired item is published for 30 days from now.
- `expire` (the expiry sweeper): a published item whose time is up.
- `take_down` (a moderator, on reports): a published item goes back to its owner as `rejected`,
  with the reason, to fix and submit again.
- Editing a published item's material fields sends it back to `pending_review`; sold and archived
  items cannot be edited.

Anything else is refused (409) and changes nothing. Every transition is one conditional write on
the status and version read, so of two racing transitions exactly one lands.
"""

from __future__ import annotations

from eckospace.errors import Conflict
from eckospace.marketplace.kinds import Kind

DRAFT, PENDING, PUBLISHED, REJECTED = "draft", "pending_review", "published", "rejected"
SOLD, ARCHIVED, EXPIRED = "sold", "archived", "expired"
STATUSES = (DRAFT, PENDING, PUBLISHED, REJECTED, SOLD, ARCHIVED, EXPIRED)
LIFETIME_MS = 30 * 24 * 3600 * 1000  # how long an item stays published unless renewed

# action: (the statuses it applies to, the status it leads to)
TRANSITIONS: dict[str, tuple[frozenset[str], str]] = {
    "submit": (frozenset({DRAFT, REJECTED}), PENDING),
    "approve": (frozenset({PENDING}), PUBLISHED),
    "reject": (frozenset({PENDING}), REJECTED),
    "mark_sold": (frozenset({PUBLISHED}), SOLD),
    "archive": (frozenset({DRAFT, PENDING, PUBLISHED, REJECTED, EXPIRED}), ARCHIVED),
    "renew": (frozenset({PUBLISHED, EXPIRED}), PUBLISHED),
    "expire": (frozenset({PUBLISHED}), EXPIRED),
    "take_down": (frozenset({PUBLISHED}), REJECTED),
}
EDITABLE = frozenset({DRAFT, PENDING, PUBLISHED, REJECTED})


class IllegalTransition(Conflict):
    """The item's status does not allow the action; `current_status` and `allowed_actions` (the
    moves anyone may make from it) say what does."""

    slug = "illegal-transition"
    title = "This item's status does not allow that"


def allowed_actions(status: str, kind: Kind) -> list[str]:
    return [
        action
        for action, (sources, _) in TRANSITIONS.items()
        if status in sources and action in kind.actions and action != "expire"
    ]


def target(action: str, status: str, kind: Kind) -> str:
    """The status `action` leads to from `status`; `IllegalTransition` when the graph has no such edge."""
    sources, to = TRANSITIONS[action]
    if status not in sources or action not in kind.actions:
        raise IllegalTransition(
            f"{_a(status)} {kind.noun} cannot be {_spoken(action, past=True)}.",
            current_status=status,
            allowed_actions=allowed_actions(status, kind),
        )
    return to


def refuse(status: str, kind: Kind, detail: str) -> IllegalTransition:
    return IllegalTransition(detail, current_status=status, allowed_actions=allowed_actions(status, kind))


def refuse_edit(status: str, kind: Kind) -> None:
    if status not in EDITABLE:
        raise refuse(status, kind, f"{_a(status)} {kind.noun} cannot be edited.")


_PAST = {
    "submit": "submitted",
    "approve": "approved",
    "reject": "rejected",
    "mark_sold": "marked sold",
    "archive": "archived",
    "renew": "renewed",
    "expire": "expired",
    "take_down": "taken down",
}


def _spoken(word: str, *, past: bool = False) -> str:
    return _PAST[word] if past else word.replace("_", " ")


def _a(status: str) -> str:
    """ "A draft", "An archived"."""
    spoken = _spoken(status)
    return f"{'An' if spoken[0] in 'aeiou' else 'A'} {spoken}"
