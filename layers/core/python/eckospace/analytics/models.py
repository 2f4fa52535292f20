"""What the analytics routes take and answer, for the OpenAPI document (imported only when the
document is generated; the routes check their input by hand and answer plain dicts)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

EventType = Literal["post_view", "listing_view", "job_view", "profile_view", "link_click"]


class Shape(BaseModel):
    model_config = ConfigDict(extra="forbid")


class EventFieldError(Shape):
    name: str = Field(description="The event's field (empty when the event is not an object)")
    detail: str


class EventRefusal(Shape):
    index: int = Field(description="The event's position in the batch, from 0")
    id: str | None = Field(description="Its `id`, when it had a usable one")
    errors: list[EventFieldError]


class EventBatchAccepted(Shape):
    object: Literal["analytics_batch"]
    accepted: int = Field(description="Events queued for counting (a repeated event still counts once)")
    refused: list[EventRefusal] = Field(description="Events left out, each with its reasons")


class AnalyticsSubject(Shape):
    type: Literal["post", "listing", "job", "profile", "platform"]
    id: str | None = Field(description="The object's id (none for the platform)")


class EventCounts(Shape):
    post_view: int | None = None
    listing_view: int | None = None
    job_view: int | None = None
    profile_view: int | None = None
    link_click: int | None = None


class AnalyticsBucket(Shape):
    start: datetime
    end: datetime
    status: Literal["reported", "suppressed", "open"] = Field(
        description=(
            "`reported`: its figures follow. `suppressed`: fewer distinct people than the minimum crowd (or none), or "
            "its day had an hour like that. `open`: its day has not ended yet"
        )
    )
    visitors: int | None = Field(None, description="Distinct people (reported buckets only)")
    counts: EventCounts | None = Field(None, description="Events by type (reported buckets only)")


class AnalyticsReport(Shape):
    object: Literal["analytics_report"]
    subject: AnalyticsSubject
    granularity: Literal["hour", "day"]
    from_: date = Field(alias="from")
    to: date
    minimum_crowd: int = Field(description="Buckets with fewer distinct people than this are suppressed")
    buckets: list[AnalyticsBucket]
