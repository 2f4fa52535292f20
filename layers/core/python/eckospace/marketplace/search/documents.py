"""What each kind's index holds (`Fields`): the keyword text (the title counting double), the filters
matched exactly, the amount a range bounds, and the orders pages follow. Listings and jobs each
have an index of their own, with a schema of their own."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property
from typing import Any

import tantivy

from eckospace.ids import sort_key
from eckospace.marketplace import store
from eckospace.marketplace.kinds import JOB, LISTING, Kind

# The analyzer of keyword text, named when only listings were searched: an index keeps the name it
# was made with.
TEXT = "listing_text"


def analyzer() -> tantivy.TextAnalyzer:
    """Words, lower-cased, accents folded, English stems: one analysis for documents and queries."""
    return (
        tantivy.TextAnalyzerBuilder(tantivy.Tokenizer.simple())
        .filter(tantivy.Filter.remove_long(40))
        .filter(tantivy.Filter.lowercase())
        .filter(tantivy.Filter.ascii_fold())
        .filter(tantivy.Filter.stemmer("english"))
        .build()
    )


ANALYZER = analyzer()


def city_key(city: str) -> str:
    """A city as the index holds it and filters match it: spacing and case do not matter."""
    return " ".join(city.split()).casefold()


@dataclass(frozen=True)
class Fields:
    kind: Kind
    texts: dict[str, float]  # the keyword text fields, each with its weight in relevance
    filters: tuple[str, ...]  # matched exactly; `city` as `city_key` has it
    amount: str  # the integer field a range bounds
    # Each order but relevance: the field it follows, and which way. Each value ends with the id,
    # so no two postings tie.
    orders: dict[str, tuple[str, tantivy.Order]]
    values: Callable[[dict[str, Any]], dict[str, Any]]  # a posting's filters, amount and orders

    @property
    def sorts(self) -> tuple[str, ...]:
        return ("relevance", *self.orders)

    @cached_property
    def schema(self) -> tantivy.Schema:
        builder = tantivy.SchemaBuilder()
        builder.add_text_field("id", stored=True, tokenizer_name="raw")
        for name in self.texts:
            builder.add_text_field(name, tokenizer_name=TEXT)
        for name in self.filters:
            builder.add_text_field(name, tokenizer_name="raw")
        builder.add_integer_field(self.amount, indexed=True, fast=True)
        builder.add_integer_field("published_ms", stored=True)
        builder.add_integer_field("expires_ms", stored=True)
        for name in dict.fromkeys(field for field, _ in self.orders.values()):
            builder.add_text_field(name, fast=True, tokenizer_name="raw")
        return builder.build()

    def document(self, posting: dict[str, Any]) -> tantivy.Document:
        return tantivy.Document(
            id=posting["id"],
            **{name: posting[name] for name in self.texts},
            **self.values(posting),
            published_ms=posting["published_ms"],
            expires_ms=posting["expires_ms"],
        )


def _newest(posting: dict[str, Any]) -> str:
    return sort_key(posting["published_ms"], posting["id"])


def _listing(listing: dict[str, Any]) -> dict[str, Any]:
    location, currency, price = listing["location"], listing["currency"], listing["price"]
    return {
        "category": listing["category"],
        "condition": listing["condition"],
        "country": location["country"],
        "city": city_key(location["city"]),
        "currency": currency,
        "price": price,
        "newest": _newest(listing),
        "by_price": store.price_position(currency, price, listing["id"]),
    }


def _job(job: dict[str, Any]) -> dict[str, Any]:
    pay, location = job["salary"], job["location"]  # a remote job's too: where its employer hires
    return {
        "category": job["category"],
        "employment_type": job["employment_type"],
        "remote": "true" if job["remote"] else "false",
        "country": location["country"],
        "city": city_key(location["city"]),
        "currency": pay["currency"],
        "period": pay["period"],
        "salary_max": pay["max"],
        "newest": _newest(job),
        "by_salary": store.salary_position(pay["currency"], pay["period"], pay["max"], job["id"]),
    }


LISTINGS = Fields(
    LISTING,
    texts={"title": 2.0, "description": 1.0},
    filters=("category", "condition", "country", "city", "currency"),
    amount="price",
    orders={
        "newest": ("newest", tantivy.Order.Desc),
        "price_asc": ("by_price", tantivy.Order.Asc),
        "price_desc": ("by_price", tantivy.Order.Desc),
    },
    values=_listing,
)
JOBS = Fields(
    JOB,
    texts={"title": 2.0, "company": 1.0, "description": 1.0},
    filters=("category", "employment_type", "remote", "country", "city", "currency", "period"),
    amount="salary_max",  # the top of the range: `min_salary` keeps the jobs whose range reaches it
    orders={
        "newest": ("newest", tantivy.Order.Desc),
        "salary_asc": ("by_salary", tantivy.Order.Asc),
        "salary_desc": ("by_salary", tantivy.Order.Desc),
    },
    values=_job,
)
