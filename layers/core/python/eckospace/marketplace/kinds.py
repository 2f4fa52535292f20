"""The kinds of posting the marketplace holds: listings (things for sale) and jobs. Both share one
lifecycle (`lifecycle`), one table (`store`), review, saved items and expiry; a `Kind` says what
differs: its id prefix, who owns it, which fields a reviewer judged, which moves it has, and the
events it announces."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cached_property


@dataclass(frozen=True)
class Kind:
    noun: str  # "listing": also the prefix of its key, its events and its `object`
    prefix: str  # of its ids
    owner: str  # the field naming its owner
    material: tuple[str, ...]  # what a reviewer judged: changing one of a published posting sends it back
    editable: tuple[str, ...]
    actions: frozenset[str]  # the lifecycle's moves this kind has
    owner_actions: frozenset[str]  # those its owner makes
    events: dict[str, str] = field(default_factory=dict)  # action: the event it announces

    @cached_property
    def ids(self) -> re.Pattern[str]:  # compiled once: every load and save matches against it
        return re.compile(rf"^{self.prefix}_[0-9a-z]{{26}}$")

    @property
    def expiring(self) -> str:
        """The event that tells the owner their posting expires soon."""
        return f"{self.noun}.expiring"


_EVERY_MOVE = frozenset({"submit", "approve", "reject", "mark_sold", "archive", "renew", "expire", "take_down"})

LISTING = Kind(
    noun="listing",
    prefix="lst",
    owner="seller",
    # The price alone is not material, so a seller may lower (or raise) it without waiting for
    # review; its currency is.
    material=("title", "description", "category", "condition", "location", "currency", "attachments"),
    editable=("title", "description", "category", "condition", "location", "currency", "attachments", "price"),
    actions=_EVERY_MOVE,
    owner_actions=frozenset({"submit", "mark_sold", "archive", "renew"}),
    events={
        "approve": "listing.published",
        "reject": "listing.rejected",
        "take_down": "listing.rejected",
        "mark_sold": "listing.sold",
        "expire": "listing.expired",
    },
)
_JOB_FIELDS = (
    "title",
    "company",
    "category",
    "employment_type",
    "location",
    "remote",
    "salary",
    "description",
    "application",
)
# A job has no sale: its employer archives it once filled.
JOB = Kind(
    noun="job",
    prefix="job",
    owner="employer",
    # every field: the pay and where to apply are what reviewers check first
    material=_JOB_FIELDS,
    editable=_JOB_FIELDS,
    actions=_EVERY_MOVE - {"mark_sold"},
    owner_actions=frozenset({"submit", "archive", "renew"}),
    events={
        "approve": "job.published",
        "reject": "job.rejected",
        "take_down": "job.rejected",
        "expire": "job.expired",
    },
)
KINDS = (LISTING, JOB)
_BY_PREFIX = {kind.prefix: kind for kind in KINDS}


def kind_of(posting_id: str) -> Kind:
    """The kind of a posting id (KeyError for an id of none)."""
    return _BY_PREFIX[posting_id.partition("_")[0]]
