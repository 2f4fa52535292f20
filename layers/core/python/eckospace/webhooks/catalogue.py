"""The published catalogue of events an integration can subscribe an endpoint to.

Each entry names the scope an integration must hold to subscribe (least privilege: wallet events
need `wallet:read`), and who may receive it: `all` subscribers holding the scope, or only the
`owner` the event is about (its `subject` is the integration's client id). Events about a user's
wallet or payments are `first_party_only`: they carry private financial data, which third-party
integrations never receive, whatever their scopes.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

_MONEY = {
    "amount": {"type": "integer", "description": "Minor units (cents)"},
    "currency": {"type": "string", "description": "ISO 4217, lower case"},
}

_REASON = {"type": "string", "enum": ["spam", "harassment", "hate", "violence", "sexual", "misinformation", "other"]}
_SUBJECT = {
    "type": "object",
    "description": (
        "What was reported: a post, a listing, a job, a chat message with its conversation, or a relayed contact's "
        "message with its contact"
    ),
    "required": ["type", "id"],
    "properties": {
        "type": {"type": "string", "enum": ["post", "chat_message", "listing", "job", "contact_message"]},
        "id": {"type": "string"},
        "conversation_id": {"type": "string", "description": "Only for a chat message"},
        "contact_id": {"type": "string", "description": "Only for a relayed contact's message"},
    },
    "additionalProperties": False,
}


@dataclass(frozen=True)
class EventType:
    name: str
    description: str
    scope: str | None  # the scope an integration needs to subscribe; None: any integration
    data: dict[str, Any] = field(default_factory=dict)  # JSON Schema properties of `data`
    audience: str = "all"  # "all" subscribers, or only the "owner" named by the event's subject
    first_party_only: bool = False
    example: dict[str, Any] = field(default_factory=dict)


def _posting_events(
    noun: str, owner: str, *, example: tuple[str, str], moves: tuple[tuple[str, str], ...]
) -> list[EventType]:
    """A listing's or job's lifecycle events: each names the posting, its owner and its title; a
    rejection also the reviewer's reason (shown to the owner). `example`: an id and a title."""
    events = []
    for name, description in moves:
        rejected = name.endswith(".rejected")
        events.append(
            EventType(
                name,
                description,
                "marketplace:read",
                {
                    f"{noun}_id": {"type": "string"},
                    owner: {"type": "string", "description": f"The {owner}'s user id"},
                    "title": {"type": "string"},
                    **(
                        {"reason": {"type": "string", "description": f"The reviewer's reason, shown to the {owner}"}}
                        if rejected
                        else {}
                    ),
                },
                example={
                    f"{noun}_id": example[0],
                    owner: "user_123",
                    "title": example[1],
                    **({"reason": "It does not say what it offers."} if rejected else {}),
                },
            )
        )
    return events


