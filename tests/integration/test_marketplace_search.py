"""Listing search through its handlers, in-process, against the emulator: a seeded catalogue of
2,000 published listings (and some that are not) indexed by the indexer; every filter the search
offers, alone and in pairs, with each order, paged through to the end, gives the same listings in
the same order as a brute-force filter of the same data; keywords find their stems; pages stay
stable while listings are published; a withdrawn listing disappears; the stream feeds the indexer
through the FIFO queue."""

from __future__ import annotations

import json
import random
import re
import time
from typing import Any

import pytest

from eckospace import aws
from eckospace.marketplace import lifecycle, listings, postings, store
from eckospace.marketplace.catalogue import CATEGORIES, CONDITIONS
from eckospace.marketplace.search import feed, index, settings
from tests.integration.conftest import CallCounter, load_function
from tests.support.lambda_proxy import Context, invoke
from tests.support.streams import TableStream

SEEDED = 2000
SCOPES = "marketplace:read"
CURRENCIES = ("eur", "usd", "gbp", "jpy", "sek")
PLACES = {"DE": ("Berlin", "Hamburg", "München"), "FR": ("Paris", "Lyon"), "GB": ("London", "Leeds"), "US": ("Austin",)}
PRICES = (0, 500, 1999, 2500, 10000, 25000, 99999, 150000)
# Each thing comes as one word or its plural, in titles and descriptions alike.
THINGS = ("bicycle", "chair", "lamp", "guitar", "jacket", "drill", "table", "camera", "kettle", "sofa")
ADJECTIVES = ("red", "vintage", "compact", "sturdy", "classic", "tiny", "electric", "wooden")
FILLER = ("barely", "used", "collect", "only", "works", "well", "smoke", "free", "home", "original", "box")
_handlers: dict[str, Any] = {}


def _sentence(rng: random.Random) -> str:
    words = rng.sample(FILLER, 5)
    if rng.random() < 0.4:
        words.insert(2, rng.choice(THINGS) + rng.choice(("", "s")))
    return " ".join(words).capitalize() + "."


def _listing(rng: random.Random, n: int, published_ms: int, status: str) -> dict[str, Any]:
    country = rng.choice(sorted(PLACES))
    thing = rng.choice(THINGS) + rng.choice(("", "s"))
    listing_id = store.new_id("lst", published_ms - rng.randrange(10**6))
    return {
        "id": listing_id,
        "seller": f"u-seed{n % 97}",
        "title": f"{rng.choice(ADJECTIVES).capitalize()} {thing} {n}",
        "description": f"{_sentence(rng)}\n{_sentence(rng)}",
        "price": rng.choice(PRICES),
        "currency": rng.choice(CURRENCIES),
        "category": rng.choice(CATEGORIES[:6]),
        "condition": rng.choice(CONDITIONS),
        "location": {"country": country, "city": rng.choice(PLACES[country])},
        "attachments": [],
        "status": status,
        "version": 1,
        "created_ms": published_ms - 60_000,
        "updated_ms": published_ms,
        "published_ms": published_ms,
        "expires_ms": published_ms + lifecycle.LIFETIME_MS,
    }


def _write(batch: list[dict[str, Any]]) -> None:
    client = aws.client("dynamodb")
    for start in range(0, len(batch), 25):
        requests = [{"PutRequest": {"Item": store.item(listing)}} for listing in batch[start : start + 25]]
        while requests:
            answer = client.batch_write_item(RequestItems={store.table(): requests})
            requests = answer.get("UnprocessedItems", {}).get(store.table(), [])


def _fifo_event(listing_ids: list[str]) -> dict[str, Any]:
    """An SQS FIFO batch naming these listings, as Lambda hands the indexer one."""
    return {
        "Records": [
            {
                "messageId": f"m{i}",
                "receiptHandle": "r",
                "body": json.dumps({"listing_id": listing_id}),
                "attributes": {"MessageGroupId": feed.GROUP, "MessageDeduplicationId": f"d{i}"},
                "messageAttributes": {},
                "eventSource": "aws:sqs",
                "eventSourceARN": "arn:aws:sqs:us-east-1:123456789012:search.fifo",
                "awsRegion": "us-east-1",
            }
            for i, listing_id in enumerate(listing_ids)
        ]
    }


