"""What the marketplace routes answer, for the OpenAPI document (imported only when it is
generated). Handlers return the plain dicts of `eckospace.marketplace.listings.view` and
`jobs.view`; these describe them exactly."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

from eckospace.marketplace.catalogue import Category, Condition, Currency, EmploymentType, JobCategory
from eckospace.marketplace.inputs import Location
from eckospace.marketplace.job_inputs import HowToApply, Salary
from eckospace.marketplace.lifecycle import STATUSES
from eckospace.media.models import Attachment


class Shape(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Rejection(Shape):
    reason: str
    decided_at: datetime


class Lifecycle(Shape):
    """Where a listing or job is in its life (`eckospace.marketplace.lifecycle`)."""

    status: Literal[STATUSES] = Field(  # type: ignore[valid-type]
        description="`draft` → `pending_review` → `published` or `rejected`; then `sold`, `archived` or `expired`"
    )
    rejection: Rejection | None = Field(description="Why a reviewer rejected it; null unless `rejected`")
    save_count: int = Field(description="How many people saved it")
    version: int = Field(description="Goes up with every change its owner or a reviewer makes")
    created_at: datetime
    updated_at: datetime
    published_at: datetime | None = Field(description="When it was first published; null before")
    expires_at: datetime | None = Field(
        description="While published (or expired): when it expires unless renewed; null otherwise"
    )


class Listing(Lifecycle):
    id: str = Field(description="`lst_` and 26 characters")
    object: Literal["listing"]
    seller: str = Field(description="The seller's user id")
    title: str
    description: str
    price: int = Field(description="In the currency's minor unit")
    currency: Currency
    category: Category
    condition: Condition
    location: Location
    attachments: list[Attachment] = Field(
        description="Images of a published listing come from the CDN; otherwise from short-lived presigned URLs"
    )


class ListingPage(Shape):
    data: list[Listing]
    next_cursor: str | None


class ListingDecision(Shape):
    object: Literal["listing_decision"]
    listing_id: str
    action: Literal["approve", "reject"]
    reason: str
    decided_at: datetime
    listing: Listing = Field(description="The listing as the decision left it")


class Job(Lifecycle):
    id: str = Field(description="`job_` and 26 characters")
    object: Literal["job"]
    employer: str = Field(description="The user id of who posted it")
    title: str
    company: str
    category: JobCategory
    employment_type: EmploymentType
    location: Location = Field(description="Where the work is; for a remote job, where the employer hires")
    remote: bool
    salary: Salary
    description: str
    application: HowToApply = Field(description="`in_app`: apply here; `external`: apply at `url`")


class JobPage(Shape):
    data: list[Job]
    next_cursor: str | None


class JobDecision(Shape):
    object: Literal["job_decision"]
    job_id: str
    action: Literal["approve", "reject"]
    reason: str
    decided_at: datetime
    job: Job = Field(description="The job as the decision left it")


class SavedListing(Shape):
    object: Literal["saved_item"]
    type: Literal["listing"] = Field(description="What was saved")
    listing: Listing
    saved_at: datetime


class SavedJob(Shape):
    object: Literal["saved_item"]
    type: Literal["job"] = Field(description="What was saved")
    job: Job
    saved_at: datetime


SavedItem = Annotated[SavedListing | SavedJob, Field(discriminator="type")]


class SavedItemPage(Shape):
    data: list[SavedItem]
    next_cursor: str | None


class Application(Shape):
    id: str = Field(description="`app_` and 26 characters")
    object: Literal["application"]
    job_id: str
    job_title: str = Field(description="The job's title when the application was made")
    employer: str = Field(description="The job's employer's user id")
    applicant: str = Field(description="The candidate's user id")
    cover_note: str
    document: Attachment = Field(
        description="The candidate's document, through short-lived presigned URLs given to the candidate and the "
        "employer alone, with this application"
    )
    status: Literal["submitted", "viewed", "shortlisted", "rejected", "hired"]
    allowed_statuses: list[Literal["viewed", "shortlisted", "rejected", "hired"]] = Field(
        description="What the employer may move it to next; empty once `rejected` or `hired`"
    )
    version: int = Field(description="Goes up with every move")
    created_at: datetime
    updated_at: datetime


class ApplicationPage(Shape):
    data: list[Application]
    next_cursor: str | None


class PostingReference(Shape):
    object: Literal["listing", "job"]
    id: str
    title: str = Field(description="Its title when the latest message was sent")


class ContactLastMessage(Shape):
    id: str = Field(description="A relayed message's id (`cmg_`), or the chat message's (`msg_`)")
    author: str
    text: str | None = Field(description="Its first 140 characters; null once moderation removed it")
    created_at: datetime


class Contact(Shape):
    id: str = Field(description="`ctc_` and 32 hex digits: one per asker and posting")
    object: Literal["contact"]
    posting: PostingReference = Field(description="The listing or job asked about")
    asker: str = Field(description="The asker's user id")
    owner: str = Field(description="The posting's owner's user id (its seller or employer)")
    channel: Literal["chat", "relay"] = Field(
        description="`chat`: the messages are in the direct conversation `conversation_id`, and the two answer each "
        "other there; `relay`: they are read and written through `/api/contacts/{contact_id}/messages`"
    )
    conversation_id: str | None = Field(description="The chat conversation, with `channel` `chat`; null otherwise")
    message_count: int = Field(description="Messages sent through the contact routes")
    last_message: ContactLastMessage
    created_at: datetime
    updated_at: datetime = Field(description="When the latest message was sent")


class ContactPage(Shape):
    data: list[Contact] = Field(description="Contacts, newest first")
    next_cursor: str | None = Field(description="Pass it back as `cursor` for the next page; null on the last")


class ContactMessage(Shape):
    id: str = Field(description="`cmg_` and 26 characters")
    object: Literal["contact_message"]
    contact_id: str
    author: str = Field(description="The author's user id: the asker or the owner")
    text: str | None = Field(description="Null once moderation removed it")
    removed: bool = Field(description="A moderator removed it after a report; it keeps its place")
    created_at: datetime


class ContactMessagePage(Shape):
    data: list[ContactMessage] = Field(description="Messages, newest first")
    next_cursor: str | None = Field(description="Pass it back as `cursor` for the next (older) page; null on the last")
