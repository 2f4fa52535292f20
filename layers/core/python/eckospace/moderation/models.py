"""What the moderation routes take and answer, for the OpenAPI document (imported when the document
is generated or a body is validated; handlers answer plain dicts, `eckospace.moderation.reports`'
views)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from eckospace.media.models import sometimes

ReportReason = Literal["spam", "harassment", "hate", "violence", "sexual", "misinformation", "other"]
ModerationAction = Literal["hide", "restore", "remove", "take_down", "dismiss"]
Reason = Annotated[str, Field(min_length=1, max_length=500, description="Why; kept with the resolved reports")]


class Shape(BaseModel):
    model_config = ConfigDict(extra="forbid")


class NewReport(Shape):
    reason: ReportReason
    note: str | None = Field(default=None, max_length=1000, description="Anything the moderators should know")


class MessageDecision(Shape):
    """A moderator's decision on a reported message: a chat message or a relayed contact's."""

    action: Literal["remove", "dismiss"] = Field(
        description="`remove`: a chat message becomes a tombstone (`removed_by: moderation`), a contact's message "
        "loses its text for good (`removed: true`); `dismiss`: it stays as it is"
    )
    reason: Reason


class ReportSubject(Shape):
    type: Literal["post", "chat_message", "listing", "job", "contact_message"]
    id: str = Field(description="The post's, message's, listing's or job's id")
    conversation_id: str = sometimes("Only for a chat message: its conversation")
    contact_id: str = sometimes("Only for a relayed contact's message: its contact")


class MessageSnapshot(Shape):
    """The reported message as it was when reported (it may have changed or gone since)."""

    text: str
    sender: str = Field(description="Its author's user id")
    sent_at: datetime
    edited_at: datetime | None = Field(description="When its author last edited it before the report; null if never")
    attachment_ids: list[str] = Field(description="Its attached media's ids")


class ListingSnapshot(Shape):
    """The reported listing as it was when reported (its seller may have edited it since)."""

    title: str
    description: str
    price: int
    currency: str
    seller: str = Field(description="Its seller's user id")
    version: int = Field(description="The listing's version when reported")
    attachment_ids: list[str] = Field(description="Its attached media's ids")


class JobSnapshot(Shape):
    """The reported job as it was when reported (its employer may have edited it since)."""

    title: str
    company: str
    description: str
    salary: dict[str, Any] = Field(description="`min`, `max`, `currency` and `period`, as the job said")
    application: dict[str, Any] = Field(description="How it took applications: `in_app`, or `external` with a `url`")
    employer: str = Field(description="Its employer's user id")
    version: int = Field(description="The job's version when reported")


class ReportDecision(Shape):
    action: ModerationAction
    reason: str
    by: str = Field(description="The moderator")
    decided_at: datetime


class Report(Shape):
    id: str = Field(description="`rpt_` and 26 characters")
    object: Literal["report"]
    subject: ReportSubject = Field(description="What is reported: a post, a chat message, a listing or a job")
    post_id: str | None = Field(description="The reported post's id; null for other subjects' reports")
    snapshot: MessageSnapshot | ListingSnapshot | JobSnapshot | None = Field(
        description="A chat message's, listing's or job's report: the subject when reported; null for a post's"
    )
    reporter: str = Field(description="The reporting user's id")
    reason: ReportReason
    note: str | None
    status: Literal["open", "resolved"]
    created_at: datetime
    decision: ReportDecision | None = Field(description="The decision that resolved the report; null while open")


class ReportPage(Shape):
    data: list[Report] = Field(description="Open reports of posts, chat messages and listings, oldest first")
    next_cursor: str | None = Field(description="Pass it back as `cursor` for the next page; null on the last")


class ModerationDecision(Shape):
    object: Literal["moderation_decision"]
    subject: ReportSubject
    post_id: str | None = Field(description="The post's id; null for a decision on anything else")
    action: ModerationAction
    reason: str
    report_count: int = Field(description="How many open reports the decision resolved")
    decided_at: datetime
