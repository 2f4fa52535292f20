"""The marketplace through its handlers, in-process, against the emulator: listings' bounds, the
lifecycle (every legal move, every illegal one refused with nothing changed, racing moves with one
winner), review, browsing (each page one query, in a stable order), a seller's listings, and who may
see and change what."""

from __future__ import annotations

import json
import uuid
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest

from eckospace import aws
from eckospace.marketplace import lifecycle, postings, store
from eckospace.marketplace.kinds import LISTING
from eckospace.media import store as media_store
from tests.integration.conftest import CallCounter, module_functions, module_handlers
from tests.support.lambda_proxy import invoke
from tests.support.media import stored_media

FUNCTIONS = module_functions("marketplace")
_handlers: dict[str, Any] = {}
SELLER_SCOPES = "marketplace:read marketplace:write"
REVIEWER_SCOPES = "marketplace:read review:read review:write"


_events_queue: list[str] = []


@pytest.fixture
def api(function_env, backend):
    handlers = module_handlers(function_env, FUNCTIONS, _handlers)
    _events_queue[:] = [backend["template"].ref("WebhookEventsQueue")]  # every listing event reaches it
    return handlers


def new_user() -> str:
    return f"u-{uuid.uuid4().hex[:10]}"


def call(function: str, method: str, path: str, user: str, *, scopes: str = SELLER_SCOPES, **request):
    authorizer = {"sub": user, "scope": scopes, "token_use": "user"}
    answer = invoke(_handlers[function], method, path, authorizer=authorizer, **request)
    return answer.status, answer.body, answer.headers


def fields(**changes: Any) -> dict[str, Any]:
    return {
        "title": "Road bike, 56 cm",
        "description": "Steel frame.\nNew tyres.",
        "price": 25000,
        "currency": "eur",
        "category": "sports",
        "condition": "good",
        "location": {"country": "DE", "city": "Berlin"},
        **changes,
    }


def create(seller: str, **changes: Any) -> dict[str, Any]:
    status, listing, headers = call(
        "marketplace_listing_create", "POST", "/api/listings", seller, body=fields(**changes)
    )
    assert status == 201, listing
    assert headers["location"] == f"/api/listings/{listing['id']}" and headers["etag"].startswith('"v1.')
    return listing


def act(listing_id: str, user: str, path: str, **request):
    function = f"marketplace_listing_{path.replace('-', '_')}"
    return call(function, "POST", f"/api/listings/{listing_id}/{path}", user, **request)


def decide(listing_id: str, reviewer: str, action: str, reason: str = "ok", **request):
    return call(
        "marketplace_review_decision_create",
        "POST",
        f"/api/review/listings/{listing_id}/decisions",
        reviewer,
        scopes=REVIEWER_SCOPES,
        body={"action": action, "reason": reason},
        **request,
    )


def get(listing_id: str, viewer: str):
    return call("marketplace_listing_get", "GET", f"/api/listings/{listing_id}", viewer)


def published(seller: str, **changes: Any) -> dict[str, Any]:
    listing = create(seller, **changes)
    assert act(listing["id"], seller, "submit")[0] == 200
    status, decision, _ = decide(listing["id"], new_user(), "approve")
    assert status == 201, decision
    return decision["listing"]


def browse(user: str, **query: str):
    return call("marketplace_listing_browse", "GET", "/api/listings", user, query=query)


# ------------------------------------------------------------------------------ creating and bounds
def test_a_new_listing_is_a_draft_its_seller_alone_sees(api):
    seller, other = new_user(), new_user()
    listing = create(seller)
    assert listing["status"] == "draft" and listing["seller"] == seller and listing["object"] == "listing"
    assert listing["price"] == 25000 and listing["currency"] == "eur" and listing["published_at"] is None
    assert get(listing["id"], seller)[0] == 200
    status, problem, _ = get(listing["id"], other)
    assert status == 404 and problem["type"] == "urn:eckospace:problem:not-found"
    assert get("lst_" + "0" * 26, seller)[0] == 404  # never existed: the same answer


