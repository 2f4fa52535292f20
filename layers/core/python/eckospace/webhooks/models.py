"""What the outgoing webhooks routes answer, for the OpenAPI document.

Handlers return plain dicts (`store.Endpoint.public`, `store.Delivery.public` and the service's
answers); these models only describe them, and are imported when the document is generated, never
on a cold start. Every key is always present; those that may be null say so.
"""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

DeliveryStatus = Literal["pending", "succeeded", "failed"]


class Shape(BaseModel):
    model_config = ConfigDict(extra="forbid")


class WebhookEndpoint(Shape):
    id: str = Field(description="`ep_` and 24 hexadecimal digits")
    url: str = Field(description="Where deliveries are sent")
    description: str
    event_types: list[str] = Field(description="The event types it receives, sorted, without duplicates")
    enabled: bool
    disabled_reason: Literal["gone", "failing"] | None = Field(
        description="Why it was disabled by the platform: it answered 410 Gone (`gone`), or failed every delivery "
        "for days (`failing`); null when enabled, and when its owner disabled it"
    )
    failing_since_at: datetime | None = Field(
        description="When its current run of failed attempts began; null once an attempt succeeds again"
    )
    created_at: datetime
    updated_at: datetime


class NewWebhookEndpoint(WebhookEndpoint):
    secret: str = Field(description="The signing secret (`whsec_...`): shown this once")


class WebhookEndpointList(Shape):
    data: list[WebhookEndpoint]
    next_cursor: str | None = Field(description="Pass back as `cursor` for the next page; null on the last page")


class DeliveryAttempt(Shape):
    attempt: int = Field(description="1 for the first attempt, counting on across redeliveries")
    attempted_at: datetime
    status_code: int | None = Field(description="The receiver's HTTP status; null when no answer came")
    latency_ms: int
    response: str = Field(description="The first 256 characters of the receiver's answer")
    error: str | None = Field(
        description="Why no answer came: `timeout`, `connection: ...`, `tls: ...` or `refused: ...` (the target "
        "is not allowed); null when the receiver answered"
    )


class WebhookDelivery(Shape):
    id: str = Field(description="`dlv_`: also the `webhook-id` header of every attempt")
    endpoint_id: str
    event_id: str = Field(description="The event's id: the body's `id`, the same for every endpoint")
    event_type: str
    status: DeliveryStatus
    created_at: datetime = Field(description="When the event happened")
    next_attempt_at: datetime | None = Field(description="While `pending`: when the next attempt is due")
    reason: str | None = Field(
        description="Why a delivery `failed`: `every attempt failed`, `endpoint answered 410 Gone`, `target "
        "refused`, `endpoint disabled`, `endpoint deleted` or `not entitled: ...`"
    )
    attempts: list[DeliveryAttempt] = Field(description="Oldest first; the last 30 are kept")


class WebhookDeliveryList(Shape):
    data: list[WebhookDelivery]
    next_cursor: str | None = Field(description="Pass back as `cursor` for the next page; null on the last page")


class SecretRotation(Shape):
    id: str = Field(description="The endpoint's id")
    secret: str = Field(description="The new signing secret (`whsec_...`): shown this once")
    previous_secret_expires_at: datetime | None = Field(
        description="Until then deliveries are signed with the previous secret too; null without an overlap"
    )


class QueuedTestDelivery(Shape):
    delivery_id: str
    event_id: str
    status: Literal["pending"]


class Redelivery(Shape):
    delivery_id: str
    status: Literal["pending"]


class NotEntitled(Shape):
    deliveries: int = Field(description="Failed deliveries left failed: the integration may no longer receive them")
    event_types: list[str] = Field(description="Their event types")


class FailedRedelivery(Shape):
    redelivered: int = Field(description="Failed deliveries queued again")
    since_at: datetime = Field(description="The `since` asked for: deliveries of events from then on")
    not_entitled: NotEntitled


class EventTypeInfo(Shape):
    type: str = Field(description="The event type, as in the body's `type`")
    description: str
    required_scope: str | None = Field(description="The scope an integration needs to subscribe; null: none")
    first_party_only: bool = Field(description="Delivered to first-party integrations only")
    subscribable: bool = Field(description="False for events sent only on request (`webhook.test`)")


class EventTypeList(Shape):
    data: list[EventTypeInfo]
    next_cursor: None = Field(description="Always null: the catalogue is one page")
