"""The marketplace table (`ECKO_MARKETPLACE_TABLE`): its items, keys and indexes.

Items (pk / sk), for each kind of posting (`<kind>` is `listing` or `job`, see `kinds`):
- `<kind>#<id>` / `<kind>`: a listing or a job. Its index attributes follow its status, in the same
  write as the status itself (`index_attributes`):
  - always on `ByOwner` (`owner_pk=owner#<owner>#<kind>`, `owner_sk=<created_ms>#<id>`);
  - while published, on `Newest` (`browse_pk=<kind>#<category>`, `browse_sk=<published_ms>#<id>`),
    on `ByPrice` (`price_pk=<kind>#<category>`, `price_sk=<the kind's price position>#<id>`: a
    listing's currency, then price; a job's currency, pay period, then top of its salary range) and
    on `Expiry` (`expiry_pk=expiry#<day it expires>`, `expiry_sk=<expires_ms>#<id>`);
  - while pending review, on `Review` (`review_pk=review#<kind>`, `review_sk=<submitted_ms>#<id>`).
  `save_count` is changed only by ADD (saves), and `reminded_for` (the expiry date its owner was
  told of) only by the expiry sweeper, never by the writes that change the rest.
- `saved#<user>#<id>` / `saved`: a posting a user saved, on `ByOwner` as `saved#<user>`.
- `application#<id>` / `application`: an application to a job (`applications`), on `ByOwner` as
  `applicant#<user>` and on `Newest` as `applications#<job id>`, newest first.
- `applied#<job id>#<user>` / `applied`: held once a user applied to a job (one application each).
- `allowance#<kind>s#<user>#<day>` / `allowance`: an owner's daily allowance counter (TTL).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from eckospace import items
from eckospace.ids import new_id as new_id
from eckospace.ids import now_ms as now_ms
from eckospace.ids import sort_key
from eckospace.marketplace import lifecycle, settings
from eckospace.marketplace.kinds import KINDS, Kind, kind_of

NEWEST, BY_PRICE, BY_OWNER, REVIEW, EXPIRY = "Newest", "ByPrice", "ByOwner", "Review", "Expiry"
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


def key(posting_id: str) -> dict[str, Any]:
    """The key of the listing or job with this (well-formed) id."""
    noun = kind_of(posting_id).noun
    return {"pk": {"S": f"{noun}#{posting_id}"}, "sk": {"S": noun}}


def allowance_key(allowance: Any, person: str, now: float) -> dict[str, Any]:
    return {"pk": {"S": allowance.key_value(person, now)}, "sk": {"S": "allowance"}}


def price_position(currency: str, price: int, item_id: str) -> str:
    return f"{currency}#{price:0{PRICE_DIGITS}d}#{item_id}"


def salary_position(currency: str, period: str, salary: int, item_id: str) -> str:
    return f"{currency}#{period}#{salary:0{PRICE_DIGITS}d}#{item_id}"


def _price_sk(kind: Kind, posting: dict[str, Any]) -> str:
    if kind.noun == "job":
        pay = posting["salary"]
        return salary_position(pay["currency"], pay["period"], pay["max"], posting["id"])
    return price_position(posting["currency"], posting["price"], posting["id"])


def expiry_day(expires_ms: int) -> str:
    return datetime.fromtimestamp(expires_ms / 1000, UTC).strftime("%Y-%m-%d")


def still_published(posting_id: str, now: int) -> dict[str, Any]:
    """The ConditionCheck, for a transaction, that the posting is published and not past its expiry."""
    return {
        "ConditionCheck": {
            "TableName": table(),
            "Key": key(posting_id),
            "ConditionExpression": "#status = :published AND expires_ms > :now",
            "ExpressionAttributeNames": {"#status": "status"},
            "ExpressionAttributeValues": {":published": {"S": lifecycle.PUBLISHED}, ":now": {"N": str(now)}},
        }
    }


def index_attributes(posting: dict[str, Any]) -> dict[str, Any]:
    """The index attributes a listing or job carries in its current status (None: removed)."""
    kind = kind_of(posting["id"])
    found: dict[str, Any] = dict.fromkeys(INDEX_ATTRIBUTES)
    found |= {
        "owner_pk": f"owner#{posting[kind.owner]}#{kind.noun}",
        "owner_sk": sort_key(posting["created_ms"], posting["id"]),
    }
    if posting["status"] == lifecycle.PUBLISHED:
        partition = f"{kind.noun}#{posting['category']}"
        found |= {
            "browse_pk": partition,
            "browse_sk": sort_key(posting["published_ms"], posting["id"]),
            "price_pk": partition,
            "price_sk": _price_sk(kind, posting),
            "expiry_pk": f"expiry#{expiry_day(posting['expires_ms'])}",
            "expiry_sk": sort_key(posting["expires_ms"], posting["id"]),
        }
    elif posting["status"] == lifecycle.PENDING:
        found |= {"review_pk": f"review#{kind.noun}", "review_sk": sort_key(posting["submitted_ms"], posting["id"])}
    return found


def item(posting: dict[str, Any]) -> dict[str, Any]:
    """The whole item of a new listing or job."""
    noun = kind_of(posting["id"]).noun
    record = {"pk": f"{noun}#{posting['id']}", "sk": noun, "type": noun, **posting}
    return items.to_item(record | index_attributes(posting))


def update_operation(old: dict[str, Any], new: dict[str, Any]) -> dict[str, Any]:
    """The Update that takes a stored posting from `old` to `new`, if it is still at `old`'s version
    (`save_count` and `reminded_for` are left to the saves and the expiry sweeper)."""
    return items.update_operation(
        table(),
        key(old["id"]),
        old | index_attributes(old),
        new | index_attributes(new),
        condition="version = :version",
        values={":version": {"N": str(old["version"])}},
        skip=("save_count", "reminded_for", "type"),
    )


def load(posting_id: str, kind: Kind | None = None) -> dict[str, Any] | None:
    """The listing or job (of `kind`, when named) as it is now (a consistent read), without its key
    and index attributes; None for an id of another kind, or none at all."""
    if not any(each.ids.match(posting_id) for each in ([kind] if kind else KINDS)):
        return None
    from eckospace import aws

    found = aws.client("dynamodb").get_item(TableName=table(), Key=key(posting_id), ConsistentRead=True).get("Item")
    return record(found) if found else None


def load_many(posting_ids: list[str]) -> dict[str, dict[str, Any]]:
    """These (well-formed) postings as they are now (consistent reads, BatchGetItem by hundreds), by
    id; missing ones are left out."""
    from eckospace import aws

    found: dict[str, dict[str, Any]] = {}
    for start in range(0, len(posting_ids), 100):
        keys = [key(posting_id) for posting_id in posting_ids[start : start + 100]]
        for item_ in aws.batch_get({table(): {"Keys": keys, "ConsistentRead": True}})[table()]:
            posting = record(item_)
            found[posting["id"]] = posting
    return found


def record(item_: dict[str, Any]) -> dict[str, Any]:
    """A stored item as a listing or job: its fields, without keys and index attributes."""
    return {
        name: value
        for name, value in items.from_item(item_).items()
        if name not in ("pk", "sk", "type") and name not in INDEX_ATTRIBUTES
    }
