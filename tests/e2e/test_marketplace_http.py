"""The marketplace over HTTP through the local stack: a seller lists a bike with a photo uploaded
through a presigned form, a reviewer approves it, a buyer finds it browsing its category, sees the
photo through the local CDN and saves it; once sold it leaves the category, the buyer's saved
items and the CDN (through the media table's stream), and the API's own answers say why."""

from __future__ import annotations

import uuid

import requests

from tests.e2e.test_media_delivery_http import eventually
from tests.e2e.test_media_presigned_http import api, send, settled, start
from tests.support import sample_files
from tests.support.tokens import mint


def test_a_listing_goes_from_draft_to_sold_with_its_photo_public_only_while_published(stack, api_key, keyring):
    seller = mint(
        keyring,
        ["media:read", "media:write", "marketplace:read", "marketplace:write"],
        subject=f"s-{uuid.uuid4().hex[:8]}",
    )
    buyer = mint(keyring, ["marketplace:read", "marketplace:write"], subject=f"b-{uuid.uuid4().hex[:8]}")
    reviewer = mint(keyring, ["review:read", "review:write"], subject=f"r-{uuid.uuid4().hex[:8]}")

    photo = sample_files.photo_with_location("JPEG", orientation=1, width=320, height=240)
    media = start(stack, api_key, seller, "image/jpeg", len(photo), "bike.jpg")
    assert send(media, photo).status_code == 204
    assert settled(stack, api_key, seller, media["id"])["status"] == "ready"

    fields = {
        "title": "Tandem bicycle",
        "description": "Two seats, one bell.",
        "price": 42000,
        "currency": "eur",
        "category": "vehicles",
        "condition": "like_new",
        "location": {"country": "NL", "city": "Utrecht"},
        "attachments": [media["id"]],
    }
    key = {"Idempotency-Key": uuid.uuid4().hex}
    created = requests.post(
        stack.url("/api/listings"),
        json=fields,
        headers={"x-api-key": api_key, "Authorization": f"Bearer {seller}", **key},
        timeout=30,
    )
    assert created.status_code == 201, created.text
    listing = created.json()
    assert listing["status"] == "draft" and created.headers["Location"] == f"/api/listings/{listing['id']}"
    assert api(stack, api_key, buyer, "GET", f"/api/listings/{listing['id']}").status_code == 404

    assert api(stack, api_key, seller, "POST", f"/api/listings/{listing['id']}/submit").status_code == 200
    queue = api(stack, api_key, reviewer, "GET", "/api/review/listings", params={"limit": "100"}).json()["data"]
    assert listing["id"] in [item["id"] for item in queue]
    decided = api(
        stack,
        api_key,
        reviewer,
        "POST",
        f"/api/review/listings/{listing['id']}/decisions",
        json={"action": "approve", "reason": "A real bicycle."},
    )
    assert decided.status_code == 201, decided.text

    browsed = api(stack, api_key, buyer, "GET", "/api/listings", params={"category": "vehicles", "limit": "100"})
    assert browsed.status_code == 200
    [found] = [item for item in browsed.json()["data"] if item["id"] == listing["id"]]
    thumbnail = found["attachments"][0]["thumbnail"]
    assert thumbnail["url"].startswith(stack.credentials["media_cdn_url"]) and thumbnail["expires_at"] is None
    eventually(lambda: requests.get(thumbnail["url"], timeout=5).status_code == 200)

    assert api(stack, api_key, buyer, "PUT", f"/api/listings/{listing['id']}/save").status_code == 204
    saved = api(stack, api_key, buyer, "GET", "/api/saved-items").json()["data"]
    assert [item["listing"]["id"] for item in saved] == [listing["id"]]

    sold = api(stack, api_key, seller, "POST", f"/api/listings/{listing['id']}/mark-sold")
    assert sold.status_code == 200 and sold.json()["status"] == "sold"
    again = api(stack, api_key, seller, "POST", f"/api/listings/{listing['id']}/archive")
    assert again.status_code == 409 and again.json()["current_status"] == "sold"
    assert again.headers["Content-Type"] == "application/problem+json"
    eventually(lambda: requests.get(thumbnail["url"], timeout=5).status_code == 403)
    assert api(stack, api_key, buyer, "GET", "/api/saved-items").json()["data"] == []
    browsed = api(stack, api_key, buyer, "GET", "/api/listings", params={"category": "vehicles", "limit": "100"})
    assert listing["id"] not in [item["id"] for item in browsed.json()["data"]]
    assert api(stack, api_key, buyer, "GET", f"/api/listings/{listing['id']}").status_code == 404
