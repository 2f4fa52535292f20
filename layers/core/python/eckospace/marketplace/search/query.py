"""Searching a kind's published postings on its index (`index`): keywords ranked by relevance (BM25
over the kind's keyword text, the title boosted, English stems) or one of the kind's orders, and
filters, all answered by the search engine. The postings a page finds are then read as they are now
(one BatchGetItem), and any no longer published, or past their expiry, is left out: such a page may
be shorter than `limit` and still have a `next_cursor`.

A cursor pins the generation it was read from and the offset of the next page, so paging through is
stable while postings are published: a new one does not appear in the pages of a search already
started, and none shifts from one page to the next.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import tantivy

from eckospace.cursors import decode_cursor, encode_cursor
from eckospace.errors import InvalidInput
from eckospace.marketplace import lifecycle, postings, store
from eckospace.marketplace.catalogue import MAX_PRICE
from eckospace.marketplace.kinds import Kind
from eckospace.marketplace.search import documents, index


@dataclass(frozen=True)
class Criteria:
    """What a search asks for: keywords, the kind's filters (`None` leaves one out), a range of its
    amount (a listing's price, the top of a job's salary range), both ends included, and an order."""

    q: str | None = None
    filters: dict[str, str | None] = field(default_factory=dict)
    low: int | None = None
    high: int | None = None
    sort: str | None = None

    @property
    def order(self) -> str:
        """`relevance` needs keywords: without them (and by default) the newest come first."""
        if self.sort in (None, "relevance"):
            return "relevance" if self.q else "newest"
        return self.sort

    @property
    def amounts(self) -> tuple[int, int]:
        return self.low or 0, MAX_PRICE if self.high is None else self.high

    def terms(self) -> list[str]:
        """The keywords' stems, each once, in order."""
        return list(dict.fromkeys(token for token in documents.ANALYZER.analyze(self.q or "")))

    def scope(self, fields: documents.Fields) -> list[str]:
        values = [self.q, *(self.filters.get(name) for name in fields.filters), self.low, self.high]
        return ["" if value is None else str(value) for value in values] + [self.order]


def _query(fields: documents.Fields, criteria: Criteria, terms: list[str]) -> tantivy.Query:
    schema = fields.schema
    clauses = [
        (
            tantivy.Occur.Must,
            tantivy.Query.term_query(schema, name, documents.city_key(value) if name == "city" else value),
        )
        for name, value in criteria.filters.items()
        if value is not None
    ]
    if criteria.low is not None or criteria.high is not None:
        low, high = criteria.amounts
        clauses.append(
            (tantivy.Occur.Must, tantivy.Query.range_query(schema, fields.amount, tantivy.FieldType.Integer, low, high))
        )
    if terms:
        words = [
            (tantivy.Occur.Should, tantivy.Query.boost_query(tantivy.Query.term_query(schema, name, term), weight))
            for term in terms
            for name, weight in fields.texts.items()
        ]
        clauses.append((tantivy.Occur.Must, tantivy.Query.boolean_query(words)))
    return tantivy.Query.boolean_query(clauses) if clauses else tantivy.Query.all_query()


def _cursor_refused(detail: str) -> InvalidInput:
    return InvalidInput(detail, errors=[{"in": "query", "name": "cursor", "detail": detail}])


def _start(searched: index.Index, criteria: Criteria, cursor: str | None) -> tuple[index.Generation | None, int]:
    """The generation to read and the offset of the page."""
    pinned = decode_cursor(cursor, listing=_listing(searched.fields.kind), scope=criteria.scope(searched.fields))
    if pinned is None:
        return searched.current(), 0
    version, offset = pinned.get("g"), pinned.get("o")
    if not isinstance(version, str) or type(offset) is not int or offset < 0:
        raise _cursor_refused("The cursor is not one this API issued.")
    try:
        return searched.generation(version), offset
    except index.GenerationGone:
        raise _cursor_refused("The cursor's results are no longer held; start again from the first page.") from None


def _listing(kind: Kind) -> str:
    """What a cursor names it serves (a job search's cursor is no listing search's)."""
    return f"{kind.noun}s-search"


def _published_now(posting_ids: list[str]) -> list[dict[str, Any]]:
    """These postings as they are now, in this order, leaving out those no longer published."""
    found, now = store.load_many(posting_ids), store.now_ms()
    return [
        found[posting_id]
        for posting_id in posting_ids
        if posting_id in found
        and found[posting_id]["status"] == lifecycle.PUBLISHED
        and found[posting_id]["expires_ms"] > now
    ]


def search(kind: Kind, criteria: Criteria, *, limit: int, cursor: str | None) -> dict[str, Any]:
    """A page of the published postings of `kind` that match, and the cursor of the next one."""
    empty: dict[str, Any] = {"data": [], "next_cursor": None}
    searched = index.of(kind)
    fields = searched.fields
    terms = criteria.terms()
    low, high = criteria.amounts
    if low > high or (criteria.q and not terms):
        return empty  # an empty range, or keywords with no word in them, match nothing
    held, offset = _start(searched, criteria, cursor)
    if held is None:
        return empty  # nothing was ever published
    order: dict[str, Any] = {}
    if criteria.order in fields.orders:
        by, direction = fields.orders[criteria.order]
        order = {"order_by_field": by, "order": direction}
    query = _query(fields, criteria, terms)
    hits = held.searcher.search(query, limit=limit + 1, offset=offset, count=False, **order).hits
    found = [held.searcher.doc(address)["id"][0] for _, address in hits]
    next_cursor = None
    if len(found) > limit:
        next_cursor = encode_cursor(
            {"g": held.version, "o": offset + limit}, listing=_listing(kind), scope=criteria.scope(fields)
        )
    return {"data": [postings.view(posting) for posting in _published_now(found[:limit])], "next_cursor": next_cursor}
