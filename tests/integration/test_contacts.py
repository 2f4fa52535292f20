"""Contacts through their handlers, in-process, against the emulator: a question to a seller or an
employer reaches them without either seeing the other's email or phone (relayed, with a notification,
where chat is off; as a direct chat conversation where it is on, blocks included), the asker's limits
hold exactly under concurrent attempts and give back what a failed message took, and nobody but the
two people sees a contact."""

from __future__ import annotations

import json
import uuid
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest

from eckospace import aws
from eckospace.chat import blocks
from eckospace.chat import store as chat_store
from eckospace.chat.views import message_view
from eckospace.config import forget_settings
from eckospace.notifications.consumer import notification_for
from tests.integration.conftest import module_functions, module_handlers
from tests.support.lambda_proxy import invoke

FUNCTIONS = module_functions("marketplace", "jobs", "contacts")
_handlers: dict[str, Any] = {}
SCOPES = "marketplace:read marketplace:write"
REVIEWER_SCOPES = "marketplace:read review:read review:write"
_queues: dict[str, str] = {}


@pytest.fixture
def api(function_env, backend):
    handlers = module_handlers(function_env, FUNCTIONS, _handlers)
    _queues["notifications"] = backend["template"].ref("NotificationEventsQueue")
    return handlers


@pytest.fixture
def relayed(api, monkeypatch):
    """A deployment without the chat module: its table is not named."""
    monkeypatch.setenv("ECKO_CHAT_TABLE", "")
    forget_settings()
    return api


def new_user() -> str:
    return f"u-{uuid.uuid4().hex[:10]}"


def call(function: str, method: str, path: str, user: str, *, scopes: str = SCOPES, **request):
    authorizer = {"sub": user, "scope": scopes, "token_use": "user"}
    answer = invoke(_handlers[function], method, path, authorizer=authorizer, **request)
    return answer.status, answer.body, answer.headers


LISTING = {
    "title": "Road bike, 56 cm",
    "description": "Steel frame.",
    "price": 25000,
    "currency": "eur",
    "category": "sports",
    "condition": "good",
    "location": {"country": "DE", "city": "Berlin"},
}
JOB = {
    "title": "Line cook",
    "company": "Kantine Noord",
    "category": "hospitality",
    "employment_type": "full_time",
    "location": {"country": "NL", "city": "Amsterdam"},
    "remote": False,
    "salary": {"min": 3_000_00, "max": 3_600_00, "currency": "eur", "period": "month"},
    "description": "Breakfast and lunch service.",
    "application": {"type": "in_app"},
}
KINDS = {"listings": ("marketplace_listing", LISTING), "jobs": ("jobs_job", JOB)}


def draft(collection: str, owner: str) -> dict[str, Any]:
    prefix, body = KINDS[collection]
    status, posting, _ = call(f"{prefix}_create", "POST", f"/api/{collection}", owner, body=body)
    assert status == 201, posting
    return posting


def published(collection: str, owner: str) -> dict[str, Any]:
    prefix, _ = KINDS[collection]
    posting = draft(collection, owner)
    assert call(f"{prefix}_submit", "POST", f"/api/{collection}/{posting['id']}/submit", owner)[0] == 200
    reviewing = "marketplace_review_decision_create" if collection == "listings" else "jobs_review_decision_create"
    status, decision, _ = call(
        reviewing,
        "POST",
        f"/api/review/{collection}/{posting['id']}/decisions",
        new_user(),
        scopes=REVIEWER_SCOPES,
        body={"action": "approve", "reason": "ok"},
    )
    assert status == 201, decision
    return posting


def ask(collection: str, posting_id: str, asker: str, text: str = "Is it still available?", **request):
    function = "contacts_listing_contact_create" if collection == "listings" else "jobs_job_contact_create"
    return call(function, "POST", f"/api/{collection}/{posting_id}/contacts", asker, body={"text": text}, **request)


def write(contact_id: str, author: str, text: str, **request):
    path = f"/api/contacts/{contact_id}/messages"
    return call("contacts_contact_message_create", "POST", path, author, body={"text": text}, **request)


def messages(contact_id: str, viewer: str, **query: str):
    path = f"/api/contacts/{contact_id}/messages"
    return call("contacts_contact_messages_list", "GET", path, viewer, query=query)


def contacts(user: str, role: str):
    return call("contacts_contacts_list", "GET", "/api/contacts", user, query={"role": role})


