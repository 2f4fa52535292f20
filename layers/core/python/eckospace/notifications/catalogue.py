"""The notification types, and the domain events each is made from.

`EVENT_TYPES` is the one list of events the notifications queue subscribes to: the template's
subscription filter policy names exactly these (tests/infra checks it), so SNS never delivers the
consumer an event it would only drop.
"""

from __future__ import annotations

# Notification type -> what it tells its user (each can be switched off in their preferences).
TYPES: dict[str, str] = {
    "mention": "Someone mentioned you in a post.",
    "reaction": "Someone reacted to your post.",
    "post_moderated": "A moderator hid, restored or removed your post.",
    "report_resolved": "A moderator decided on a post or a chat message you reported.",
    "wallet_credited": "Money was credited to your wallet.",
    "wallet_debited": "Money was debited from your wallet.",
    "chat_message": "Someone wrote to you in a conversation while you were away.",
    "listing_reviewed": "A reviewer published or rejected your listing.",
    "listing_expiring": "Your listing expires in 3 days unless you renew it.",
    "job_reviewed": "A reviewer published or rejected your job post.",
    "job_expiring": "Your job post expires in 3 days unless you renew it.",
    "application_updated": "An employer moved your application on (viewed, shortlisted, rejected, hired).",
    "application_received": "Someone applied to your job.",
    "contact_message": "Someone asked about your listing or job, or answered your question, through a relayed contact.",
}

# Domain event type -> the notification type it makes (mentions are written with their post).
FROM_EVENT: dict[str, str] = {
    "post.reaction_added": "reaction",
    "post.moderated": "post_moderated",
    "report.resolved": "report_resolved",
    "wallet.credited": "wallet_credited",
    "wallet.debited": "wallet_debited",
    "chat.message_created": "chat_message",
    "listing.published": "listing_reviewed",
    "listing.rejected": "listing_reviewed",
    "listing.expiring": "listing_expiring",
    "job.published": "job_reviewed",
    "job.rejected": "job_reviewed",
    "job.expiring": "job_expiring",
    "application.updated": "application_updated",
    "application.submitted": "application_received",
    "contact.message_created": "contact_message",
}

EVENT_TYPES: tuple[str, ...] = tuple(sorted(FROM_EVENT))
