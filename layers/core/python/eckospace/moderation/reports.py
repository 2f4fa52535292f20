"""Reports and the decisions that resolve them, whatever they are about.

A report's subject is a post, a chat message, a marketplace listing or job, or a relayed contact's
message. A user reports a subject
they can see, for a reason from a fixed list; while a report is open the same user cannot open
another on the same subject (409), and nobody files more than their daily allowance of reports, of
every kind together (429). Reports are kept once decided: they are their subject's moderation history. Open reports of
every kind form one moderation queue, oldest first. A decision resolves every open report of its
subject and publishes `moderation.decided`, with `report.resolved` for each reporter.

Items, in the posts table (pk / sk):
- `report#<id>` / `report`: a report, with its `subject` (and `post_id` for a post's); while open on
  `ByAuthor` as `reports#open` (the queue), always on `Listings` as `<subject key>`
  (`post-reports#<post>`, `chat-message-reports#<conversation>:<message>`,
  `listing-reports#<listing>`, `job-reports#<job>`, `contact-message-reports#<contact>:<message>`).
- `report-open#<subject name>#<reporter>` / `marker`: held while the reporter's report is open.
- `allowance#reports#<user>#<day>` / `allowance`: the reporter's reports that day.
"""

from __future__ import annotations

import time
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from eckospace import aws, ids, timestamps
from eckospace.allowances import DailyAllowance, Quantity
from eckospace.errors import Conflict
from eckospace.events import DomainEvent, publish, publish_all, stable_event_id
from eckospace.items import attribute, from_item, to_item
from eckospace.moderation import settings
from eckospace.transactions import Cancelled, transact

REASONS = ("spam", "harassment", "hate", "violence", "sexual", "misinformation", "other")
OPEN, RESOLVED = "open", "resolved"
POST, CHAT_MESSAGE, LISTING, JOB, CONTACT_MESSAGE = "post", "chat_message", "listing", "job", "contact_message"
QUEUE = "reports#open"
DAILY_REPORTS = DailyAllowance("reports", (Quantity("reports", "used", "daily_limit", settings.DAILY_REPORTS),))


@dataclass(frozen=True)
class Subject:
    """What a report is about: a post, a message of a conversation, a listing, a job, or a message
    of a relayed contact."""

    type: str
    id: str
    conversation_id: str | None = None
    contact_id: str | None = None

    @classmethod
    def post(cls, post_id: str) -> Subject:
        return cls(POST, post_id)

    @classmethod
    def chat_message(cls, conversation_id: str, message_id: str) -> Subject:
        return cls(CHAT_MESSAGE, message_id, conversation_id)

    @classmethod
    def contact_message(cls, contact_id: str, message_id: str) -> Subject:
        return cls(CONTACT_MESSAGE, message_id, contact_id=contact_id)

    @classmethod
    def posting(cls, noun: str, posting_id: str) -> Subject:
        """A marketplace posting: a listing or a job."""
        return cls({"listing": LISTING, "job": JOB}[noun], posting_id)

    @classmethod
    def of(cls, report: dict[str, Any]) -> Subject:
        """A stored report's subject (reports filed before messages could be reported name only their post)."""
        stored = report.get("subject") or {"type": POST, "id": report["post_id"]}
        return cls(stored["type"], stored["id"], stored.get("conversation_id"), stored.get("contact_id"))

    @property
    def name(self) -> str:
        """The subject in the table's keys: a post or a posting by its id, a message by its conversation and id."""
        parent = self.conversation_id or self.contact_id
        return f"{parent}:{self.id}" if parent else self.id

    @property
    def reports_key(self) -> str:
        return f"{self.type.replace('_', '-')}-reports#{self.name}"

    @property
    def post_id(self) -> str | None:
        return self.id if self.type == POST else None

    def view(self) -> dict[str, Any]:
        if self.type == CHAT_MESSAGE:
            return {"type": self.type, "id": self.id, "conversation_id": self.conversation_id}
        if self.type == CONTACT_MESSAGE:
            return {"type": self.type, "id": self.id, "contact_id": self.contact_id}
        return {"type": self.type, "id": self.id}

    def ids(self) -> dict[str, Any]:
        """How events name the subject: `post_id`, `listing_id`, `job_id`, or `conversation_id` (or
        `contact_id`) and `message_id`."""
        if self.type == CHAT_MESSAGE:
            return {"conversation_id": self.conversation_id, "message_id": self.id}
        if self.type == CONTACT_MESSAGE:
            return {"contact_id": self.contact_id, "message_id": self.id}
        return {f"{self.type}_id": self.id}

    def open_marker(self, reporter: str) -> dict[str, Any]:
        """Held while `reporter` has an open report on the subject: one open report per person and subject."""
        return {"pk": {"S": f"report-open#{self.name}#{reporter}"}, "sk": {"S": "marker"}}


REPORTED = {
    POST: "post.reported",
    CHAT_MESSAGE: "chat.message_reported",
    LISTING: "listing.reported",
    JOB: "job.reported",
    CONTACT_MESSAGE: "contact.message_reported",
}
NOUNS = {POST: "post", CHAT_MESSAGE: "message", LISTING: "listing", JOB: "job", CONTACT_MESSAGE: "message"}


def table() -> str:
    return settings.TABLE()


def report_view(report: dict[str, Any]) -> dict[str, Any]:
    subject = Subject.of(report)
    return {
        "id": report["id"],
        "object": "report",
        "subject": subject.view(),
        "post_id": subject.post_id,
        "snapshot": report.get("snapshot"),
        "reporter": report["reporter"],
        "reason": report["reason"],
        "note": report.get("note"),
        "status": report["status"],
        "created_at": timestamps.from_ms(report["created_ms"]),
        "decision": report.get("decision"),
    }


