"""What clients send as a contact message."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from eckospace.marketplace.inputs import TEXT

MAX_TEXT = 2000


class ContactText(BaseModel):
    model_config = ConfigDict(extra="forbid")

    text: str = Field(min_length=1, max_length=MAX_TEXT, pattern=TEXT, description="Newlines and tabs allowed")
