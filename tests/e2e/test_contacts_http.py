"""Contacts over HTTP through the local stack (chat on): a buyer asks a seller about a listing, the
question arrives in the seller's direct conversation naming the listing, the seller answers there,
and the contact is the two people's alone."""

from __future__ import annotations

import uuid

from tests.e2e.test_media_presigned_http import api
from tests.support.tokens import mint


def test_a_question_reaches_the_seller_in_chat_and_the_answer_comes_back(stack, api_key, keyring):
    scopes = ["marketplace:read", "marketplace:write", "chat:read", "chat:write"]
    seller, buyer, stranger = (mint(keyring, scopes, subject=f"{who}-{uuid.uuid4().hex[:8]}") for who in "sbx")
    reviewer = mint(keyring, ["review:read", "review:write"], subject=f"r-{uuid.uuid4().hex[:8]}")
    fields = {
        "title": "Espresso machine",
        "description": "Barely used.",
        "price": 18000,
        "currency": "eur",
        "category": "home",
        "condition": "like_new",
        "location": {"country": "NL", "city": "Utrecht"},
    }
    listing = api(stack, api_key, seller, "POST", "/api/listings", json=fields).json()
    assert api(stack, api_key, seller, "POST", f"/api/listings/{listing['id']}/submit").status_code == 200
    approved = api(
        stack,
        api_key,
        reviewer,
        "POST",
        f"/api/review/listings/{listing['id']}/decisions",
        json={"action": "approve", "reason": "ok"},
    )
    assert approved.status_code == 201, approved.text

    path = f"/api/listings/{listing['id']}/contacts"
    asked = api(stack, api_key, buyer, "POST", path, json={"text": "Does it come with the milk jug?"})
    assert asked.status_code == 201, asked.text
    contact = asked.json()
    assert contact["channel"] == "chat" and asked.headers["Location"] == f"/api/contacts/{contact['id']}"
    conversation = contact["conversation_id"]

    history = api(stack, api_key, seller, "GET", f"/api/conversations/{conversation}/messages").json()["data"]
    assert [(m["text"], m["about"]) for m in history] == [
        ("Does it come with the milk jug?", {"object": "listing", "id": listing["id"]})
    ]
    answer = {"text": "It does.", "client_message_id": uuid.uuid4().hex}
    sent = api(stack, api_key, seller, "POST", f"/api/conversations/{conversation}/messages", json=answer)
    assert sent.status_code == 201, sent.text
    history = api(stack, api_key, buyer, "GET", f"/api/conversations/{conversation}/messages").json()["data"]
    assert [m["text"] for m in history] == ["It does.", "Does it come with the milk jug?"]

    received = api(stack, api_key, seller, "GET", "/api/contacts", params={"role": "received"}).json()["data"]
    assert [c["id"] for c in received] == [contact["id"]]
    assert api(stack, api_key, stranger, "GET", f"/api/contacts/{contact['id']}").status_code == 404
    refused = api(stack, api_key, seller, "POST", path, json={"text": "Asking myself"})
    assert refused.status_code == 409 and refused.headers["Content-Type"] == "application/problem+json"
