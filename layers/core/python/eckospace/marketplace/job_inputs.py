"""What clients send to post or edit a job, and to apply to one or move an application on."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from eckospace.marketplace.catalogue import MAX_PRICE, Currency, EmploymentType, JobCategory, PayPeriod
from eckospace.marketplace.inputs import LINE, TEXT, Location


class Salary(BaseModel):
    """What a job pays: a range (the minimum not above the maximum) per period."""

    model_config = ConfigDict(extra="forbid")

    min: int = Field(ge=0, le=MAX_PRICE, description="In the currency's minor unit")
    max: int = Field(ge=0, le=MAX_PRICE, description="In the currency's minor unit; not below `min`")
    currency: Currency = Field(description="ISO 4217, lower case")
    period: PayPeriod

    @model_validator(mode="after")
    def _ordered(self) -> Salary:
        if self.min > self.max:
            raise ValueError("salary.min is above salary.max")
        return self


class InApp(BaseModel):
    model_config = ConfigDict(extra="forbid")

    type: Literal["in_app"] = Field(description="Candidates apply here, with a CV and a cover note")


class External(BaseModel):
    model_config = ConfigDict(extra="forbid")

    type: Literal["external"] = Field(description="Candidates apply on the employer's own site")
    url: str = Field(
        max_length=2048,
        # https only, a host, and no credentials in it
        pattern=r"^https://[A-Za-z0-9.-]+(:[0-9]{1,5})?(/[^\s]*)?$",
        description="An https URL",
    )


HowToApply = Annotated[InApp | External, Field(discriminator="type")]


class JobFields(BaseModel):
    """A new job post: every field is required. A remote job still names where it hires from."""

    model_config = ConfigDict(extra="forbid")

    title: str = Field(min_length=1, max_length=120, pattern=LINE)
    company: str = Field(min_length=1, max_length=120, pattern=LINE)
    category: JobCategory
    employment_type: EmploymentType
    location: Location
    remote: bool = Field(description="Remote work; `location` then says where the employer hires")
    salary: Salary
    description: str = Field(min_length=1, max_length=5000, pattern=TEXT, description="Newlines and tabs allowed")
    application: HowToApply


class JobChanges(BaseModel):
    """An edit: only the fields sent change; `salary`, `location` and `application` are replaced whole."""

    model_config = ConfigDict(extra="forbid")

    title: str | None = Field(default=None, min_length=1, max_length=120, pattern=LINE)
    company: str | None = Field(default=None, min_length=1, max_length=120, pattern=LINE)
    category: JobCategory | None = None
    employment_type: EmploymentType | None = None
    location: Location | None = None
    remote: bool | None = None
    salary: Salary | None = None
    description: str | None = Field(default=None, min_length=1, max_length=5000, pattern=TEXT)
    application: HowToApply | None = None


class NewApplication(BaseModel):
    """An application to a job that takes them in the app."""

    model_config = ConfigDict(extra="forbid")

    document: str = Field(
        min_length=1, max_length=64, description="The id of your own `ready` media to send (your CV), `med_...`"
    )
    cover_note: str = Field(min_length=1, max_length=5000, pattern=TEXT, description="Newlines and tabs allowed")


class ApplicationMove(BaseModel):
    """The employer moves an application on."""

    model_config = ConfigDict(extra="forbid")

    status: Literal["viewed", "shortlisted", "rejected", "hired"] = Field(
        description="Forward only: `submitted` → `viewed` → `shortlisted` → `rejected` or `hired` (steps may be "
        "skipped); `rejected` and `hired` are final"
    )