CATALOGUE: dict[str, EventType] = {
    entry.name: entry
    for entry in (
        EventType(
            "payment.succeeded",
            "A payment (a wallet top-up) succeeded.",
            "payments:read",
            {"payment_intent": {"type": "string"}, **_MONEY},
            first_party_only=True,
            example={"payment_intent": "pi_123", "amount": 1500, "currency": "eur"},
        ),
        EventType(
            "payment.failed",
            "A payment (a wallet top-up) failed.",
            "payments:read",
            {"payment_intent": {"type": "string"}, **_MONEY},
            first_party_only=True,
            example={"payment_intent": "pi_123", "amount": 1500, "currency": "eur"},
        ),
        EventType(
            "wallet.credited",
            "Money was added to a wallet: a top-up, a refund that failed or was canceled "
            "given back, or a dispute's funds reinstated.",
            "wallet:read",
            {**_MONEY, "effect_id": {"type": "string"}},
            first_party_only=True,
            example={"amount": 1500, "currency": "eur", "effect_id": "topup:pi_123"},
        ),
        EventType(
            "wallet.debited",
            "Money was taken from a wallet: a refund, or a dispute's funds withdrawn "
            "(held until Stripe reinstates them).",
            "wallet:read",
            {**_MONEY, "effect_id": {"type": "string"}},
            first_party_only=True,
            example={"amount": 1500, "currency": "eur", "effect_id": "refund:re_123"},
        ),
        EventType(
            "dispute.opened",
            "A payment was disputed. An inquiry (`inquiry: true`) moves no money; otherwise "
            "the amount is held from the wallet when Stripe withdraws it (`wallet.debited`).",
            "payments:read",
            {"dispute": {"type": "string"}, "status": {"type": "string"}, "inquiry": {"type": "boolean"}, **_MONEY},
            first_party_only=True,
            example={
                "dispute": "dp_123",
                "status": "needs_response",
                "inquiry": False,
                "amount": 1500,
                "currency": "eur",
            },
        ),
        EventType(
            "dispute.closed",
            "A dispute was closed: `won`, `lost`, or `warning_closed` for an inquiry. What "
            "Stripe reinstates is given back to the wallet (`wallet.credited`).",
            "payments:read",
            {"dispute": {"type": "string"}, "status": {"type": "string"}},
            first_party_only=True,
            example={"dispute": "dp_123", "status": "won"},
        ),
        EventType(
            "moderation.decided",
            "A moderator decided on a post (hid it, restored it or removed it), on a chat message (removed it) or on "
            "a listing or a job (took it down), or dismissed its reports, resolving its open reports. A message's "
            "text is never sent.",
            "moderation:read",
            {
                "post_id": {"type": ["string", "null"], "description": "The post's id; null for anything else"},
                "subject": _SUBJECT,
                "action": {"type": "string", "enum": ["hide", "restore", "remove", "take_down", "dismiss"]},
                "reason": {"type": "string", "description": "The moderator's reason"},
                "report_count": {"type": "integer", "description": "Open reports this decision resolved"},
            },
            example={
                "post_id": "pst_01kav9ft00ca5cf2ve2qwhq7mm",
                "subject": {"type": "post", "id": "pst_01kav9ft00ca5cf2ve2qwhq7mm"},
                "action": "remove",
                "reason": "spam",
                "report_count": 2,
            },
        ),
        EventType(
            "chat.message_reported",
            "A chat message was reported for moderation. Its text is never sent: moderators read the report's "
            "snapshot through the API.",
            "moderation:read",
            {
                "report_id": {"type": "string"},
                "conversation_id": {"type": "string"},
                "message_id": {"type": "string"},
                "reason": _REASON,
            },
            example={
                "report_id": "rpt_01kav9ft00nnrye1t319wjtrf8",
                "conversation_id": "grp_0190a1b2c3d4e5f60718293a4b",
                "message_id": "msg_42",
                "reason": "harassment",
            },
        ),
        EventType(
            "contact.message_reported",
            "A relayed contact's message was reported for moderation. Its text is never sent: moderators read the "
            "report's snapshot through the API.",
            "moderation:read",
            {
                "report_id": {"type": "string"},
                "contact_id": {"type": "string"},
                "message_id": {"type": "string"},
                "reason": _REASON,
            },
            example={
                "report_id": "rpt_01kav9ft00nnrye1t319wjtrf8",
                "contact_id": "ctc_5d41402abc4b2a76b9719d911017c592",
                "message_id": "cmg_01kav9ft00ca5cf2ve2qwhq7mm",
                "reason": "harassment",
            },
        ),
        EventType(
            "listing.reported",
            "A listing was reported for moderation.",
            "moderation:read",
            {"report_id": {"type": "string"}, "listing_id": {"type": "string"}, "reason": _REASON},
            example={
                "report_id": "rpt_01kav9ft00nnrye1t319wjtrf8",
                "listing_id": "lst_01kav9ft00ca5cf2ve2qwhq7mm",
                "reason": "spam",
            },
        ),
        EventType(
            "job.reported",
            "A job post was reported for moderation.",
            "moderation:read",
            {"report_id": {"type": "string"}, "job_id": {"type": "string"}, "reason": _REASON},
            example={
                "report_id": "rpt_01kav9ft00nnrye1t319wjtrf8",
                "job_id": "job_01kav9ft00ca5cf2ve2qwhq7mm",
                "reason": "spam",
            },
        ),
        EventType(
            "post.reported",
            "A post was reported for moderation.",
            "moderation:read",
            {
                "report_id": {"type": "string"},
                "post_id": {"type": "string"},
                "reason": _REASON,
            },
            example={
                "report_id": "rpt_01kav9ft00nnrye1t319wjtrf8",
                "post_id": "pst_01kav9ft00ca5cf2ve2qwhq7mm",
                "reason": "spam",
            },
        ),
        *_posting_events(
            "listing",
            "seller",
            example=("lst_01kav9ft00ca5cf2ve2qwhq7mm", "Road bike, 56 cm"),
            moves=(
                ("listing.published", "A reviewer approved a listing: it is published for 30 days."),
                ("listing.rejected", "A reviewer rejected a listing; its seller may edit it and submit it again."),
                ("listing.sold", "A seller marked their listing sold."),
                ("listing.expired", "A listing expired: 30 days passed since it was published or renewed."),
            ),
        ),
        *_posting_events(
            "job",
            "employer",
            example=("job_01kav9ft00ca5cf2ve2qwhq7mm", "Line cook"),
            moves=(
                ("job.published", "A reviewer approved a job post: it is published for 30 days."),
                ("job.rejected", "A reviewer rejected a job post; its employer may edit it and submit it again."),
                ("job.expired", "A job post expired: 30 days passed since it was published or renewed."),
            ),
        ),
        EventType(
            "webhook.test",
            "A test event, sent on request to one endpoint.",
            None,
            {"endpoint_id": {"type": "string"}, "message": {"type": "string"}},
            example={"endpoint_id": "ep_123", "message": "This is a test event from EckoSpace."},
        ),
        EventType(
            "webhook.endpoint.disabled",
            "One of your endpoints was disabled: it answered 410 Gone, or failed every delivery for days.",
            "webhooks:read",
            {
                "endpoint_id": {"type": "string"},
                "url": {"type": "string"},
                "reason": {"type": "string", "enum": ["gone", "failing"]},
                "failing_since_at": {
                    "type": ["string", "null"],
                    "format": "date-time",
                    "description": "When its run of failed attempts began (UTC)",
                },
            },
            audience="owner",
            example={
                "endpoint_id": "ep_123",
                "url": "https://example.com/hooks",
                "reason": "failing",
                "failing_since_at": "2025-11-24T16:00:00.000Z",
            },
        ),
    )
}

