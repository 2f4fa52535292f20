"""The marketplace table (`ECKO_MARKETPLACE_TABLE`): its items, keys and indexes.

Items (pk / sk):
- `listing#<id>` / `listing`: a listing. Its index attributes follow its status, in the same write
  as the status itself (`index_attributes`):
  - always on `ByOwner` (`owner_pk=owner#<user>#listing`, `owner_sk=<created_ms>#<id>`);
  - while published, on `Newest` (`browse_pk=listing#<category>`, `browse_sk=<published_ms>#<id>`),
    on `ByPrice` (`price_pk=listing#<category>`, `price_sk=<currency>#<price, 15 digits>#<id>`: by
    currency, then price) and on `Expiry` (`expiry_pk=expiry#<day it expires>`,
    `expiry_sk=<expires_ms>#<id>`);
  - while pending review, on `Review` (`review_pk=review`, `review_sk=<submitted_ms>#<id>`).
  `save_count` is changed only by ADD (saves), and `reminded_for` (the expiry date its seller was
  told of) only by the expiry sweeper, never by the writes that change the rest.
- `saved#<user>#<listing id>` / `saved`: a listing a user saved, on `ByOwner` as `saved#<user>`.
- `allowance#listings#<user>#<day>` / `allowance`: a seller's daily allowance counter (TTL).
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any

from eckospace import items
from eckospace.ids import new_id as new_id
from eckospace.ids import now_ms as now_ms
from eckospace.ids import sort_key
from eckospace.marketplace import lifecycle, settings

NEWEST, BY_PRICE, BY_OWNER, REVIEW, EXPIRY = "Newest", "ByPrice", "ByOwner", "Review", "Expiry"
LISTING_ID = re.compile(r"^lst_[0-9a-z]{26}$")
PRICE_DIGITS = 15
INDEX_ATTRIBUTES = (
    "owner_pk",
    "owner_sk",
    "browse_pk",
    "browse_sk",
    "price_pk",
    "price_sk",
    "review_pk",
    "review_sk",
    "expiry_pk",
    "expiry_sk",
)


def table() -> str:
    return settings.TABLE()


def listing_key(listing_id: str) -> dict[str, Any]:
    return {"pk": {"S": f"listing#{listing_id}"}, "sk": {"S": "listing"}}


def allowance_key(allowance: Any, person: str, now: float) -> dict[str, Any]:
    return {"pk": {"S": allowance.key_value(person, now)}, "sk": {"S": "allowance"}}


def price_position(currency: str, price: int, item_id: str) -> str:
    return f"{currency}#{price:0{PRICE_DIGITS}d}#{item_id}"


def expiry_day(expires_ms: int) -> str:
    return datetime.fromtimestamp(expires_ms / 1000, UTC).strftime("%Y-%m-%d")


def index_attributes(listing: dict[str, Any]) -> dict[str, Any]:
    """The index attributes a listing carries in its current status (None: removed)."""
    found: dict[str, Any] = dict.fromkeys(INDEX_ATTRIBUTES)
    found |= {
        "owner_pk": f"owner#{listing['seller']}#listing",
        "owner_sk": sort_key(listing["created_ms"], listing["id"]),
    }
    if listing["status"] == lifecycle.PUBLISHED:
        category, currency = listing["category"], listing["currency"]
        found |= {
            "browse_pk": f"listing#{category}",
            "browse_sk": sort_key(listing["published_ms"], listing["id"]),
            "price_pk": f"listing#{category}",
            "price_sk": price_position(currency, listing["price"], listing["id"]),
            "expiry_pk": f"expiry#{expiry_day(listing['expires_ms'])}",
            "expiry_sk": sort_key(listing["expires_ms"], listing["id"]),
        }
    elif listing["status"] == lifecycle.PENDING:
        found |= {"review_pk": "review", "review_sk": sort_key(listing["submitted_ms"], listing["id"])}
    return found


def item(listing: dict[str, Any]) -> dict[str, Any]:
    """The whole item of a new listing."""
    record = {"pk": f"listing#{listing['id']}", "sk": "listing", "type": "listing", **listing}
    return items.to_item(record | index_attributes(listing))


def update_operation(old: dict[str, Any], new: dict[str, Any]) -> dict[str, Any]:
    """The Update that takes a stored listing from `old` to `new`, if it is still at `old`'s version
    (`save_count` and `reminded_for` are left to the saves and the expiry sweeper)."""
    return items.update_operation(
        table(),
        listing_key(old["id"]),
        old | index_attributes(old),
        new | index_attributes(new),
        condition="version = :version",
        values={":version": {"N": str(old["version"])}},
        skip=("save_count", "reminded_for", "type"),
    )


def load(listing_id: str) -> dict[str, Any] | None:
    """The listing as it is now (a consistent read), without its key and index attributes."""
    if not LISTING_ID.match(listing_id):
        return None
    from eckospace import aws

    found = (
        aws.client("dynamodb").get_item(TableName=table(), Key=listing_key(listing_id), ConsistentRead=True).get("Item")
    )
    return record(found) if found else None


def load_many(listing_ids: list[str]) -> dict[str, dict[str, Any]]:
    """These listings as they are now (consistent reads, BatchGetItem by hundreds), by id; missing
    ones are left out."""
    from eckospace import aws

    found: dict[str, dict[str, Any]] = {}
    for start in range(0, len(listing_ids), 100):
        keys = [listing_key(listing_id) for listing_id in listing_ids[start : start + 100]]
        for item_ in aws.batch_get({table(): {"Keys": keys, "ConsistentRead": True}})[table()]:
            listing = record(item_)
            found[listing["id"]] = listing
    return found


def record(item_: dict[str, Any]) -> dict[str, Any]:
    """A stored item as a listing: its fields, without keys and index attributes."""
    return {
        name: value
        for name, value in items.from_item(item_).items()
        if name not in ("pk", "sk", "type") and name not in INDEX_ATTRIBUTES
    }
