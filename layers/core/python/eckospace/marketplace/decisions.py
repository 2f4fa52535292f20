"""What reviewers and moderators send to decide on a listing or a job."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from eckospace.moderation.models import Reason


class ReviewDecision(BaseModel):
    """A reviewer's decision on a listing or job in review."""

    model_config = ConfigDict(extra="forbid")

    action: Literal["approve", "reject"] = Field(
        description="`approve`: published for 30 days; `reject`: back to its owner with the reason"
    )
    reason: str = Field(min_length=1, max_length=500, description="Why; a rejection's reason is shown to the owner")


class PostingModerationDecision(BaseModel):
    """A moderator's decision on a reported listing or job."""

    model_config = ConfigDict(extra="forbid")

    action: Literal["take_down", "dismiss"] = Field(
        description="`take_down`: a published posting goes back to its owner as `rejected`, with the reason, to "
        "fix and submit again; `dismiss`: it stays as it is"
    )
    reason: Reason