@pytest.mark.parametrize(
    "changes, field",
    [
        ({"title": "x" * 121}, "title"),
        ({"title": "   "}, "title"),
        ({"title": "bell\x07"}, "title"),
        ({"description": ""}, "description"),
        ({"description": "d" * 5001}, "description"),
        ({"price": -1}, "price"),
        ({"price": 10**13}, "price"),
        ({"price": 12.5}, "price"),
        ({"currency": "xyz"}, "currency"),
        ({"category": "weapons"}, "category"),
        ({"condition": "mint"}, "condition"),
        ({"location": {"country": "de", "city": "Berlin"}}, "location"),
        ({"location": {"country": "DE"}}, "location"),
        ({"attachments": [f"med_{n:024x}" for n in range(11)]}, "attachments"),
        ({"colour": "red"}, "colour"),
    ],
)
def test_every_field_has_a_bound_and_a_clear_4xx_past_it(api, changes, field):
    seller = new_user()
    status, problem, _ = call("marketplace_listing_create", "POST", "/api/listings", seller, body=fields(**changes))
    assert status == 400, problem
    assert any(field in json.dumps(error) for error in problem["errors"]), problem
    assert call("marketplace_seller_listings", "GET", f"/api/users/{seller}/listings", seller)[1]["data"] == []


def test_a_missing_field_is_refused(api):
    body = fields()
    del body["price"]
    status, problem, _ = call("marketplace_listing_create", "POST", "/api/listings", new_user(), body=body)
    assert status == 400 and "price" in json.dumps(problem["errors"])


def test_a_retried_create_with_its_idempotency_key_makes_one_listing(api):
    seller, key = new_user(), uuid.uuid4().hex
    answers = [
        call(
            "marketplace_listing_create",
            "POST",
            "/api/listings",
            seller,
            body=fields(),
            headers={"Idempotency-Key": key},
        )
        for _ in range(2)
    ]
    assert [status for status, _, _ in answers] == [201, 201]
    assert answers[0][1]["id"] == answers[1][1]["id"]
    mine = call("marketplace_seller_listings", "GET", f"/api/users/{seller}/listings", seller)[1]["data"]
    assert [listing["id"] for listing in mine] == [answers[0][1]["id"]]


def test_the_daily_allowance_of_new_listings_is_exact(api, monkeypatch):
    from eckospace.config import forget_settings

    monkeypatch.setenv("ECKO_MARKETPLACE_DAILY_LISTINGS", "2")
    forget_settings()
    seller = new_user()
    create(seller)
    create(seller)
    status, problem, headers = call("marketplace_listing_create", "POST", "/api/listings", seller, body=fields())
    assert status == 429 and problem["daily_limit"] == 2 and int(headers["retry-after"]) > 0
    assert len(call("marketplace_seller_listings", "GET", f"/api/users/{seller}/listings", seller)[1]["data"]) == 2


# ------------------------------------------------------------------------------ attachments
def test_attachments_are_the_sellers_ready_media_and_public_only_while_published(api):
    seller, other = new_user(), new_user()
    photo, theirs = stored_media(seller, kind="image"), stored_media(other, kind="image")
    status, problem, _ = call(
        "marketplace_listing_create", "POST", "/api/listings", seller, body=fields(attachments=[photo, theirs])
    )
    assert status == 422 and theirs[:40] in problem["detail"]
    assert media_store.get_record(theirs, consistent=True).get("public_via") is None

    draft = create(seller, attachments=[photo, photo])
    [attachment] = draft["attachments"]
    assert attachment["id"] == photo and attachment["download"]["expires_at"] is not None  # presigned: a draft
    assert not media_store.get_record(photo, consistent=True).get("public_via")

    assert act(draft["id"], seller, "submit")[0] == 200
    listing = decide(draft["id"], new_user(), "approve")[1]["listing"]
    assert listing["attachments"][0]["download"]["expires_at"] is None  # the CDN's: public
    assert media_store.get_record(photo, consistent=True)["public_via"] == [f"listing:{draft['id']}"]

    assert act(draft["id"], seller, "mark-sold")[0] == 200
    assert not media_store.get_record(photo, consistent=True).get("public_via")


# ------------------------------------------------------------------------------ the lifecycle
SELLER_ACTIONS = {"submit": "submit", "mark_sold": "mark-sold", "archive": "archive", "renew": "renew"}