def file_report(
    subject: Subject, reporter: str, *, reason: str, note: str | None, snapshot: dict[str, Any] | None = None
) -> dict[str, Any]:
    """File a report of a subject the caller checked `reporter` may see, kept for good. One
    transaction: the report, the marker that allows one open report per person and subject, and
    the reporter's daily allowance. `snapshot`: what the subject was when reported, for subjects
    moderators cannot read otherwise (a chat message) or that may change before they do (a posting)."""
    now = time.time()
    ms = int(now * 1000)
    report_id = ids.new_id("rpt", ms)
    report = {
        "pk": f"report#{report_id}",
        "sk": "report",
        "type": "report",
        "id": report_id,
        "subject": subject.view(),
        "post_id": subject.post_id,
        "snapshot": snapshot,
        "reporter": reporter,
        "reason": reason,
        "note": note or None,
        "status": OPEN,
        "created_ms": ms,
        "gsi2pk": QUEUE,
        "gsi2sk": ids.sort_key(ms, report_id),
        "gsi1pk": subject.reports_key,
        "gsi1sk": ids.sort_key(ms, report_id),
    }
    allowance = {"pk": {"S": DAILY_REPORTS.key_value(reporter, now)}, "sk": {"S": "allowance"}}
    marker = {**subject.open_marker(reporter), "report_id": {"S": report_id}}
    try:
        transact(
            [
                (
                    "marker",
                    {"Put": {"TableName": table(), "ConditionExpression": "attribute_not_exists(pk)", "Item": marker}},
                ),
                ("report", {"Put": {"TableName": table(), "Item": to_item(report)}}),
                ("allowance", DAILY_REPORTS.transaction_item(table(), allowance, now)),
            ]
        )
    except Cancelled as cancelled:
        if cancelled.failed == "marker":
            raise Conflict(
                f"You already have an open report on this {NOUNS[subject.type]}; moderators will decide on it."
            ) from None
        if cancelled.failed == "allowance":
            raise DAILY_REPORTS.exhausted(now) from None
        raise Conflict("The report could not be filed; retry.", retry_after=1) from None
    publish(
        DomainEvent(
            REPORTED[subject.type], {"report_id": report_id, **subject.ids(), "reason": reason}, subject=subject.id
        )
    )
    return report_view(report)


def _resolve_reports(subject: Subject, action: str, reason: str, moderator: str, ms: int) -> list[dict[str, str]]:
    """The reports this decision resolved: each one's id and reporter."""
    client = aws.client("dynamodb")
    decision = attribute({"action": action, "reason": reason, "by": moderator, "decided_at": timestamps.from_ms(ms)})
    resolved: list[dict[str, str]] = []
    request: dict[str, Any] = {
        "TableName": table(),
        "IndexName": "Listings",
        "KeyConditionExpression": "gsi1pk = :p",
        "FilterExpression": "#status = :open",
        "ExpressionAttributeNames": {"#status": "status"},
        "ExpressionAttributeValues": {":p": {"S": subject.reports_key}, ":open": {"S": OPEN}},
    }
    while True:
        page = client.query(**request)
        for item in page.get("Items", []):
            report = from_item(item)
            try:  # the report is resolved and its reporter may report the subject again
                transact(
                    [
                        (
                            "report",
                            {
                                "Update": {
                                    "TableName": table(),
                                    "Key": {"pk": item["pk"], "sk": item["sk"]},
                                    "UpdateExpression": (
                                        "SET #status = :resolved, decision = :decision REMOVE gsi2pk, gsi2sk"
                                    ),
                                    "ConditionExpression": "#status = :open",
                                    "ExpressionAttributeNames": {"#status": "status"},
                                    "ExpressionAttributeValues": {
                                        ":resolved": {"S": RESOLVED},
                                        ":open": {"S": OPEN},
                                        ":decision": decision,
                                    },
                                }
                            },
                        ),
                        (
                            "marker",
                            {"Delete": {"TableName": table(), "Key": subject.open_marker(report["reporter"])}},
                        ),
                    ]
                )
                resolved.append({"report_id": report["id"], "reporter": report["reporter"]})
            except Cancelled as cancelled:
                if cancelled.failed != "report":  # already resolved by a concurrent decision: fine
                    raise
        if not page.get("LastEvaluatedKey"):
            return resolved
        request["ExclusiveStartKey"] = page["LastEvaluatedKey"]


def decide(
    subject: Subject, moderator: str, *, action: str, reason: str, facts: Iterable[DomainEvent] = ()
) -> dict[str, Any]:
    """Resolve every open report of `subject` with a decision already applied to it, and publish
    `moderation.decided`, `facts` (what the decision changed, told by the subject's context) and a
    `report.resolved` per report resolved. The decision."""
    ms = int(time.time() * 1000)
    resolved = _resolve_reports(subject, action, reason, moderator, ms)
    count = len(resolved)
    named = {"post_id": subject.post_id, "subject": subject.view()}
    # Each report resolved tells its reporter once: its event's id comes from the report, so a retried
    # decision publishing it again is deduplicated by the consumers.
    publish_all(
        [
            DomainEvent(
                "moderation.decided",
                {**named, "action": action, "reason": reason, "report_count": count},
                subject=subject.id,
            ),
            *facts,
            *(
                DomainEvent(
                    "report.resolved",
                    {**named, "action": action, **report},
                    subject=report["report_id"],
                    id=stable_event_id(f"report.resolved:{report['report_id']}"),
                )
                for report in resolved
            ),
        ]
    )
    return {
        "object": "moderation_decision",
        **named,
        "action": action,
        "reason": reason,
        "report_count": count,
        "decided_at": timestamps.from_ms(ms),
    }