# Only sent on request to the one endpoint asked for, never through a subscription.
NOT_SUBSCRIBABLE = frozenset({"webhook.test"})


def subscribable() -> list[EventType]:
    return [entry for name, entry in CATALOGUE.items() if name not in NOT_SUBSCRIBABLE]


def document_subscribable_types(schema: dict[str, Any]) -> None:
    """For a request field listing event types (pydantic's `json_schema_extra`): its items are the
    names of the catalogue's subscribable events, as the service checks them (422 otherwise)."""
    names = sorted(entry.name for entry in subscribable())
    for candidate in [schema, *schema.get("anyOf", [])]:
        if candidate.get("type") == "array":
            candidate["items"] = {**candidate.get("items", {}), "enum": names}


def public_listing() -> list[dict[str, Any]]:
    return [
        {
            "type": e.name,
            "description": e.description,
            "required_scope": e.scope,
            "first_party_only": e.first_party_only,
            "subscribable": e.name not in NOT_SUBSCRIBABLE,
        }
        for e in CATALOGUE.values()
    ]


def payload_schema(entry: EventType) -> dict[str, Any]:
    """The JSON Schema of the body an endpoint receives for `entry`."""
    return {
        "type": "object",
        "required": ["type", "id", "timestamp", "data"],
        "properties": {
            "type": {"type": "string", "const": entry.name},
            "id": {"type": "string", "description": "The event's id: the same for every endpoint and retry"},
            "timestamp": {"type": "string", "format": "date-time", "description": "When the event happened (UTC)"},
            "data": {
                "type": "object",
                "required": sorted(entry.data),
                "properties": entry.data,
                "additionalProperties": False,
            },
        },
        "examples": [
            {
                "type": entry.name,
                "id": "evt_0123456789abcdef",
                "timestamp": "2026-01-01T12:00:00Z",
                "data": entry.example,
            }
        ],
    }


SIGNATURE_HEADERS = {
    "webhook-id": "The delivery's id: the same on every retry of it (deduplicate on it).",
    "webhook-timestamp": "Seconds since the epoch when this attempt was signed; refuse old ones.",
    "webhook-signature": "`v1,<base64 HMAC-SHA256 of id.timestamp.body>`, space separated while a rotated "
    "secret overlaps the new one (Standard Webhooks).",
}


def openapi_webhooks() -> dict[str, Any]:
    """The OpenAPI 3.1 `webhooks` section: one operation per event an endpoint can receive."""
    parameters = [
        {"name": name, "in": "header", "required": True, "description": text, "schema": {"type": "string"}}
        for name, text in SIGNATURE_HEADERS.items()
    ]
    return {
        entry.name: {
            "post": {
                "summary": entry.name,
                "description": entry.description
                + (f" Needs the `{entry.scope}` scope to subscribe." if entry.scope else "")
                + (" Delivered to first-party integrations only." if entry.first_party_only else ""),
                "tags": ["Webhook events"],
                "parameters": parameters,
                "requestBody": {"required": True, "content": {"application/json": {"schema": payload_schema(entry)}}},
                "responses": {
                    "2XX": {"description": "Received. Anything else is retried (410 disables the endpoint)."}
                },
            }
        }
        for entry in CATALOGUE.values()
    }