def in_status(status: str, seller: str) -> dict[str, Any]:
    """A listing of `seller`'s brought to `status` the way the API brings one there."""
    listing = create(seller)
    steps = {
        "draft": [],
        "pending_review": ["submit"],
        "published": ["submit", "approve"],
        "rejected": ["submit", "reject"],
        "sold": ["submit", "approve", "mark-sold"],
        "archived": ["archive"],
        "expired": ["submit", "approve", "expire"],
    }[status]
    for step in steps:
        if step in ("approve", "reject"):
            assert decide(listing["id"], new_user(), step)[0] == 201
        elif step == "expire":  # as the expiry sweeper moves it
            postings.move(store.load(listing["id"]), "expire")
        else:
            assert act(listing["id"], seller, step)[0] == 200
    found = store.load(listing["id"])
    assert found is not None and found["status"] == status
    return found


@pytest.mark.parametrize("status", lifecycle.STATUSES)
@pytest.mark.parametrize("action", ["submit", "mark_sold", "archive", "renew", "approve", "reject"])
def test_every_move_the_lifecycle_allows_works_and_every_other_is_409_changing_nothing(api, status, action):
    seller = new_user()
    before = in_status(status, seller)
    sources, to = lifecycle.TRANSITIONS[action]
    if action in ("approve", "reject"):
        answer, moved, _ = decide(before["id"], new_user(), action)
        moved = moved.get("listing", moved)
    else:
        answer, moved, _ = act(before["id"], seller, SELLER_ACTIONS[action])
    after = store.load(before["id"])
    assert after is not None
    if status in sources:
        assert answer in (200, 201), moved
        assert moved["status"] == to == after["status"] and after["version"] == before["version"] + 1
    else:
        assert answer == 409, moved
        assert moved["type"] == "urn:eckospace:problem:illegal-transition"
        assert moved["current_status"] == status and moved["allowed_actions"] == lifecycle.allowed_actions(
            status, LISTING
        )
        assert after == before


def test_of_two_racing_moves_exactly_one_lands(api):
    seller = new_user()
    for _ in range(3):
        listing = published(seller)
        listing_id = listing["id"]
        with ThreadPoolExecutor(max_workers=2) as pool:
            answers = list(pool.map(lambda path, at=listing_id: act(at, seller, path), ["mark-sold", "archive"]))
        statuses = sorted(answer[0] for answer in answers)
        assert statuses == [200, 409], answers
        winner = next(body for status, body, _ in answers if status == 200)
        final = store.load(listing["id"])
        assert final is not None and final["status"] == winner["status"] and final["version"] == listing["version"] + 1


def test_renewing_publishes_for_thirty_days_from_now(api):
    seller = new_user()
    listing = in_status("expired", seller)
    status, renewed, _ = act(listing["id"], seller, "renew")
    assert status == 200 and renewed["status"] == "published"
    renewed_ms = store.load(listing["id"])["expires_ms"]
    assert renewed_ms - store.now_ms() > lifecycle.LIFETIME_MS - 60_000
    assert renewed["published_at"] is not None


# ------------------------------------------------------------------------------ editing
def test_a_material_edit_sends_a_published_listing_back_to_review_and_a_price_change_does_not(api):
    seller = new_user()
    listing = published(seller)
    path = f"/api/listings/{listing['id']}"
    status, cheaper, headers = call("marketplace_listing_update", "PATCH", path, seller, body={"price": 19900})
    assert status == 200 and cheaper["status"] == "published" and cheaper["price"] == 19900
    status, retitled, _ = call(
        "marketplace_listing_update",
        "PATCH",
        path,
        seller,
        body={"title": "Road bike, 58 cm"},
        headers={"If-Match": headers["etag"]},
    )
    assert status == 200 and retitled["status"] == "pending_review" and retitled["version"] == cheaper["version"] + 1
    assert get(listing["id"], new_user())[0] == 404  # out of public view until reviewed again
    queued = call(
        "marketplace_review_queue",
        "GET",
        "/api/review/listings",
        new_user(),
        scopes=REVIEWER_SCOPES,
        query={"limit": "100"},
    )
    assert status == 200 and listing["id"] in [item["id"] for item in queued[1]["data"]]


def test_a_stale_if_match_is_412_and_changes_nothing(api):
    seller = new_user()
    listing = create(seller)
    path = f"/api/listings/{listing['id']}"
    _, _, headers = get(listing["id"], seller)
    assert call("marketplace_listing_update", "PATCH", path, seller, body={"price": 1})[0] == 200
    status, problem, _ = call(
        "marketplace_listing_update", "PATCH", path, seller, body={"price": 2}, headers={"If-Match": headers["etag"]}
    )
    assert status == 412, problem
    assert store.load(listing["id"])["price"] == 1