def _drain(wanted: Any) -> list[dict[str, Any]]:
    sqs, found = aws.client("sqs"), []
    queue = _queues["notifications"]
    while batch := sqs.receive_message(QueueUrl=queue, MaxNumberOfMessages=10, WaitTimeSeconds=1).get("Messages"):
        for message in batch:
            sqs.delete_message(QueueUrl=queue, ReceiptHandle=message["ReceiptHandle"])
            envelope = json.loads(message["Body"])
            if wanted(envelope):
                found.append(envelope)
    return found


# ------------------------------------------------------------------------------ relayed
def test_a_relayed_question_and_its_answer_reach_each_side_by_notification_and_nobody_else(relayed):
    seller, buyer, stranger = new_user(), new_user(), new_user()
    listing = published("listings", seller)
    status, contact, headers = ask("listings", listing["id"], buyer, "Is it still available?\nCan I see it Friday?")
    assert status == 201, contact
    assert headers["location"] == f"/api/contacts/{contact['id']}"
    assert contact["object"] == "contact" and contact["channel"] == "relay" and contact["conversation_id"] is None
    assert contact["posting"] == {"object": "listing", "id": listing["id"], "title": "Road bike, 56 cm"}
    assert (contact["asker"], contact["owner"], contact["message_count"]) == (buyer, seller, 1)
    assert contact["last_message"]["text"].startswith("Is it still available?")
    # nothing about either person but their user ids
    assert "email" not in json.dumps(contact) and "phone" not in json.dumps(contact)

    status, answer, _ = write(contact["id"], seller, "Yes, Friday works.")
    assert status == 201 and answer["object"] == "contact_message" and answer["author"] == seller
    # a second question joins the same contact
    status, again, _ = ask("listings", listing["id"], buyer, "Great, see you then.")
    assert status == 201 and again["id"] == contact["id"] and again["message_count"] == 3

    for person in (buyer, seller):
        status, page, _ = messages(contact["id"], person)
        assert status == 200
        assert [m["text"] for m in page["data"]] == [
            "Great, see you then.",
            "Yes, Friday works.",
            "Is it still available?\nCan I see it Friday?",
        ]
        assert call("contacts_contact_get", "GET", f"/api/contacts/{contact['id']}", person)[0] == 200
    assert [c["id"] for c in contacts(buyer, "sent")[1]["data"]] == [contact["id"]]
    assert [c["id"] for c in contacts(seller, "received")[1]["data"]] == [contact["id"]]
    assert contacts(seller, "sent")[1]["data"] == [] and contacts(buyer, "received")[1]["data"] == []

    # to anyone else the contact does not exist, whatever they try
    for status in (
        call("contacts_contact_get", "GET", f"/api/contacts/{contact['id']}", stranger)[0],
        messages(contact["id"], stranger)[0],
        write(contact["id"], stranger, "hello")[0],
        call("contacts_contact_get", "GET", "/api/contacts/ctc_" + "0" * 32, buyer)[0],
    ):
        assert status == 404

    events = _drain(lambda envelope: envelope["data"].get("contact_id") == contact["id"])
    assert [(e["type"], e["data"]["recipient"]) for e in events] == [
        ("contact.message_created", seller),
        ("contact.message_created", buyer),
        ("contact.message_created", seller),
    ]
    notice = notification_for(events[1])
    assert notice is not None and notice["user"] == buyer and notice["type"] == "contact_message"
    assert notice["subject"] == {"object": "contact", "id": contact["id"]} and notice["actor"] == seller
    assert notice["data"]["preview"] == "Yes, Friday works."


def test_only_a_published_posting_of_someone_else_takes_questions(relayed):
    owner, asker = new_user(), new_user()
    listing = published("listings", owner)
    status, problem, _ = ask("listings", listing["id"], owner)
    assert status == 409 and "your own" in problem["detail"]
    assert ask("listings", draft("listings", owner)["id"], asker)[0] == 404  # a draft is not there to others
    assert call("marketplace_listing_archive", "POST", f"/api/listings/{listing['id']}/archive", owner)[0] == 200
    assert ask("listings", listing["id"], asker)[0] == 404
    assert ask("listings", "lst_" + "0" * 26, asker)[0] == 404
    assert ask("jobs", listing["id"], asker)[0] == 404  # a listing's id is no job's
    job = published("jobs", owner)
    for text in ("", " \n ", "x" * 2001, "bell\x07"):
        assert ask("jobs", job["id"], asker, text)[0] == 400
    status, contact, _ = ask("jobs", job["id"], asker, "Are the shifts fixed?")
    assert status == 201 and contact["posting"]["object"] == "job" and contact["owner"] == owner


