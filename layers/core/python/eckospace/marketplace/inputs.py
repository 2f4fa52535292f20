"""What clients send to create or edit a listing: pydantic models the create and edit routes share,
so both state every field's bounds the same way (400 past one). Jobs' are `job_inputs`, decisions'
`decisions`: each function loads only the models it takes."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from eckospace.marketplace.catalogue import MAX_PRICE, Category, Condition, Currency

# One line, no control characters, not blank.
LINE = r"^[^\x00-\x1F\x7F]*[^\x00-\x1F\x7F\s][^\x00-\x1F\x7F]*$"
# Lines (newline and tab allowed), no other control characters, not blank.
TEXT = r"^[^\x00-\x08\x0B-\x1F\x7F]*[^\x00-\x08\x0B-\x1F\x7F\s][^\x00-\x08\x0B-\x1F\x7F]*$"


class Location(BaseModel):
    model_config = ConfigDict(extra="forbid")

    country: str = Field(pattern=r"^[A-Z]{2}$", description="ISO 3166-1 alpha-2 country code, upper case")
    city: str = Field(min_length=1, max_length=100, pattern=LINE)


class ListingFields(BaseModel):
    """A new listing: every field but the attachments is required."""

    model_config = ConfigDict(extra="forbid")

    title: str = Field(min_length=1, max_length=120, pattern=LINE)
    description: str = Field(min_length=1, max_length=5000, pattern=TEXT, description="Newlines and tabs allowed")
    price: int = Field(ge=0, le=MAX_PRICE, description="In the currency's minor unit (cents); 0 gives it away")
    currency: Currency = Field(description="ISO 4217, lower case")
    category: Category
    condition: Condition
    location: Location
    attachments: list[str] = Field(
        default_factory=list, max_length=10, description="Ids of your own `ready` media (at most 10), in order"
    )


class ListingChanges(BaseModel):
    """An edit: only the fields sent change; `attachments` is the whole new list."""

    model_config = ConfigDict(extra="forbid")

    title: str | None = Field(default=None, min_length=1, max_length=120, pattern=LINE)
    description: str | None = Field(default=None, min_length=1, max_length=5000, pattern=TEXT)
    price: int | None = Field(default=None, ge=0, le=MAX_PRICE)
    currency: Currency | None = None
    category: Category | None = None
    condition: Condition | None = None
    location: Location | None = None
    attachments: list[str] | None = Field(default=None, max_length=10)