def test_sold_archived_and_expired_listings_cannot_be_edited(api):
    for status in ("sold", "archived", "expired"):
        seller = new_user()
        listing = in_status(status, seller)
        answer, problem, _ = call(
            "marketplace_listing_update", "PATCH", f"/api/listings/{listing['id']}", seller, body={"price": 5}
        )
        assert answer == 409 and problem["current_status"] == status
        assert store.load(listing["id"]) == listing


# ------------------------------------------------------------------------------ who may do what
def test_nobody_but_the_seller_sees_or_changes_a_listing_that_is_not_published(api):
    seller, other = new_user(), new_user()
    draft, public = create(seller), published(seller)
    for path in ("submit", "mark-sold", "archive", "renew"):
        assert act(draft["id"], other, path)[0] == 404
        assert act(public["id"], other, path)[0] == 403
    assert (
        call("marketplace_listing_update", "PATCH", f"/api/listings/{draft['id']}", other, body={"price": 1})[0] == 404
    )
    assert (
        call("marketplace_listing_update", "PATCH", f"/api/listings/{public['id']}", other, body={"price": 1})[0] == 403
    )
    assert store.load(draft["id"])["version"] == 1 and store.load(public["id"])["status"] == "published"
    assert get(public["id"], other)[0] == 200


def test_review_needs_the_review_scopes_and_nobody_reviews_their_own_listing(api):
    seller = new_user()
    listing = create(seller)
    act(listing["id"], seller, "submit")
    status, problem, _ = call(
        "marketplace_review_decision_create",
        "POST",
        f"/api/review/listings/{listing['id']}/decisions",
        new_user(),
        body={"action": "approve", "reason": "ok"},
    )
    assert status == 403 and "review:write" in problem["required_scopes"]
    assert call("marketplace_review_queue", "GET", "/api/review/listings", new_user())[0] == 403
    status, problem, _ = decide(listing["id"], seller, "approve")
    assert status == 403
    assert store.load(listing["id"])["status"] == "pending_review"


def test_a_decision_on_a_version_the_reviewer_did_not_see_is_412(api):
    seller = new_user()
    listing = create(seller)
    _, submitted, headers = act(listing["id"], seller, "submit")
    call("marketplace_listing_update", "PATCH", f"/api/listings/{listing['id']}", seller, body={"title": "Another"})
    status, _, _ = decide(listing["id"], new_user(), "approve", headers={"If-Match": headers["etag"]})
    assert status == 412 and store.load(listing["id"])["status"] == "pending_review"


def test_a_rejection_tells_the_seller_why_and_they_may_submit_again(api):
    seller = new_user()
    listing = create(seller)
    act(listing["id"], seller, "submit")
    status, decision, _ = decide(listing["id"], new_user(), "reject", reason="The photos show another bike.")
    assert status == 201 and decision["listing"]["status"] == "rejected"
    assert get(listing["id"], seller)[1]["rejection"]["reason"] == "The photos show another bike."
    status, resubmitted, _ = act(listing["id"], seller, "submit")
    assert status == 200 and resubmitted["status"] == "pending_review" and resubmitted["rejection"] is None


def test_review_decisions_and_sales_are_announced_once_per_version(api):
    seller = new_user()
    listing = published(seller)
    act(listing["id"], seller, "mark-sold")
    sqs, found = aws.client("sqs"), {}
    for _ in range(20):
        for message in sqs.receive_message(QueueUrl=_events_queue[0], MaxNumberOfMessages=10, WaitTimeSeconds=1).get(
            "Messages", []
        ):
            sqs.delete_message(QueueUrl=_events_queue[0], ReceiptHandle=message["ReceiptHandle"])
            envelope = json.loads(message["Body"])
            if envelope["data"].get("listing_id") == listing["id"]:
                found.setdefault(envelope["type"], []).append(envelope)
        if set(found) == {"listing.published", "listing.sold"}:
            break
    assert set(found) == {"listing.published", "listing.sold"}, found
    sold = found["listing.sold"][0]
    assert sold["data"] == {"listing_id": listing["id"], "seller": seller, "title": listing["title"]}