def run_indexer(listing_ids: list[str], *, batch: int = 10) -> None:
    for start in range(0, len(listing_ids), batch):
        result = _handlers["indexer"](_fifo_event(listing_ids[start : start + batch]), Context())
        assert result == {"batchItemFailures": []}


class Catalogue:
    """What the index should find: the published listings this module wrote, by id."""

    def __init__(self) -> None:
        self.published: dict[str, dict[str, Any]] = {}
        self.rng = random.Random(20261203)
        self.base_ms = store.now_ms()
        self.made = 0

    def new(self, count: int, *, status: str = lifecycle.PUBLISHED, newest: bool = False) -> list[dict[str, Any]]:
        """`count` new listings written to the table (not yet indexed); `newest`: published after all
        others, otherwise three at each instant, so that ties fall to the id."""
        now = store.now_ms()
        made = [
            _listing(self.rng, n, now + 1000 + i if newest else self.base_ms - (n // 3) * 1000, status)
            for i, n in enumerate(range(self.made, self.made + count))
        ]
        self.made += count
        _write(made)
        self.published |= {listing["id"]: listing for listing in made if listing["status"] == lifecycle.PUBLISHED}
        return made


def _clear_index() -> None:
    s3 = aws.client("s3")
    versions = s3.list_object_versions(Bucket=settings.BUCKET(), Prefix=index.KEY)
    for version in versions.get("Versions", []) + versions.get("DeleteMarkers", []):
        s3.delete_object(Bucket=settings.BUCKET(), Key=version["Key"], VersionId=version["VersionId"])
    index._open.clear()
    index._checked = None


@pytest.fixture(scope="module")
def catalogue(backend) -> Catalogue:
    functions = backend["template"].functions()
    with pytest.MonkeyPatch.context() as patch:
        for logical_id in ("MarketplaceSearchIndexerFunction", "MarketplaceListingSearchFunction"):
            for key, value in functions[logical_id].environment.items():
                patch.setenv(key, value)
        aws.reset_clients()
        from eckospace.config import forget_settings

        forget_settings()
        _clear_index()
        _handlers["indexer"] = load_function("marketplace_search_indexer").lambda_handler
        _handlers["search"] = load_function("marketplace_listing_search").lambda_handler
        _handlers["feed"] = load_function("marketplace_search_feed").lambda_handler
        made = Catalogue()
        seeded = made.new(SEEDED)
        hidden = [made.new(1, status=status)[0] for status in (lifecycle.DRAFT, lifecycle.ARCHIVED) * 10]
        ids = [listing["id"] for listing in seeded + hidden]
        started = time.perf_counter()
        run_indexer(ids, batch=len(ids))  # one batch, one commit
        print(f"\nindexed {len(ids)} listings in {time.perf_counter() - started:.2f} s")
        return made


@pytest.fixture
def api(function_env, catalogue, monkeypatch):
    function_env("MarketplaceListingSearchFunction")
    monkeypatch.setattr(index, "RECHECK_SECONDS", 0)  # each test sees what it indexed at once
    return catalogue


def search(**query: str) -> tuple[int, Any]:
    authorizer = {"sub": "u-reader", "scope": SCOPES, "token_use": "user"}
    answer = invoke(_handlers["search"], "GET", "/api/listings/search", authorizer=authorizer, query=query)
    return answer.status, answer.body


def everything(**query: str) -> list[dict[str, Any]]:
    """Every page of a search, followed to the end."""
    found, cursor = [], None
    while True:
        status, page = search(**query, **({"cursor": cursor} if cursor else {}))
        assert status == 200, page
        found += page["data"]
        cursor = page["next_cursor"]
        if not cursor:
            return found


# ------------------------------------------------------------------------------ brute force
def _matches(listing: dict[str, Any], query: dict[str, str]) -> bool:
    low, high = int(query.get("min_price", 0)), int(query.get("max_price", 10**12))
    return (
        all(listing[name] == query[name] for name in ("category", "condition", "currency") if name in query)
        and query.get("country", listing["location"]["country"]) == listing["location"]["country"]
        and query.get("city", listing["location"]["city"]).casefold() == listing["location"]["city"].casefold()
        and low <= listing["price"] <= high
    )


def brute_force(catalogue: Catalogue, query: dict[str, str]) -> list[str]:
    found = [listing for listing in catalogue.published.values() if _matches(listing, query)]
    sort = query.get("sort", "newest")
    if sort == "newest":
        found.sort(key=lambda listing: (listing["published_ms"], listing["id"]), reverse=True)
    else:
        found.sort(
            key=lambda listing: (listing["currency"], listing["price"], listing["id"]), reverse=sort == "price_desc"
        )
    return [listing["id"] for listing in found]


FILTERS: list[dict[str, str]] = [
    {},
    {"category": "phones"},
    {"condition": "like_new"},
    {"country": "FR"},
    {"city": "münchen"},
    {"currency": "jpy"},
    {"min_price": "25000"},
    {"max_price": "1999"},
    {"min_price": "500", "max_price": "10000"},
    {"category": "home", "currency": "eur"},
    {"category": "computers", "condition": "good"},
    {"category": "furniture", "max_price": "2500"},
    {"country": "DE", "city": "Hamburg"},
    {"country": "US", "condition": "new"},
    {"city": "London", "min_price": "10000"},
    {"currency": "usd", "min_price": "1999", "max_price": "99999"},
    {"condition": "fair", "currency": "sek"},
    {"category": "electronics", "country": "GB"},
    {"country": "FR", "city": "Berlin"},  # a city of another country: nothing
]


@pytest.mark.parametrize("sort", ["newest", "price_asc", "price_desc"])
@pytest.mark.parametrize("filters", FILTERS, ids=lambda filters: "&".join(f"{k}={v}" for k, v in filters.items()))
def test_every_filter_and_order_gives_what_a_brute_force_filter_of_the_data_gives(api, filters, sort):
    query = filters | {"sort": sort, "limit": "100"}
    expected = brute_force(api, query)
    assert [listing["id"] for listing in everything(**query)] == expected
    assert expected or filters.get("city") == "Berlin"


def test_without_keywords_relevance_and_the_default_order_are_newest_first(api):
    newest = brute_force(api, {"category": "garden"})
    assert [item["id"] for item in everything(category="garden", limit="100")] == newest
    assert [item["id"] for item in everything(category="garden", sort="relevance", limit="100")] == newest


def test_pages_of_any_size_join_up_to_the_same_order(api):
    query = {"currency": "eur", "sort": "price_desc"}
    expected = brute_force(api, query)
    assert [item["id"] for item in everything(**query, limit="7")] == expected


def test_results_are_listing_views_of_published_listings_only(api):
    found = everything(country="GB", condition="good", limit="100")
    assert found and all(item["status"] == "published" and item["object"] == "listing" for item in found)
    first = api.published[found[0]["id"]]
    assert found[0] == listings.view(first)


# ------------------------------------------------------------------------------ keywords
def _words(listing: dict[str, Any]) -> set[str]:
    return set(re.findall(r"\w+", f"{listing['title']} {listing['description']}".casefold()))


@pytest.mark.parametrize("q, forms", [("bicycle", {"bicycle", "bicycles"}), ("Chairs", {"chair", "chairs"})])
def test_keywords_find_singular_and_plural_and_nothing_else(api, q, forms):
    found = everything(q=q, limit="100")
    assert {item["id"] for item in found} == {
        listing_id for listing_id, listing in api.published.items() if _words(listing) & forms
    }
    assert {form for item in found for form in _words(item) & forms} == forms  # both forms were found
    assert _words(found[0]) & forms and forms & set(found[0]["title"].casefold().split())  # a title match leads
    assert [item["id"] for item in everything(q=q, limit="100")] == [item["id"] for item in found]  # deterministic


@pytest.mark.parametrize("filters", FILTERS, ids=lambda filters: "&".join(f"{k}={v}" for k, v in filters.items()))
def test_every_filter_with_keywords_finds_what_a_brute_force_filter_finds_in_a_stable_order(api, filters):
    forms = {"sofa", "sofas", "drill", "drills"}
    query = filters | {"q": "sofa drills", "limit": "100"}
    found = [item["id"] for item in everything(**query)]
    expected = {listing_id for listing_id in brute_force(api, query) if _words(api.published[listing_id]) & forms}
    assert set(found) == expected and len(found) == len(expected)
    assert [item["id"] for item in everything(**query | {"limit": "9"})] == found  # pages join up, in one order


def test_any_keyword_may_match_and_filters_apply_to_keywords(api):
    forms = {"lamp", "lamps", "kettle", "kettles"}
    query = {"q": "lamps KETTLE", "category": "home", "min_price": "2500"}
    found = everything(**query, limit="100")
    expected = {
        listing_id
        for listing_id, listing in api.published.items()
        if _words(listing) & forms and _matches(listing, query)
    }
    assert expected and {item["id"] for item in found} == expected


@pytest.mark.parametrize("sort", ["newest", "price_asc"])
def test_keywords_with_another_order_follow_that_order(api, sort):
    forms = {"guitar", "guitars"}
    query = {"q": "guitar", "sort": sort}
    expected = [listing_id for listing_id in brute_force(api, query) if _words(api.published[listing_id]) & forms]
    assert [item["id"] for item in everything(**query, limit="50")] == expected


def test_keywords_ignore_case_and_an_unknown_word_finds_nothing(api):
    assert everything(q="zzyzx") == []
    assert [item["id"] for item in everything(q="VINTAGE") if "vintage" not in _words(item)] == []


# ------------------------------------------------------------------------------ stability and freshness
def test_pages_stay_stable_while_listings_are_published(api):
    query = {"sort": "newest", "limit": "20"}
    before = brute_force(api, query)
    status, first = search(**query)
    assert status == 200 and [item["id"] for item in first["data"]] == before[:20]
    arrived = api.new(5, newest=True)
    run_indexer([listing["id"] for listing in arrived])
    status, second = search(**query, cursor=first["next_cursor"])
    assert status == 200 and [item["id"] for item in second["data"]] == before[20:40]  # nothing shifted
    status, again = search(**query)
    newest_ids = sorted((listing["id"] for listing in arrived), key=lambda i: api.published[i]["published_ms"])
    assert [item["id"] for item in again["data"][:5]] == brute_force(api, query)[:5]
    assert set(newest_ids) == {item["id"] for item in again["data"][:5]}


def test_relevance_pages_stay_stable_while_listings_are_published(api):
    query = {"q": "camera", "limit": "10"}
    status, first = search(**query)
    assert status == 200
    whole = [item["id"] for item in everything(**query)]
    arrived = api.new(3, newest=True)
    run_indexer([listing["id"] for listing in arrived])
    status, second = search(**query, cursor=first["next_cursor"])
    assert [item["id"] for item in first["data"] + second["data"]] == whole[:20]


def test_a_withdrawn_listing_disappears_at_once_and_from_the_index(api):
    query = {"category": "phones", "condition": "new", "sort": "price_asc", "limit": "100"}
    gone = api.published.pop(brute_force(api, query)[0])
    postings.move(store.load(gone["id"]), "archive")
    assert gone["id"] not in [item["id"] for item in everything(**query)]  # read as it is now
    run_indexer([gone["id"]])
    assert [item["id"] for item in everything(**query)] == brute_force(api, query)
    assert index.current().searcher.search(index_query_for(gone["id"]), limit=1).hits == []


def index_query_for(listing_id: str) -> Any:
    import tantivy

    return tantivy.Query.term_query(index.SCHEMA, "id", listing_id)


def test_the_stream_feeds_the_indexer_through_the_fifo_queue(api):
    stream = TableStream(store.table())
    sold = store.load(brute_force(api, {"category": "garden"})[0])
    arrived = api.new(2, newest=True)
    api.published.pop(sold["id"])
    postings.move(sold, "mark_sold")
    api.new(1, status=lifecycle.DRAFT)  # not searchable, before or after: not sent
    records = stream.records()
    for _ in range(2):  # a retried stream batch sends nothing twice: messages are deduplicated by change
        assert _handlers["feed"]({"Records": records}, Context()) == {"batchItemFailures": []}
    sqs, queue = aws.client("sqs"), settings.QUEUE()
    messages = sqs.receive_message(QueueUrl=queue, MaxNumberOfMessages=10, AttributeNames=["All"])["Messages"]
    sent = [json.loads(message["Body"])["listing_id"] for message in messages]
    assert sorted(sent) == sorted([listing["id"] for listing in arrived] + [sold["id"]])
    assert {message["Attributes"]["MessageGroupId"] for message in messages} == {feed.GROUP}
    run_indexer(sent)
    sqs.delete_message_batch(
        QueueUrl=queue,
        Entries=[{"Id": str(i), "ReceiptHandle": message["ReceiptHandle"]} for i, message in enumerate(messages)],
    )
    assert [item["id"] for item in everything(category="garden", limit="100")] == brute_force(
        api, {"category": "garden"}
    )
    newest = search(sort="newest", limit="2")[1]["data"]
    assert {item["id"] for item in newest} == {listing["id"] for listing in arrived}


def test_a_message_naming_no_listing_fails_with_those_after_it_and_the_rest_is_indexed(api):
    first, later = api.new(2)
    event = _fifo_event([first["id"], "", later["id"]])
    event["Records"][1]["body"] = json.dumps({"other": 1})
    result = _handlers["indexer"](event, Context())
    assert result == {"batchItemFailures": [{"itemIdentifier": "m1"}, {"itemIdentifier": "m2"}]}  # FIFO order kept
    assert first["id"] in {item["id"] for item in everything(q=first["title"].split()[-1])}
    run_indexer([later["id"]])
    assert later["id"] in {item["id"] for item in everything(q=later["title"].split()[-1])}


def test_a_writer_that_started_from_a_superseded_generation_writes_nothing(api):
    stale = index._head()
    run_indexer([api.new(1)[0]["id"]])
    current, late = index._head(), api.new(1)[0]
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(index, "_head", lambda: stale)  # as if another writer published meanwhile
        with pytest.raises(index.Superseded):
            index.apply([late["id"]])
    assert index._head() == current
    run_indexer([late["id"]])  # the retry
    assert late["id"] in {item["id"] for item in everything(q=late["title"].split()[-1])}


def test_a_sandbox_looks_for_a_new_generation_at_most_every_few_seconds(api, monkeypatch):
    monkeypatch.setattr(index, "RECHECK_SECONDS", 60.0)
    index._checked = None
    counter = CallCounter()
    counter.attach(aws.client("s3"))
    for _ in range(3):
        assert search(category="toys")[0] == 200
    assert counter.calls.count("HeadObject") == 1 and counter.calls.count("GetObject") <= 1


# ------------------------------------------------------------------------------ answers to bad input
def test_an_empty_price_range_or_keywords_without_words_match_nothing(api):
    assert search(min_price="5000", max_price="10")[1] == {"data": [], "next_cursor": None}
    assert search(q="?!  ...")[1] == {"data": [], "next_cursor": None}


@pytest.mark.parametrize(
    "query, name",
    [
        ({"q": "x" * 201}, "q"),
        ({"q": ""}, "q"),
        ({"sort": "cheapest"}, "sort"),
        ({"category": "cars"}, "category"),
        ({"country": "de"}, "country"),
        ({"min_price": "-1"}, "min_price"),
        ({"limit": "101"}, "limit"),
        ({"cursor": "bogus"}, "cursor"),
    ],
)
def test_bad_input_is_a_400_naming_the_parameter(api, query, name):
    status, problem = search(**query)
    assert status == 400 and problem["type"] == "urn:eckospace:problem:invalid-request", problem
    assert name in json.dumps(problem["errors"])


def test_a_cursor_serves_only_the_search_it_came_from(api):
    status, page = search(currency="gbp", limit="5")
    assert status == 200 and page["next_cursor"]
    assert search(currency="eur", limit="5", cursor=page["next_cursor"])[0] == 400
    assert search(currency="gbp", limit="5", cursor=page["next_cursor"])[0] == 200