def test_a_retried_question_with_its_idempotency_key_is_sent_once(relayed):
    seller, buyer = new_user(), new_user()
    listing = published("listings", seller)
    key = {"Idempotency-Key": uuid.uuid4().hex}
    first = ask("listings", listing["id"], buyer, headers=key)
    again = ask("listings", listing["id"], buyer, headers=key)
    assert first[0] == again[0] == 201 and first[1] == again[1]
    assert len(messages(first[1]["id"], buyer)[1]["data"]) == 1
    assert ask("listings", listing["id"], buyer, "Another question", headers=key)[0] == 422


def test_the_per_posting_limit_is_exact_under_fifty_concurrent_questions(relayed):
    seller, buyer = new_user(), new_user()
    listing = published("listings", seller)
    with ThreadPoolExecutor(max_workers=10) as pool:
        answers = list(pool.map(lambda n: ask("listings", listing["id"], buyer, f"Question {n}"), range(50)))
    statuses = sorted(status for status, _, _ in answers)
    assert statuses == [201] * 5 + [429] * 45
    refused = next(body for status, body, _ in answers if status == 429)
    assert refused["type"] == "urn:eckospace:problem:contact-limit-reached" and refused["per_posting_limit"] == 5
    contact_id = next(body["id"] for status, body, _ in answers if status == 201)
    assert len(messages(contact_id, seller, limit="100")[1]["data"]) == 5
    # follow-ups through the contact count against the same limit; the seller's answers do not
    assert write(contact_id, buyer, "Still there?")[0] == 429
    assert all(write(contact_id, seller, f"Answer {n}")[0] == 201 for n in range(6))
    # another posting has a limit of its own
    assert ask("listings", published("listings", seller)["id"], buyer)[0] == 201


def test_the_daily_limit_is_exact_under_fifty_concurrent_questions(relayed, monkeypatch):
    monkeypatch.setenv("ECKO_MARKETPLACE_CONTACTS_PER_POSTING", "100")
    forget_settings()
    seller, buyer = new_user(), new_user()
    listing = published("listings", seller)
    with ThreadPoolExecutor(max_workers=10) as pool:
        answers = list(pool.map(lambda n: ask("listings", listing["id"], buyer, f"Question {n}"), range(50)))
    assert sorted(status for status, _, _ in answers) == [201] * 20 + [429] * 30
    status, refused, headers = next(answer for answer in answers if answer[0] == 429)
    assert refused["type"] == "urn:eckospace:problem:rate-limited" and refused["daily_limit"] == 20
    assert 0 < int(headers["retry-after"]) <= 86_400
    assert ask("jobs", published("jobs", seller)["id"], buyer)[0] == 429  # across postings and kinds