# ------------------------------------------------------------------------------ browsing
def test_a_category_newest_first_is_one_query_per_page_and_stable_while_listings_arrive(api):
    seller, reader = new_user(), new_user()
    mine = [published(seller, category="music", title=f"Guitar {n}")["id"] for n in range(5)]
    counter = CallCounter()
    counter.attach(aws.client("dynamodb"))
    status, page, _ = browse(reader, category="music", limit="2")
    assert status == 200 and counter.calls == ["Query"]
    seen = [item["id"] for item in page["data"]]
    published(seller, category="music", title="Newer guitar")  # lands before the pages already read
    while page["next_cursor"]:
        status, page, _ = browse(reader, category="music", limit="2", cursor=page["next_cursor"])
        assert status == 200
        seen += [item["id"] for item in page["data"]]
    ours = [listing_id for listing_id in seen if listing_id in mine]
    assert ours == list(reversed(mine))  # newest first, each once
    assert len(seen) == len(set(seen))


def test_by_price_within_a_range_both_ways(api):
    seller, reader = new_user(), new_user()
    prices = [500, 100, 900, 300, 700]
    ids = {published(seller, category="books", currency="sek", price=price)["id"]: price for price in prices}
    for sort, expected in (("price_asc", [300, 500, 700]), ("price_desc", [700, 500, 300])):
        found, cursor = [], None
        while True:
            query = {
                "category": "books",
                "sort": sort,
                "currency": "sek",
                "min_price": "300",
                "max_price": "700",
                "limit": "2",
            }
            status, page, _ = browse(reader, **query, **({"cursor": cursor} if cursor else {}))
            assert status == 200, page
            found += [item for item in page["data"] if item["id"] in ids]
            if not (cursor := page["next_cursor"]):
                break
        assert [item["price"] for item in found] == expected
        prices_seen = [item["price"] for item in found]
        assert prices_seen == sorted(prices_seen, reverse=sort == "price_desc")


def test_other_combinations_filter_the_same_query_and_an_empty_range_holds_nothing(api):
    seller, reader = new_user(), new_user()
    ids = {
        published(seller, category="garden", currency=currency, price=price)["id"]: (currency, price)
        for currency, price in (("usd", 300), ("eur", 100), ("usd", 100), ("eur", 900))
    }

    def listed(**query: str) -> list[tuple[str, int]]:
        found, cursor = [], None
        while True:
            status, page, _ = browse(
                reader, category="garden", limit="2", **query, **({"cursor": cursor} if cursor else {})
            )
            assert status == 200, page
            found += [ids[item["id"]] for item in page["data"] if item["id"] in ids]
            if not (cursor := page["next_cursor"]):
                return found

    assert listed(sort="price_asc") == [("eur", 100), ("eur", 900), ("usd", 100), ("usd", 300)]
    assert listed(sort="price_desc", max_price="300") == [("usd", 300), ("usd", 100), ("eur", 100)]
    assert listed(currency="usd") == [("usd", 100), ("usd", 300)]  # newest first
    assert listed(min_price="200", max_price="900") == [("eur", 900), ("usd", 300)]
    assert listed(sort="price_asc", currency="eur", min_price="9", max_price="1") == []


@pytest.mark.parametrize(
    "query, name",
    [
        ({"category": "nope"}, "category"),
        ({}, "category"),
        ({"category": "books", "sort": "cheapest"}, "sort"),
        ({"category": "books", "min_price": "-1"}, "min_price"),
        ({"category": "books", "cursor": "bm90IG91cnM"}, "cursor"),
    ],
)
def test_a_browse_the_api_does_not_offer_is_a_clear_400(api, query, name):
    status, problem, _ = browse(new_user(), **query)
    assert status == 400, problem
    assert name in json.dumps(problem["errors"]), problem


def test_a_cursor_is_bound_to_its_query(api):
    seller, reader = new_user(), new_user()
    for _ in range(3):
        published(seller, category="toys")
    cursor = browse(reader, category="toys", limit="1")[1]["next_cursor"]
    status, problem, _ = browse(reader, category="tools", limit="1", cursor=cursor)
    assert status == 400 and "cursor" in json.dumps(problem)


def test_a_seller_sees_all_their_listings_and_others_only_the_published_ones(api):
    seller = new_user()
    draft, public = create(seller), published(seller)
    path = f"/api/users/{seller}/listings"
    own = [item["id"] for item in call("marketplace_seller_listings", "GET", path, seller)[1]["data"]]
    theirs = [item["id"] for item in call("marketplace_seller_listings", "GET", path, new_user())[1]["data"]]
    assert own == [public["id"], draft["id"]] and theirs == [public["id"]]


