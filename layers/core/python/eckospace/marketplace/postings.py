"""Listings and jobs alike (`kinds`): read, edit, and every move through their lifecycle.

A draft, pending or rejected posting is its owner's alone (and the reviewers', through the review
queue): to anyone else it does not exist (404), as sold, archived and expired ones do not. A
published posting is anyone's to read. Only the owner edits or moves it.

Material fields are what a reviewer judged (`Kind.material`): changing one of a published posting
sends it back to review.

Each change is one TransactWriteItems: the posting, conditional on the version read, and its
attachments' side (each media is readable through the posting while, and only while, it is
published: `eckospace.media.attachments`).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from typing import Any

from eckospace import timestamps
from eckospace.allowances import DailyAllowance
from eckospace.errors import Conflict, DomainError, NotFound, NotPermitted, VersionMismatch
from eckospace.events import DomainEvent, publish, stable_event_id
from eckospace.marketplace import lifecycle, store
from eckospace.marketplace.kinds import Kind, kind_of
from eckospace.marketplace.lifecycle import PENDING, PUBLISHED
from eckospace.preconditions import changed_meanwhile, if_match_hits
from eckospace.transactions import Operation


def not_found(posting_id: str, kind: Kind) -> NotFound:
    return NotFound(f"No {kind.noun} {posting_id[:40]} that you can see.")


def owner_of(posting: dict[str, Any]) -> str:
    return str(posting[kind_of(posting["id"]).owner])


def etag(posting: dict[str, Any]) -> str:
    """`"v<version>.<digest>"`: the version is what If-Match compares; the digest covers the save count."""
    state = json.dumps({"saves": posting.get("save_count", 0)}, sort_keys=True)
    return f'"v{posting["version"]}.{hashlib.sha256(state.encode()).hexdigest()[:10]}"'


def visible_to(posting: dict[str, Any] | None, viewer: str) -> bool:
    return bool(posting and (posting["status"] == PUBLISHED or owner_of(posting) == viewer))


def lifecycle_view(posting: dict[str, Any]) -> dict[str, Any]:
    """What every kind shows of where a posting is in its life."""
    status = posting["status"]
    return {
        "status": status,
        "rejection": posting.get("rejection"),
        "save_count": posting.get("save_count", 0),
        "version": posting["version"],
        "created_at": timestamps.from_ms(posting["created_ms"]),
        "updated_at": timestamps.from_ms(posting["updated_ms"]),
        "published_at": _at(posting.get("published_ms")),
        "expires_at": _at(posting.get("expires_ms")) if status in (PUBLISHED, lifecycle.EXPIRED) else None,
    }


def _at(ms: int | None) -> str | None:
    return timestamps.from_ms(ms) if ms else None


def view(posting: dict[str, Any]) -> dict[str, Any]:
    """What a reader sees of a listing or a job (`eckospace.marketplace.models`)."""
    if kind_of(posting["id"]).noun == "job":
        from eckospace.marketplace import jobs

        return jobs.view(posting)
    from eckospace.marketplace import listings

    return listings.view(posting)


# ------------------------------------------------------------------------------------ reads
def read(posting_id: str, kind: Kind, viewer: str) -> dict[str, Any]:
    posting = store.load(posting_id, kind)
    if not visible_to(posting, viewer):
        raise not_found(posting_id, kind)
    assert posting is not None
    return posting


def _owned(posting_id: str, kind: Kind, user: str) -> dict[str, Any]:
    posting = read(posting_id, kind, user)
    if posting[kind.owner] != user:
        raise NotPermitted(f"Only its {kind.owner} can change a {kind.noun}.")
    return posting


# ------------------------------------------------------------------------------------ writes
def _media_operations(old: dict[str, Any] | None, new: dict[str, Any]) -> list[Operation]:
    before = [summary["id"] for summary in (old or {}).get("attachments", [])]
    after = [summary["id"] for summary in new.get("attachments", [])]
    if not before and not after:
        return []
    from eckospace.media.attachments import attach_operations

    kind = kind_of(new["id"])
    return attach_operations(
        f"{kind.noun}:{new['id']}",
        owner=new[kind.owner],
        before=before,
        after=after,
        public_before=bool(old and old["status"] == PUBLISHED),
        public_after=new["status"] == PUBLISHED,
    )


def _write(operations: list[Operation], *, changed: DomainError, allowance: DomainError | None = None) -> None:
    from eckospace.media.attachments import transact_attached

    transact_attached(operations, holder="posting", changed=changed, allowance=allowance)


def insert(posting: dict[str, Any], allowance: DailyAllowance) -> dict[str, Any]:
    """Store a new draft (its fields, as `new_draft` began them), counted against the owner's daily
    `allowance`."""
    kind = kind_of(posting["id"])
    now = posting["created_ms"] / 1000
    counter = allowance.transaction_item(store.table(), store.allowance_key(allowance, posting[kind.owner], now), now)
    put = {"TableName": store.table(), "Item": store.item(posting), "ConditionExpression": "attribute_not_exists(pk)"}
    _write(
        [("allowance", counter), ("posting", {"Put": put}), *_media_operations(None, posting)],
        changed=Conflict(f"The {kind.noun} could not be created; retry.", retry_after=1),
        allowance=allowance.exhausted(now),
    )
    return posting


def new_draft(kind: Kind, owner: str) -> dict[str, Any]:
    """What every new posting of `kind` begins with, before its own fields."""
    ms = store.now_ms()
    return {
        "id": store.new_id(kind.prefix, ms),
        kind.owner: owner,
        "status": lifecycle.DRAFT,
        "version": 1,
        "created_ms": ms,
        "updated_ms": ms,
    }


def require_version(posting: dict[str, Any], if_match: str | None) -> None:
    """412 when `If-Match` names another version of the posting than the one read."""
    if if_match and not if_match_hits(if_match, posting["version"]):
        noun = kind_of(posting["id"]).noun
        raise VersionMismatch(f"The {noun} is at version {posting['version']}; If-Match named another.")


def update(
    posting_id: str,
    kind: Kind,
    owner: str,
    changes: dict[str, Any],
    *,
    if_match: str | None = None,
    attachments: Callable[[list[str], list[dict[str, Any]]], list[dict[str, Any]]] | None = None,
) -> dict[str, Any]:
    """Apply the fields sent (`attachments(sent ids, kept summaries)` checks new attachments); a
    material change to a published posting sends it back to review."""
    posting = _owned(posting_id, kind, owner)
    require_version(posting, if_match)
    lifecycle.refuse_edit(posting["status"], kind)
    new = dict(posting)
    for name in kind.editable:
        if changes.get(name) is not None and name != "attachments":
            new[name] = changes[name]
    if changes.get("attachments") is not None and attachments:
        new["attachments"] = attachments(changes["attachments"], posting.get("attachments", []))
    if all(new.get(name) == posting.get(name) for name in kind.editable):
        return posting
    ms = store.now_ms()
    new |= {"updated_ms": ms, "version": posting["version"] + 1}
    if posting["status"] == PUBLISHED and any(new.get(name) != posting.get(name) for name in kind.material):
        new |= {"status": PENDING, "submitted_ms": ms}
    _write(
        [("posting", store.update_operation(posting, new)), *_media_operations(posting, new)],
        changed=changed_meanwhile(kind.noun, if_match),
    )
    return new


def move(posting: dict[str, Any], action: str, *, reason: str | None = None) -> dict[str, Any]:
    """`posting` after `action` (see `lifecycle`), written if it is still the version read; 409 when
    the lifecycle has no such move from its status."""
    kind = kind_of(posting["id"])
    to = lifecycle.target(action, posting["status"], kind)
    ms = store.now_ms()
    new = dict(posting) | {"status": to, "updated_ms": ms, "version": posting["version"] + 1}
    if action == "submit":
        new |= {"submitted_ms": ms, "rejection": None}
    elif action in ("approve", "renew"):
        new |= {"published_ms": posting.get("published_ms") or ms, "expires_ms": ms + lifecycle.LIFETIME_MS}
    elif action in ("reject", "take_down"):
        new["rejection"] = {"reason": reason, "decided_at": timestamps.from_ms(ms)}
    operations = [("posting", store.update_operation(posting, new)), *_media_operations(posting, new)]
    _write(operations, changed=Conflict(f"The {kind.noun} changed meanwhile; read it again and retry.", retry_after=1))
    return new


def act(posting_id: str, kind: Kind, owner: str, action: str, *, if_match: str | None = None) -> dict[str, Any]:
    """The owner's own move (`Kind.owner_actions`), announced when it has an event."""
    posting = _owned(posting_id, kind, owner)
    require_version(posting, if_match)
    moved = move(posting, action)
    if action in kind.events:
        announce(kind.events[action], moved)
    return moved


def announce(event_type: str, posting: dict[str, Any], **data: Any) -> None:
    publish(event(event_type, posting, **data))


def event(event_type: str, posting: dict[str, Any], **data: Any) -> DomainEvent:
    """A posting's lifecycle event, its id stable for the version it is about (a retry publishes the
    same id). It names the posting, its owner and its title."""
    kind = kind_of(posting["id"])
    return DomainEvent(
        event_type,
        {
            f"{kind.noun}_id": posting["id"],
            kind.owner: posting[kind.owner],
            "title": posting["title"],
            **data,
        },
        subject=posting["id"],
        id=stable_event_id(f"{event_type}:{posting['id']}:{posting['version']}"),
    )
