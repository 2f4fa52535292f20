"""Domain events into notifications, each exactly once: the notification, its cause's marker and
the unread counter are one transaction whose conditional puts refuse a duplicate, so an event
delivered twice (or published again by a retry) notifies once. A user who switched the type off
gets none (read at creation).

A chat message tells each member it names who is not connected (a connected one sees it come in),
once per unread streak: its cause is the conversation and how far they had read, so the messages
that follow until they read make no other, and the first after they read makes a new one."""

from __future__ import annotations

from typing import Any

from eckospace import aws
from eckospace.notifications import catalogue, store
from eckospace.realtime.online import connected
from eckospace.transactions import Cancelled, transact


def notifications_for(envelope: dict[str, Any]) -> list[dict[str, Any]]:
    """The notifications a domain event makes: one for most, one per member to tell for a chat
    message, none for a type notifications ignore or your own act."""
    if catalogue.FROM_EVENT.get(str(envelope.get("type"))) == "chat_message":
        return _chat_message(envelope)
    notification = notification_for(envelope)
    return [] if notification is None else [notification]


def _chat_message(envelope: dict[str, Any]) -> list[dict[str, Any]]:
    data, at_ms = envelope["data"], int(envelope["created"]) * 1000
    conversation = data["conversation_id"]
    return [
        store.record(
            recipient["user_id"],
            "chat_message",
            cause=f"{conversation}:{recipient['last_read_seq']}",
            at_ms=at_ms,
            actor=data["sender"],
            subject={"object": "conversation", "id": conversation},
            data={"message_id": data["message_id"], "preview": data["preview"]},
        )
        for recipient in data["recipients"]
        if recipient["user_id"] != data["sender"] and not connected(recipient["user_id"])
    ]


def notification_for(envelope: dict[str, Any]) -> dict[str, Any] | None:
    """The notification a domain event of a one-user type makes, or None (a type notifications
    ignore, your own act)."""
    kind = catalogue.FROM_EVENT.get(str(envelope.get("type")))
    if kind is None:
        return None
    data, at_ms = envelope.get("data") or {}, int(envelope["created"]) * 1000
    if kind == "reaction":
        user, actor = data["post_author"], data["user"]
        if user == actor:
            return None
        return store.record(
            user,
            kind,
            cause=f"{data['post_id']}:{actor}",  # one per reactor and post, however often they react again
            at_ms=at_ms,
            actor=actor,
            subject={"object": "post", "id": data["post_id"]},
            data={"reaction": data["type"]},
        )
    if kind == "post_moderated":
        return store.record(
            data["author"],
            kind,
            cause=envelope["id"],
            at_ms=at_ms,
            actor=None,  # moderators stay anonymous
            subject={"object": "post", "id": data["post_id"]},
            data={"action": data["action"], "reason": data["reason"]},
        )
    if kind == "report_resolved":
        reported = data.get("subject") or {"type": "post"}  # events from before messages could be reported
        # which post, message, listing or job, never what the message said
        if reported["type"] == "chat_message":
            names = {"conversation_id": reported["conversation_id"], "message_id": reported["id"]}
        elif reported["type"] == "contact_message":
            names = {"contact_id": reported["contact_id"], "message_id": reported["id"]}
        elif reported["type"] in ("listing", "job"):
            names = {f"{reported['type']}_id": reported["id"]}
        else:
            names = {"post_id": data["post_id"]}
        return store.record(
            data["reporter"],
            kind,
            cause=data["report_id"],
            at_ms=at_ms,
            actor=None,
            subject={"object": "report", "id": data["report_id"]},
            data={**names, "action": data["action"]},
        )
    if kind in ("listing_reviewed", "job_reviewed", "listing_expiring", "job_expiring"):
        return _posting_notice(kind, envelope, at_ms)
    if kind == "application_updated":
        return store.record(
            data["applicant"],
            kind,
            cause=envelope["id"],  # one per move: the event's id is stable for the version moved to
            at_ms=at_ms,
            actor=None,  # the employer is named by the job, not as a person
            subject={"object": "application", "id": data["application_id"]},
            data={"job_id": data["job_id"], "job_title": data["job_title"], "status": data["status"]},
        )
    if kind == "application_received":
        return store.record(
            data["employer"],
            kind,
            cause=data["application_id"],
            at_ms=at_ms,
            actor=data["applicant"],
            subject={"object": "application", "id": data["application_id"]},
            data={"job_id": data["job_id"], "job_title": data["job_title"]},
        )
    if kind == "contact_message":
        return store.record(
            data["recipient"],
            kind,
            cause=data["message_id"],
            at_ms=at_ms,
            actor=data["author"],
            subject={"object": "contact", "id": data["contact_id"]},
            data={"message_id": data["message_id"], "posting": data["posting"], "preview": data["preview"]},
        )
    # wallet_credited / wallet_debited: about the wallet's owner, the event's subject
    return store.record(
        str(envelope["subject"]),
        kind,
        cause=envelope["id"],
        at_ms=at_ms,
        actor=None,
        subject={"object": "wallet_entry", "id": data.get("effect_id") or envelope["id"]},
        data={"amount": data["amount"], "currency": data["currency"]},
    )


def notify(envelope: dict[str, Any]) -> int:
    """Create the event's notifications; how many were new (none to make, or all made before: 0)."""
    return sum(create(notification) for notification in notifications_for(envelope))


def create(notification: dict[str, Any]) -> bool:
    """Create one notification; False when its user switched its type off or it exists already."""
    user = notification["user"]
    preferences = (
        aws.client("dynamodb")
        .get_item(TableName=store.table(), Key=store.preferences_key(user), ConsistentRead=True)
        .get("Item")
    )
    if notification["type"] in store.switched_off(preferences):
        return False
    try:
        transact(store.create_operations(notification))
    except Cancelled as cancelled:
        if cancelled.failed is None:
            raise
        return False  # made before: a duplicate delivery
    return True


def _posting_notice(kind: str, envelope: dict[str, Any], at_ms: int) -> dict[str, Any]:
    """A listing's or job's owner told of a review (`<noun>.published` or `.rejected`: the status it
    left) or of its coming expiry. Reviewers stay anonymous; the event's id is stable for the version
    decided, or for the expiry date, so each is told once."""
    data = envelope["data"]
    noun, _, happened = envelope["type"].partition(".")
    told = (
        {"status": happened, "title": data["title"], "reason": data.get("reason")}
        if kind.endswith("_reviewed")
        else {"title": data["title"], "expires_at": data["expires_at"]}
    )
    return store.record(
        data["seller"] if noun == "listing" else data["employer"],
        kind,
        cause=envelope["id"],
        at_ms=at_ms,
        actor=None,
        subject={"object": noun, "id": data[f"{noun}_id"]},
        data=told,
    )