# ------------------------------------------------------------------------------ saved items
def saved(user: str) -> list[dict[str, Any]]:
    status, page, _ = call("marketplace_saved_items_list", "GET", "/api/saved-items", user, query={"limit": "100"})
    assert status == 200, page
    return page["data"]


def save(listing_id: str, user: str, method: str = "PUT") -> int:
    function = "marketplace_saved_item_put" if method == "PUT" else "marketplace_saved_item_delete"
    return call(function, method, f"/api/listings/{listing_id}/save", user)[0]


def test_saving_is_idempotent_counted_once_and_private(api):
    seller, reader, other = new_user(), new_user(), new_user()
    listing = published(seller)
    counter = CallCounter()
    counter.attach(aws.client("dynamodb"))
    assert save(listing["id"], reader) == 204
    assert counter.calls == ["TransactWriteItems"]
    assert save(listing["id"], reader) == 204
    assert get(listing["id"], other)[1]["save_count"] == 1
    [item] = saved(reader)
    assert item["object"] == "saved_item" and item["listing"]["id"] == listing["id"]
    assert saved(other) == []
    assert save(listing["id"], reader, "DELETE") == 204
    assert save(listing["id"], reader, "DELETE") == 204
    assert get(listing["id"], other)[1]["save_count"] == 0 and saved(reader) == []


def test_only_a_published_listing_can_be_saved(api):
    seller, reader = new_user(), new_user()
    draft = create(seller)
    assert save(draft["id"], reader) == 404
    assert save(draft["id"], seller) == 409  # its seller sees it, but saving is for what is on offer
    assert save("lst_" + "0" * 26, reader) == 404
    assert store.load(draft["id"]).get("save_count", 0) == 0


def test_concurrent_saves_with_retries_count_each_saver_once(api):
    listing = published(new_user())
    savers = [new_user() for _ in range(12)]
    with ThreadPoolExecutor(max_workers=8) as pool:
        answers = list(pool.map(lambda user: save(listing["id"], user), savers + savers))
    assert set(answers) == {204}
    assert store.load(listing["id"])["save_count"] == len(savers)


def test_sold_and_withdrawn_listings_drop_out_of_saved_items(api):
    seller, reader = new_user(), new_user()
    kept, sold, withdrawn = published(seller), published(seller), published(seller)
    for listing in (kept, sold, withdrawn):
        assert save(listing["id"], reader) == 204
    act(sold["id"], seller, "mark-sold")
    call("marketplace_listing_update", "PATCH", f"/api/listings/{withdrawn['id']}", seller, body={"title": "Other"})
    assert [item["listing"]["id"] for item in saved(reader)] == [kept["id"]]


# ------------------------------------------------------------------------------ expiry
def published_at(seller: str, at_ms: int) -> dict[str, Any]:
    """A listing published (and so expiring 30 days later) as if at `at_ms`."""
    with pytest.MonkeyPatch.context() as clock:
        clock.setattr(store, "now_ms", lambda: at_ms)
        return published(seller)


def reminders(listing_id: str, backend) -> list[dict[str, Any]]:
    """The `listing.expiring` events for the listing that reached the notifications queue (which is
    drained: other tests' events are of no use to anyone after them)."""
    queue, sqs, found = backend["template"].ref("NotificationEventsQueue"), aws.client("sqs"), []
    while messages := sqs.receive_message(QueueUrl=queue, MaxNumberOfMessages=10, WaitTimeSeconds=1).get("Messages"):
        for message in messages:
            sqs.delete_message(QueueUrl=queue, ReceiptHandle=message["ReceiptHandle"])
            envelope = json.loads(message["Body"])
            if envelope["type"] == "listing.expiring" and envelope["data"]["listing_id"] == listing_id:
                found.append(envelope)
    return found


