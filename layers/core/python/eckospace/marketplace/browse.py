"""Pages of listings, each one DynamoDB query on an index made for it. Browsing a category's
published listings:

- newest first (`Newest`);
- by price either way (`ByPrice`, ordered by currency, then price): within one currency and a price
  range, the range is the query's key condition, so it costs nothing extra.

Every other combination (a currency or a price range while sorting by newest, a price range across
currencies) is the same query with a filter: exact, but a page may then hold fewer than `limit`
listings and still have a `next_cursor`. A listing past its `expires_at` that the expiry sweeper
has not reached yet is filtered out, so nobody sees one late. Cursors are bound to the whole query.

Also a seller's listings, the review queue, and a user's saved listings: a page of those is one
query and one BatchGetItem of the listings, leaving out those no longer published (sold, archived,
expired, back in review).
"""

from __future__ import annotations

import re
from typing import Any

from eckospace import aws, items, timestamps
from eckospace.marketplace import lifecycle, listings, store
from eckospace.marketplace.catalogue import MAX_PRICE
from eckospace.paging import query_page

_LISTING = r"lst_[0-9a-z]{26}"
_KEY = {"pk": re.compile(rf"^listing#{_LISTING}$"), "sk": re.compile(r"^listing$")}
NEWEST_POSITION = re.compile(rf"^\d{{13}}#{_LISTING}$")
PRICE_POSITION = re.compile(rf"^[a-z]{{3}}#\d{{{store.PRICE_DIGITS}}}#{_LISTING}$")
OWNER_POSITION = NEWEST_POSITION
SAVED_KEY = {"pk": re.compile(rf"^saved#.+#{_LISTING}$"), "sk": re.compile(r"^saved$"), "owner_sk": OWNER_POSITION}


def _filtered(request: dict[str, Any], conditions: list[str], values: dict[str, Any]) -> dict[str, Any]:
    """`request` keeping only unexpired listings that meet `conditions` as well."""
    request["FilterExpression"] = " AND ".join(["expires_ms > :now", *conditions])
    request["ExpressionAttributeValues"] |= {":now": {"N": str(store.now_ms())}, **values}
    return request


def browse(
    category: str,
    *,
    sort: str,
    currency: str | None,
    min_price: int | None,
    max_price: int | None,
    limit: int,
    cursor: str | None,
) -> dict[str, Any]:
    low, high = min_price or 0, MAX_PRICE if max_price is None else max_price
    if low > high:
        return {"data": [], "next_cursor": None}  # an empty range holds nothing
    pk = f"listing#{category}"
    ranged = min_price is not None or max_price is not None
    conditions, values = [], {}
    if sort == "newest":
        partition, position = "browse_pk", {"browse_sk": NEWEST_POSITION}
        request: dict[str, Any] = {"IndexName": store.NEWEST, "KeyConditionExpression": "browse_pk = :p"}
        if currency:
            conditions.append("currency = :currency")
            values[":currency"] = {"S": currency}
    else:
        partition, position = "price_pk", {"price_sk": PRICE_POSITION}
        request = {"IndexName": store.BY_PRICE, "KeyConditionExpression": "price_pk = :p"}
        if currency:  # one currency: the range is part of the key condition
            request["KeyConditionExpression"] += " AND price_sk BETWEEN :low AND :high"
            values |= {
                ":low": {"S": store.price_position(currency, low, "")},
                ":high": {"S": store.price_position(currency, high, "~")},  # `~` sorts after every id
            }
            ranged = False
    if ranged:
        conditions.append("price BETWEEN :min AND :max")
        values |= {":min": {"N": str(low)}, ":max": {"N": str(high)}}
    # newest and price_desc read their index backwards
    request |= {"ExpressionAttributeValues": {":p": {"S": pk}}, "ScanIndexForward": sort == "price_asc"}
    items, next_cursor = query_page(
        store.table(),
        _filtered(request, conditions, values),
        listing="listings-browse",
        scope=f"{category}:{sort}:{currency or '*'}:{low}:{high}",
        cursor=cursor,
        limit=limit,
        fixed={partition: pk},
        strings=_KEY | position,
    )
    return {"data": [listings.view(store.record(item)) for item in items], "next_cursor": next_cursor}


def seller_listings(seller: str, viewer: str, *, limit: int, cursor: str | None) -> dict[str, Any]:
    """Newest first. The seller sees every listing of theirs; anyone else their published ones (a
    page may then be shorter than `limit` and still have a `next_cursor`)."""
    pk = f"owner#{seller}#listing"
    request: dict[str, Any] = {
        "IndexName": store.BY_OWNER,
        "KeyConditionExpression": "owner_pk = :p",
        "ExpressionAttributeValues": {":p": {"S": pk}},
        "ScanIndexForward": False,
    }
    own = seller == viewer
    if not own:
        _filtered(request, ["#status = :published"], {":published": {"S": lifecycle.PUBLISHED}})
        request["ExpressionAttributeNames"] = {"#status": "status"}
    items, next_cursor = query_page(
        store.table(),
        request,
        listing="listings-seller",
        scope=f"{'own' if own else 'public'}:{seller}",
        cursor=cursor,
        limit=limit,
        fixed={"owner_pk": pk},
        strings=_KEY | {"owner_sk": OWNER_POSITION},
    )
    return {"data": [listings.view(store.record(item)) for item in items], "next_cursor": next_cursor}


def review_queue(*, limit: int, cursor: str | None) -> dict[str, Any]:
    """Listings waiting for review, the longest waiting first."""
    items, next_cursor = query_page(
        store.table(),
        {
            "IndexName": store.REVIEW,
            "KeyConditionExpression": "review_pk = :p",
            "ExpressionAttributeValues": {":p": {"S": "review"}},
            "ScanIndexForward": True,
        },
        listing="listing-review",
        scope="pending",
        cursor=cursor,
        limit=limit,
        fixed={"review_pk": "review"},
        strings=_KEY | {"review_sk": NEWEST_POSITION},
    )
    return {"data": [listings.view(store.record(item)) for item in items], "next_cursor": next_cursor}


def saved_page(user: str, *, limit: int, cursor: str | None) -> dict[str, Any]:
    found, next_cursor = query_page(
        store.table(),
        {
            "IndexName": store.BY_OWNER,
            "KeyConditionExpression": "owner_pk = :p",
            "ExpressionAttributeValues": {":p": {"S": f"saved#{user}"}},
            "ScanIndexForward": False,
        },
        listing="saved-items",
        scope=user,
        cursor=cursor,
        limit=limit,
        fixed={"owner_pk": f"saved#{user}"},
        strings=SAVED_KEY,
    )
    marks = [items.from_item(item) for item in found]
    current: dict[str, dict[str, Any]] = {}
    if marks:
        keys = [store.listing_key(listing_id) for listing_id in dict.fromkeys(mark["listing_id"] for mark in marks)]
        for item in aws.batch_get({store.table(): {"Keys": keys}})[store.table()]:
            listing = store.record(item)
            current[listing["id"]] = listing
    now = store.now_ms()
    return {
        "data": [
            {
                "object": "saved_item",
                "type": "listing",
                "listing": listings.view(current[mark["listing_id"]]),
                "saved_at": timestamps.from_ms(mark["created_ms"]),
            }
            for mark in marks
            if _live(current.get(mark["listing_id"]), now)
        ],
        "next_cursor": next_cursor,
    }


def _live(listing: dict[str, Any] | None, now: int) -> bool:
    return bool(listing and listing["status"] == lifecycle.PUBLISHED and listing["expires_ms"] > now)