def test_a_question_that_is_not_written_gives_its_counts_back(relayed, monkeypatch):
    seller, buyer = new_user(), new_user()
    listing = published("listings", seller)
    from eckospace.marketplace import contact

    def refused(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("the table refused the write")

    with monkeypatch.context() as broken:
        broken.setattr(contact, "transact", refused)  # the message's write fails, after both counts
        assert [ask("listings", listing["id"], buyer)[0] for _ in range(6)] == [500] * 6
    # none of those six counted: the whole allowance of five is still there
    assert [ask("listings", listing["id"], buyer)[0] for _ in range(6)] == [201] * 5 + [429]


# ------------------------------------------------------------------------------ through chat
def test_with_chat_on_a_question_is_a_direct_message_naming_the_posting_and_blocks_hold(api):
    seller, buyer = new_user(), new_user()
    listing = published("listings", seller)
    status, contact, _ = ask("listings", listing["id"], buyer, "Is it still available?")
    assert status == 201 and contact["channel"] == "chat" and contact["conversation_id"].startswith("dm_")
    [message] = chat_messages_in(contact["conversation_id"])
    assert message["author"] == buyer and message["text"] == "Is it still available?"
    assert message["about"] == {"object": "listing", "id": listing["id"]}
    # the contact's own message routes point to the conversation
    status, problem, _ = messages(contact["id"], seller)
    assert status == 409 and problem["conversation_id"] == contact["conversation_id"]
    assert write(contact["id"], seller, "Yes")[0] == 409

    blocks.block(seller, buyer)
    status, problem, _ = ask("listings", listing["id"], buyer, "Hello?")
    assert status == 403 and problem["type"] == "urn:eckospace:problem:blocked"
    blocks.unblock(seller, buyer)
    # the blocked attempt took nothing: four more go through, then the limit
    assert [ask("listings", listing["id"], buyer)[0] for _ in range(5)] == [201] * 4 + [429]


def chat_messages_in(conversation: str) -> list[dict[str, Any]]:
    """The conversation's messages as chat shows them."""
    found = aws.client("dynamodb").query(
        TableName=chat_store.table(),
        KeyConditionExpression="pk = :pk AND begins_with(sk, :message)",
        ExpressionAttributeValues={":pk": {"S": f"conv#{conversation}"}, ":message": {"S": "msg#"}},
    )["Items"]
    return [message_view(chat_store.from_item(item)) for item in found]


# ------------------------------------------------------------------------------ reports
def test_a_relayed_message_is_reported_with_a_snapshot_and_a_moderator_removes_it(relayed):
    seller, buyer, stranger = new_user(), new_user(), new_user()
    listing = published("listings", seller)
    contact = ask("listings", listing["id"], buyer, "Send me your bank details first")[1]
    [message] = messages(contact["id"], seller)[1]["data"]
    path = f"/api/contacts/{contact['id']}/messages/{message['id']}/reports"

    def report(user: str):
        return call("contacts_message_report_create", "POST", path, user, body={"reason": "spam"})

    assert report(buyer)[0] == 409  # your own message
    assert report(stranger)[0] == 404  # not your contact
    missing = f"/api/contacts/{contact['id']}/messages/cmg_{'0' * 26}/reports"
    assert call("contacts_message_report_create", "POST", missing, seller, body={"reason": "spam"})[0] == 404
    status, filed, _ = report(seller)
    assert status == 201, filed
    assert filed["subject"] == {"type": "contact_message", "id": message["id"], "contact_id": contact["id"]}
    assert filed["snapshot"]["text"] == "Send me your bank details first" and filed["snapshot"]["sender"] == buyer
    assert report(seller)[0] == 409  # one open report per person and message

    decision_path = f"/api/moderation/contacts/{contact['id']}/messages/{message['id']}/decisions"
    decision = {"action": "remove", "reason": "spam"}
    assert call("contacts_moderation_decision_create", "POST", decision_path, seller, body=decision)[0] == 403
    moderator = "moderation:read moderation:write"
    status, made, _ = call(
        "contacts_moderation_decision_create", "POST", decision_path, new_user(), scopes=moderator, body=decision
    )
    assert status == 201 and made["report_count"] == 1
    for person in (buyer, seller):
        [shown] = messages(contact["id"], person)[1]["data"]
        assert shown["removed"] is True and shown["text"] is None
    after = call("contacts_contact_get", "GET", f"/api/contacts/{contact['id']}", buyer)[1]
    assert after["last_message"]["text"] is None
    assert report(seller)[0] == 404  # a removed message is gone for reports too
    resolved = _drain(lambda envelope: envelope["type"] == "report.resolved" and envelope["data"]["reporter"] == seller)
    notice = notification_for(resolved[0])
    assert notice is not None and notice["data"] == {
        "contact_id": contact["id"],
        "message_id": message["id"],
        "action": "remove",
    }


def test_with_chat_on_a_retry_of_a_question_that_failed_after_sending_sends_and_counts_nothing_again(api, monkeypatch):
    seller, buyer = new_user(), new_user()
    listing = published("listings", seller)
    key = {"Idempotency-Key": uuid.uuid4().hex}
    from eckospace.marketplace import asking

    def lost(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("the contact's record was not written")

    with monkeypatch.context() as broken:
        broken.setattr(asking.contact, "record", lost)  # after the chat message is sent
        assert ask("listings", listing["id"], buyer, headers=key)[0] == 500
    status, contact, _ = ask("listings", listing["id"], buyer, headers=key)
    assert status == 201 and contact["message_count"] == 1
    assert len(chat_messages_in(contact["conversation_id"])) == 1
    # one question counted: four more, then the limit
    assert [ask("listings", listing["id"], buyer)[0] for _ in range(5)] == [201] * 4 + [429]
