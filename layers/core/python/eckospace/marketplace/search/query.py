"""Searching published listings on the index (`index`): keywords ranked by relevance (BM25 over the
title, boosted, and the description, English stems) or one of the orders browsing has, and filters,
all answered by the search engine. The listings a page finds are then read as they are now (one
BatchGetItem), and any no longer published, or past their expiry, is left out: such a page may be
shorter than `limit` and still have a `next_cursor`.

A cursor pins the generation it was read from and the offset of the next page, so paging through is
stable while listings are published: a new one does not appear in the pages of a search already
started, and none shifts from one page to the next.
"""

from __future__ import annotations

from dataclasses import astuple, dataclass
from typing import Any

import tantivy

from eckospace.cursors import decode_cursor, encode_cursor
from eckospace.errors import InvalidInput
from eckospace.marketplace import lifecycle, listings, store
from eckospace.marketplace.catalogue import MAX_PRICE
from eckospace.marketplace.search import index

SORTS = ("relevance", "newest", "price_asc", "price_desc")
TITLE_BOOST = 2.0
# Each order but relevance: the index field it follows, and which way.
ORDERS = {
    "newest": ("newest", tantivy.Order.Desc),
    "price_asc": ("by_price", tantivy.Order.Asc),
    "price_desc": ("by_price", tantivy.Order.Desc),
}
LISTING = "listings-search"


@dataclass(frozen=True)
class Criteria:
    """What a search asks for; `None` leaves a filter out."""

    q: str | None = None
    category: str | None = None
    condition: str | None = None
    country: str | None = None
    city: str | None = None
    currency: str | None = None
    min_price: int | None = None
    max_price: int | None = None
    sort: str | None = None

    @property
    def order(self) -> str:
        """`relevance` needs keywords: without them (and by default) the newest come first."""
        if self.sort in (None, "relevance"):
            return "relevance" if self.q else "newest"
        return self.sort

    @property
    def prices(self) -> tuple[int, int]:
        return self.min_price or 0, MAX_PRICE if self.max_price is None else self.max_price

    def terms(self) -> list[str]:
        """The keywords' stems, each once, in order."""
        return list(dict.fromkeys(token for token in index.ANALYZER.analyze(self.q or "")))

    def scope(self) -> list[str]:
        return ["" if value is None else str(value) for value in astuple(self)[:-1]] + [self.order]


def _query(criteria: Criteria, terms: list[str]) -> tantivy.Query:
    schema = index.SCHEMA
    clauses = [
        (tantivy.Occur.Must, tantivy.Query.term_query(schema, name, value))
        for name, value in (
            ("category", criteria.category),
            ("condition", criteria.condition),
            ("country", criteria.country),
            ("city", index.city_key(criteria.city) if criteria.city else None),
            ("currency", criteria.currency),
        )
        if value is not None
    ]
    if criteria.min_price is not None or criteria.max_price is not None:
        low, high = criteria.prices
        clauses.append(
            (tantivy.Occur.Must, tantivy.Query.range_query(schema, "price", tantivy.FieldType.Integer, low, high))
        )
    if terms:
        words = []
        for term in terms:
            title = tantivy.Query.term_query(schema, "title", term)
            words += [
                (tantivy.Occur.Should, tantivy.Query.boost_query(title, TITLE_BOOST)),
                (tantivy.Occur.Should, tantivy.Query.term_query(schema, "description", term)),
            ]
        clauses.append((tantivy.Occur.Must, tantivy.Query.boolean_query(words)))
    return tantivy.Query.boolean_query(clauses) if clauses else tantivy.Query.all_query()


def _cursor_refused(detail: str) -> InvalidInput:
    return InvalidInput(detail, errors=[{"in": "query", "name": "cursor", "detail": detail}])


def _start(criteria: Criteria, cursor: str | None) -> tuple[index.Generation | None, int]:
    """The generation to read and the offset of the page."""
    pinned = decode_cursor(cursor, listing=LISTING, scope=criteria.scope())
    if pinned is None:
        return index.current(), 0
    version, offset = pinned.get("g"), pinned.get("o")
    if not isinstance(version, str) or type(offset) is not int or offset < 0:
        raise _cursor_refused("The cursor is not one this API issued.")
    try:
        return index.generation(version), offset
    except index.GenerationGone:
        raise _cursor_refused("The cursor's results are no longer held; start again from the first page.") from None


def _published_now(listing_ids: list[str]) -> list[dict[str, Any]]:
    """These listings as they are now, in this order, leaving out those no longer published."""
    found, now = store.load_many(listing_ids), store.now_ms()
    return [
        found[listing_id]
        for listing_id in listing_ids
        if listing_id in found
        and found[listing_id]["status"] == lifecycle.PUBLISHED
        and found[listing_id]["expires_ms"] > now
    ]


def search(criteria: Criteria, *, limit: int, cursor: str | None) -> dict[str, Any]:
    """A page of the published listings that match, and the cursor of the next one."""
    empty: dict[str, Any] = {"data": [], "next_cursor": None}
    terms = criteria.terms()
    low, high = criteria.prices
    if low > high or (criteria.q and not terms):
        return empty  # an empty price range, or keywords with no word in them, match nothing
    held, offset = _start(criteria, cursor)
    if held is None:
        return empty  # nothing was ever published
    order: dict[str, Any] = {}
    if criteria.order in ORDERS:
        field, direction = ORDERS[criteria.order]
        order = {"order_by_field": field, "order": direction}
    hits = held.searcher.search(_query(criteria, terms), limit=limit + 1, offset=offset, count=False, **order).hits
    found = [held.searcher.doc(address)["id"][0] for _, address in hits]
    next_cursor = None
    if len(found) > limit:
        next_cursor = encode_cursor({"g": held.version, "o": offset + limit}, listing=LISTING, scope=criteria.scope())
    return {"data": [listings.view(listing) for listing in _published_now(found[:limit])], "next_cursor": next_cursor}
