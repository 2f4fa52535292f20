"""Listing search over HTTP through the local stack, which runs the table's stream, the search feed,
the FIFO queue and the indexer as AWS would: a listing a reviewer approves is found by its stem
within seconds, and once its seller archives it, at once no more."""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable
from typing import Any

import requests

from tests.support.tokens import mint

SELLER_SCOPES = ["marketplace:read", "marketplace:write"]
REVIEWER_SCOPES = ["marketplace:read", "review:read", "review:write"]


def _caller(stack, api_key: str, keyring, scopes: list[str]) -> Callable[..., requests.Response]:
    token = mint(keyring, scopes, subject=f"user-{uuid.uuid4().hex[:10]}")

    def call(method: str, path: str, **kwargs: Any) -> requests.Response:
        headers = {"x-api-key": api_key, "Authorization": f"Bearer {token}"}
        return requests.request(method, stack.url(path), headers=headers, timeout=60, **kwargs)

    return call


def _found(call: Callable[..., requests.Response], query: dict[str, str]) -> list[str]:
    answer = call("GET", "/api/listings/search", params=query)
    assert answer.status_code == 200, answer.text
    return [listing["id"] for listing in answer.json()["data"]]


def _eventually(condition: Callable[[], bool], seconds: float = 45.0) -> None:
    started = time.monotonic()
    while not condition():
        assert time.monotonic() - started < seconds, "search did not follow the change in time"
        time.sleep(0.25)


def test_an_approved_listing_is_found_within_seconds_and_an_archived_one_no_more(stack, api_key, keyring):
    seller = _caller(stack, api_key, keyring, SELLER_SCOPES)
    reviewer = _caller(stack, api_key, keyring, REVIEWER_SCOPES)
    word = f"zq{uuid.uuid4().hex[:8]}"
    body = {
        "title": f"Folding bicycles {word}",
        "description": "Two of them, barely ridden.",
        "price": 12000,
        "currency": "eur",
        "category": "sports",
        "condition": "like_new",
        "location": {"country": "NL", "city": "Utrecht"},
    }
    created = seller("POST", "/api/listings", json=body)
    assert created.status_code == 201, created.text
    listing_id = created.json()["id"]
    assert seller("POST", f"/api/listings/{listing_id}/submit").status_code == 200
    decided = reviewer(
        "POST", f"/api/review/listings/{listing_id}/decisions", json={"action": "approve", "reason": "ok"}
    )
    assert decided.status_code == 201, decided.text

    query = {"q": f"bicycle {word}", "country": "NL", "city": "utrecht"}
    _eventually(lambda: _found(seller, query)[:1] == [listing_id])
    assert listing_id in _found(seller, {"q": "Bicycle", "category": "sports", "max_price": "12000"})

    assert seller("POST", f"/api/listings/{listing_id}/archive").status_code == 200
    assert listing_id not in _found(seller, query)  # at once: each page is read as listings are now
