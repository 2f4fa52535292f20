"""What the marketplace routes answer, for the OpenAPI document (imported only when it is
generated). Handlers return the plain dicts of `eckospace.marketplace.listings.view`; these
describe them exactly."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from eckospace.marketplace.catalogue import Category, Condition, Currency
from eckospace.marketplace.inputs import Location
from eckospace.marketplace.lifecycle import STATUSES
from eckospace.media.models import Attachment


class Shape(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Rejection(Shape):
    reason: str
    decided_at: datetime


class Listing(Shape):
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
    status: Literal[STATUSES] = Field(  # type: ignore[valid-type]
        description="`draft` → `pending_review` → `published` or `rejected`; then `sold`, `archived` or `expired`"
    )
    rejection: Rejection | None = Field(description="Why a reviewer rejected it; null unless `rejected`")
    save_count: int = Field(description="How many people saved it")
    version: int = Field(description="Goes up with every change the seller or a reviewer makes")
    created_at: datetime
    updated_at: datetime
    published_at: datetime | None = Field(description="When it was first published; null before")
    expires_at: datetime | None = Field(
        description="While published (or expired): when it expires unless renewed; null otherwise"
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


class SavedItem(Shape):
    object: Literal["saved_item"]
    type: Literal["listing"] = Field(description="What was saved")
    listing: Listing
    saved_at: datetime


class SavedItemPage(Shape):
    data: list[SavedItem]
    next_cursor: str | None
