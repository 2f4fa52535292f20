"""Listing and job search over HTTP through the local stack, which runs the table's stream, the
search feed, the FIFO queue and the indexer as AWS would: a listing or job a reviewer approves is
found by its stem within seconds, and once its owner archives it, at once no more."""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable
from typing import Any

import pytest
import requests

from tests.support.tokens import mint

OWNER_SCOPES = ["marketplace:read", "marketplace:write"]
REVIEWER_SCOPES = ["marketplace:read", "review:read", "review:write"]
# Each kind: its collection, a new posting (`{word}` in its title), a search that should find it by
# its word's stem and where it is, and one by a stem and its filters alone.
KINDS: dict[str, dict[str, Any]] = {
    "listing": {
        "collection": "listings",
        "body": {
            "title": "Folding bicycles {word}",
            "description": "Two of them, barely ridden.",
            "price": 12000,
            "currency": "eur",
            "category": "sports",
            "condition": "like_new",
            "location": {"country": "NL", "city": "Utrecht"},
        },
        "query": {"q": "bicycle {word}", "country": "NL", "city": "utrecht"},
        "filtered": {"q": "Bicycle", "category": "sports", "max_price": "12000"},
    },
    "job": {
        "collection": "jobs",
        "body": {
            "title": "Backend engineers {word}",
            "company": "Ecko Labs",
            "category": "engineering",
            "employment_type": "full_time",
            "location": {"country": "PT", "city": "Lisbon"},
            "remote": True,
            "salary": {"min": 6000000, "max": 7500000, "currency": "eur", "period": "year"},
            "description": "Serverless APIs.",
            "application": {"type": "in_app"},
        },
        "query": {"q": "engineer {word}", "country": "PT", "city": "lisbon", "remote": "true"},
        "filtered": {"q": "Engineer", "currency": "eur", "period": "year", "min_salary": "7500000"},
    },
}


def _caller(stack, api_key: str, keyring, scopes: list[str]) -> Callable[..., requests.Response]:
    token = mint(keyring, scopes, subject=f"user-{uuid.uuid4().hex[:10]}")

    def call(method: str, path: str, **kwargs: Any) -> requests.Response:
        headers = {"x-api-key": api_key, "Authorization": f"Bearer {token}"}
        return requests.request(method, stack.url(path), headers=headers, timeout=60, **kwargs)

    return call


def _eventually(condition: Callable[[], bool], seconds: float = 45.0) -> None:
    started = time.monotonic()
    while not condition():
        assert time.monotonic() - started < seconds, "search did not follow the change in time"
        time.sleep(0.25)


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_an_approved_posting_is_found_within_seconds_and_an_archived_one_no_more(stack, api_key, keyring, kind):
    owner = _caller(stack, api_key, keyring, OWNER_SCOPES)
    reviewer = _caller(stack, api_key, keyring, REVIEWER_SCOPES)
    collection, word = KINDS[kind]["collection"], f"zq{uuid.uuid4().hex[:8]}"
    body = KINDS[kind]["body"] | {"title": KINDS[kind]["body"]["title"].format(word=word)}

    def found(query: dict[str, str]) -> list[str]:
        answer = owner("GET", f"/api/{collection}/search", params=query)
        assert answer.status_code == 200, answer.text
        return [posting["id"] for posting in answer.json()["data"]]

    created = owner("POST", f"/api/{collection}", json=body)
    assert created.status_code == 201, created.text
    posting_id = created.json()["id"]
    assert owner("POST", f"/api/{collection}/{posting_id}/submit").status_code == 200
    decided = reviewer(
        "POST", f"/api/review/{collection}/{posting_id}/decisions", json={"action": "approve", "reason": "ok"}
    )
    assert decided.status_code == 201, decided.text

    query = {name: value.format(word=word) for name, value in KINDS[kind]["query"].items()}
    _eventually(lambda: found(query)[:1] == [posting_id])
    assert posting_id in found(KINDS[kind]["filtered"])

    assert owner("POST", f"/api/{collection}/{posting_id}/archive").status_code == 200
    assert posting_id not in found(query)  # at once: each page is read as postings are now