def test_a_listing_expires_thirty_days_after_publishing_and_its_seller_is_told_three_days_before(api, backend):
    from eckospace.marketplace import expiry

    day = 24 * 3600 * 1000
    seller, reader = new_user(), new_user()
    now = store.now_ms()
    due = published_at(seller, now - 31 * day)
    soon = published_at(seller, now - 28 * day)
    # past its time, it is out of every listing before the sweeper moves it
    assert get(due["id"], reader)[0] == 200
    assert due["id"] not in [item["id"] for item in browse(reader, category="sports", limit="100")[1]["data"]]

    expiry.sweep(now)
    assert store.load(due["id"])["status"] == "expired"
    assert store.load(soon["id"])["status"] == "published"
    assert store.load(soon["id"])["reminded_for"] == store.load(soon["id"])["expires_ms"]
    [reminder] = reminders(soon["id"], backend)
    assert reminder["type"] == "listing.expiring" and reminder["data"]["seller"] == seller

    expiry.sweep(now)  # a second run reminds nobody again and expires nothing twice
    assert reminders(soon["id"], backend) == []
    assert store.load(due["id"])["version"] == due["version"] + 1

    status, renewed, _ = act(soon["id"], seller, "renew")
    assert status == 200 and store.load(soon["id"])["expires_ms"] > now + 29 * day


# ------------------------------------------------------------------------------ reports and moderation
MODERATOR_SCOPES = "moderation:read moderation:write"


def report(listing_id: str, reporter: str, reason: str = "spam"):
    return call(
        "marketplace_listing_report_create",
        "POST",
        f"/api/listings/{listing_id}/reports",
        reporter,
        body={"reason": reason},
    )


def moderate(listing_id: str, action: str, reason: str = "Counterfeit goods."):
    return call(
        "marketplace_moderation_decision_create",
        "POST",
        f"/api/moderation/listings/{listing_id}/decisions",
        new_user(),
        scopes=MODERATOR_SCOPES,
        body={"action": action, "reason": reason},
    )


def test_anyone_but_the_seller_reports_a_published_listing_once_with_a_snapshot(api):
    seller, reporter = new_user(), new_user()
    listing, draft = published(seller), create(seller)
    status, filed, _ = report(listing["id"], reporter)
    assert status == 201, filed
    assert filed["subject"] == {"type": "listing", "id": listing["id"]} and filed["post_id"] is None
    assert filed["snapshot"]["title"] == listing["title"] and filed["snapshot"]["version"] == listing["version"]
    assert report(listing["id"], reporter)[0] == 409  # one open report per person and listing
    assert report(listing["id"], seller)[0] == 409
    assert report(draft["id"], seller)[0] == 409  # the seller's own, whatever its status
    assert report(draft["id"], reporter)[0] == 404  # not on offer: nothing anyone else can see
    assert report("lst_" + "0" * 26, reporter)[0] == 404


def test_a_take_down_sends_the_listing_back_to_its_seller_and_resolves_its_reports(api):
    seller, reporters = new_user(), [new_user(), new_user()]
    listing = published(seller)
    for reporter in reporters:
        assert report(listing["id"], reporter)[0] == 201
    status, decision, _ = moderate(listing["id"], "take_down")
    assert status == 201 and decision["report_count"] == 2 and decision["subject"]["type"] == "listing"
    taken_down = get(listing["id"], seller)[1]
    assert taken_down["status"] == "rejected" and taken_down["rejection"]["reason"] == "Counterfeit goods."
    assert get(listing["id"], new_user())[0] == 404
    assert report(listing["id"], reporters[0])[0] == 404  # no longer on offer
    status, problem, _ = moderate(listing["id"], "take_down")  # only a published listing can be taken down
    assert status == 409 and problem["current_status"] == "rejected"
    assert act(listing["id"], seller, "submit")[1]["status"] == "pending_review"  # fixed, and back to review


def test_dismissing_reports_leaves_the_listing_and_lets_its_reporters_report_again(api):
    seller, reporter = new_user(), new_user()
    listing = published(seller)
    report(listing["id"], reporter)
    status, decision, _ = moderate(listing["id"], "dismiss", "Nothing wrong with it.")
    assert status == 201 and decision["report_count"] == 1
    assert store.load(listing["id"])["status"] == "published"
    assert report(listing["id"], reporter)[0] == 201


def test_moderating_a_listing_needs_the_moderation_scope(api):
    listing = published(new_user())
    status, problem, _ = call(
        "marketplace_moderation_decision_create",
        "POST",
        f"/api/moderation/listings/{listing['id']}/decisions",
        new_user(),
        body={"action": "take_down", "reason": "x"},
    )
    assert status == 403 and problem["required_scopes"] == ["moderation:write"]
    assert store.load(listing["id"])["status"] == "published"
