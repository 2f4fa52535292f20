"""Listing and job search through their handlers, in-process, against the emulator: seeded catalogues
of 2,000 published listings and 500 published jobs (and some that are not) indexed by the indexer,
each kind in its own index; every filter a search offers, alone and in combinations, with each
order, paged through to the end, gives the same postings in the same order as a brute-force filter
of the same data; keywords find their stems; pages stay stable while postings are published; a
withdrawn posting disappears; the stream feeds the indexer through the FIFO queue."""

from __future__ import annotations

import json
import random
import re
import time
from collections.abc import Callable
from typing import Any

import pytest

from eckospace import aws
from eckospace.marketplace import jobs, lifecycle, listings, postings, store
from eckospace.marketplace.catalogue import CATEGORIES, CONDITIONS, EMPLOYMENT_TYPES, JOB_CATEGORIES, PAY_PERIODS
from eckospace.marketplace.kinds import kind_of
from eckospace.marketplace.search import feed, index, settings
from tests.integration.conftest import CallCounter, load_function
from tests.support.lambda_proxy import Context, invoke
from tests.support.streams import TableStream

SEEDED = 2000
SEEDED_JOBS = 500
SCOPES = "marketplace:read"
CURRENCIES = ("eur", "usd", "gbp", "jpy", "sek")
PLACES = {"DE": ("Berlin", "Hamburg", "München"), "FR": ("Paris", "Lyon"), "GB": ("London", "Leeds"), "US": ("Austin",)}
PRICES = (0, 500, 1999, 2500, 10000, 25000, 99999, 150000)
# Each thing comes as one word or its plural, in titles and descriptions alike.
THINGS = ("bicycle", "chair", "lamp", "guitar", "jacket", "drill", "table", "camera", "kettle", "sofa")
ADJECTIVES = ("red", "vintage", "compact", "sturdy", "classic", "tiny", "electric", "wooden")
FILLER = ("barely", "used", "collect", "only", "works", "well", "smoke", "free", "home", "original", "box")
# Each role comes as one word or its plural, in titles and descriptions alike; companies have words of their own.
ROLES = ("engineer", "designer", "analyst", "nurse", "teacher", "driver", "chef", "accountant")
COMPANIES = ("Ecko Labs", "Northwind Traders", "Acme Robotics", "Blue Harbour Clinic", "Lakeside School")
DUTIES = ("join", "our", "team", "growing", "fast", "friendly", "shifts", "benefits", "training", "paid")
SALARIES = (1500, 2500, 300000, 450000, 5000000, 7500000, 9000000)
_handlers: dict[str, Any] = {}


def _sentence(rng: random.Random, filler: tuple[str, ...] = FILLER, nouns: tuple[str, ...] = THINGS) -> str:
    words = rng.sample(filler, 5)
    if rng.random() < 0.4:
        words.insert(2, rng.choice(nouns) + rng.choice(("", "s")))
    return " ".join(words).capitalize() + "."


def _lifecycle(published_ms: int, status: str) -> dict[str, Any]:
    return {
        "status": status,
        "version": 1,
        "created_ms": published_ms - 60_000,
        "updated_ms": published_ms,
        "published_ms": published_ms,
        "expires_ms": published_ms + lifecycle.LIFETIME_MS,
    }


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
        **_lifecycle(published_ms, status),
    }


def _job(rng: random.Random, n: int, published_ms: int, status: str) -> dict[str, Any]:
    country = rng.choice(sorted(PLACES))
    top = rng.choice(SALARIES)
    return {
        "id": store.new_id("job", published_ms - rng.randrange(10**6)),
        "employer": f"u-seed{n % 89}",
        "title": f"{rng.choice(ADJECTIVES).capitalize()} {rng.choice(ROLES)}{rng.choice(('', 's'))} {n}",
        "company": rng.choice(COMPANIES),
        "category": rng.choice(JOB_CATEGORIES[:6]),
        "employment_type": rng.choice(EMPLOYMENT_TYPES),
        "location": {"country": country, "city": rng.choice(PLACES[country])},
        "remote": rng.random() < 0.3,
        "salary": {
            "min": top // 2,
            "max": top,
            "currency": rng.choice(CURRENCIES[:3]),
            "period": rng.choice(PAY_PERIODS),
        },
        "description": f"{_sentence(rng, DUTIES, ROLES)}\n{_sentence(rng, DUTIES, ROLES)}",
        "application": {"type": "in_app"},
        **_lifecycle(published_ms, status),
    }


def _write(batch: list[dict[str, Any]]) -> None:
    client = aws.client("dynamodb")
    for start in range(0, len(batch), 25):
        requests = [{"PutRequest": {"Item": store.item(posting)}} for posting in batch[start : start + 25]]
        while requests:
            answer = client.batch_write_item(RequestItems={store.table(): requests})
            requests = answer.get("UnprocessedItems", {}).get(store.table(), [])


def _fifo_event(posting_ids: list[str]) -> dict[str, Any]:
    """An SQS FIFO batch naming these postings, as Lambda hands the indexer one."""
    return {
        "Records": [
            {
                "messageId": f"m{i}",
                "receiptHandle": "r",
                "body": json.dumps({"posting_id": posting_id}),
                "attributes": {"MessageGroupId": _group(posting_id), "MessageDeduplicationId": f"d{i}"},
                "messageAttributes": {},
                "eventSource": "aws:sqs",
                "eventSourceARN": "arn:aws:sqs:us-east-1:123456789012:search.fifo",
                "awsRegion": "us-east-1",
            }
            for i, posting_id in enumerate(posting_ids)
        ]
    }


def _group(posting_id: str) -> str:
    return feed.group(kind_of(posting_id))


def run_indexer(posting_ids: list[str], *, batch: int = 10) -> None:
    for start in range(0, len(posting_ids), batch):
        result = _handlers["indexer"](_fifo_event(posting_ids[start : start + batch]), Context())
        assert result == {"batchItemFailures": []}


class Catalogue:
    """What an index should find: the published postings of one kind this module wrote, by id."""

    def __init__(
        self,
        make: Callable[..., dict[str, Any]],
        seed: int,
        *,
        matches: Callable[[dict[str, Any], dict[str, str]], bool],
        by_amount: Callable[[dict[str, Any]], tuple[Any, ...]],
    ) -> None:
        self.make, self.matches, self.by_amount = make, matches, by_amount  # the last two: for brute force
        self.published: dict[str, dict[str, Any]] = {}
        self.rng = random.Random(seed)
        self.base_ms = store.now_ms()
        self.made = 0

    def new(self, count: int, *, status: str = lifecycle.PUBLISHED, newest: bool = False) -> list[dict[str, Any]]:
        """`count` new postings written to the table (not yet indexed); `newest`: published after all
        others, otherwise three at each instant, so that ties fall to the id."""
        now = store.now_ms()
        made = [
            self.make(self.rng, n, now + 1000 + i if newest else self.base_ms - (n // 3) * 1000, status)
            for i, n in enumerate(range(self.made, self.made + count))
        ]
        self.made += count
        _write(made)
        self.published |= {posting["id"]: posting for posting in made if posting["status"] == lifecycle.PUBLISHED}
        return made

    def seed(self, count: int) -> None:
        """`count` published postings and some that are not, indexed in one batch (one commit)."""
        seeded = self.new(count)
        hidden = [self.new(1, status=status)[0] for status in (lifecycle.DRAFT, lifecycle.ARCHIVED) * 10]
        ids = [posting["id"] for posting in seeded + hidden]
        started = time.perf_counter()
        run_indexer(ids, batch=len(ids))
        print(f"\nindexed {len(ids)} {self.make.__name__[1:]}s in {time.perf_counter() - started:.2f} s")


def _clear_indexes() -> None:
    s3 = aws.client("s3")
    for each in (index.LISTINGS, index.JOBS):
        versions = s3.list_object_versions(Bucket=settings.BUCKET(), Prefix=each.key)
        for version in versions.get("Versions", []) + versions.get("DeleteMarkers", []):
            s3.delete_object(Bucket=settings.BUCKET(), Key=version["Key"], VersionId=version["VersionId"])
        each._open.clear()
        each._checked = None


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
        _clear_indexes()
        _handlers["indexer"] = load_function("marketplace_search_indexer").lambda_handler
        _handlers["search"] = load_function("marketplace_listing_search").lambda_handler
        _handlers["job_search"] = load_function("jobs_job_search").lambda_handler
        _handlers["feed"] = load_function("marketplace_search_feed").lambda_handler
        made = Catalogue(
            _listing,
            20261203,
            matches=_matches,
            by_amount=lambda listing: (listing["currency"], listing["price"], listing["id"]),
        )
        made.seed(SEEDED)
        return made


@pytest.fixture(scope="module")
def job_catalogue(backend, catalogue) -> Catalogue:
    functions = backend["template"].functions()
    with pytest.MonkeyPatch.context() as patch:
        for key, value in functions["MarketplaceSearchIndexerFunction"].environment.items():
            patch.setenv(key, value)
        aws.reset_clients()
        made = Catalogue(
            _job,
            20261204,
            matches=_job_matches,
            by_amount=lambda job: (*(job["salary"][name] for name in ("currency", "period", "max")), job["id"]),
        )
        made.seed(SEEDED_JOBS)
        return made


@pytest.fixture
def api(function_env, catalogue, monkeypatch):
    function_env("MarketplaceListingSearchFunction")
    monkeypatch.setattr(index, "RECHECK_SECONDS", 0)  # each test sees what it indexed at once
    return catalogue


@pytest.fixture
def job_api(function_env, job_catalogue, monkeypatch):
    function_env("JobsJobSearchFunction")
    monkeypatch.setattr(index, "RECHECK_SECONDS", 0)
    return job_catalogue


def _get(handler: str, path: str, query: dict[str, str]) -> tuple[int, Any]:
    authorizer = {"sub": "u-reader", "scope": SCOPES, "token_use": "user"}
    answer = invoke(_handlers[handler], "GET", path, authorizer=authorizer, query=query)
    return answer.status, answer.body


def search(**query: str) -> tuple[int, Any]:
    return _get("search", "/api/listings/search", query)


def search_jobs(**query: str) -> tuple[int, Any]:
    return _get("job_search", "/api/jobs/search", query)


def everything(find: Callable[..., tuple[int, Any]] = search, **query: str) -> list[dict[str, Any]]:
    """Every page of a search, followed to the end."""
    found, cursor = [], None
    while True:
        status, page = find(**query, **({"cursor": cursor} if cursor else {}))
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


def brute_force(made: Catalogue, query: dict[str, str]) -> list[str]:
    found = [posting for posting in made.published.values() if made.matches(posting, query)]
    sort = query.get("sort", "newest")
    if sort == "newest":
        found.sort(key=lambda posting: (posting["published_ms"], posting["id"]), reverse=True)
    else:
        found.sort(key=made.by_amount, reverse=sort.endswith("_desc"))
    return [posting["id"] for posting in found]


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


def _named(filters: dict[str, str]) -> str:
    return "&".join(f"{k}={v}" for k, v in filters.items())


def _every_filter_and_order() -> list[Any]:
    """For each kind: the catalogue's fixture, its search, and each of its filter sets with each order."""
    kinds = [
        ("listing", "api", search, FILTERS, ("newest", "price_asc", "price_desc")),
        ("job", "job_api", search_jobs, JOB_FILTERS, ("newest", "salary_asc", "salary_desc")),
    ]
    return [
        pytest.param(fixture, find, filters, sort, id=f"{kind}:{_named(filters)}:{sort}")
        for kind, fixture, find, sets, sorts in kinds
        for filters in sets
        for sort in sorts
    ]


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


@pytest.mark.parametrize("filters", FILTERS, ids=_named)
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
    assert not indexed(index.LISTINGS, gone["id"])


def indexed(searched: index.Index, posting_id: str) -> bool:
    import tantivy

    query = tantivy.Query.term_query(searched.fields.schema, "id", posting_id)
    held = searched.current()
    return bool(held and held.searcher.search(query, limit=1).hits)


def test_the_stream_feeds_the_indexer_through_the_fifo_queue(api, job_api):
    stream = TableStream(store.table())
    sold = store.load(brute_force(api, {"category": "garden"})[0])
    arrived = api.new(2, newest=True)
    api.published.pop(sold["id"])
    postings.move(sold, "mark_sold")
    api.new(1, status=lifecycle.DRAFT)  # not searchable, before or after: not sent
    (hiring,) = job_api.new(1, newest=True)
    job_api.new(1, status=lifecycle.DRAFT)
    records = stream.records()
    for _ in range(2):  # a retried stream batch sends nothing twice: messages are deduplicated by change
        assert _handlers["feed"]({"Records": records}, Context()) == {"batchItemFailures": []}
    sqs, queue = aws.client("sqs"), settings.QUEUE()
    messages = sqs.receive_message(QueueUrl=queue, MaxNumberOfMessages=10, AttributeNames=["All"])["Messages"]
    sent = [json.loads(message["Body"])["posting_id"] for message in messages]
    assert sorted(sent) == sorted([listing["id"] for listing in arrived] + [sold["id"], hiring["id"]])
    groups = {
        json.loads(message["Body"])["posting_id"]: message["Attributes"]["MessageGroupId"] for message in messages
    }
    assert groups == {posting_id: "jobs" if posting_id == hiring["id"] else "listings" for posting_id in sent}
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
    assert [item["id"] for item in search_jobs(sort="newest", limit="1")[1]["data"]] == [hiring["id"]]


def test_a_message_naming_no_listing_fails_with_those_after_it_and_the_rest_is_indexed(api):
    first, later = api.new(2)
    event = _fifo_event([first["id"], first["id"], later["id"]])
    event["Records"][1]["body"] = json.dumps({"other": 1})
    result = _handlers["indexer"](event, Context())
    assert result == {"batchItemFailures": [{"itemIdentifier": "m1"}, {"itemIdentifier": "m2"}]}  # FIFO order kept
    assert first["id"] in {item["id"] for item in everything(q=first["title"].split()[-1])}
    run_indexer([later["id"]])
    assert later["id"] in {item["id"] for item in everything(q=later["title"].split()[-1])}


def test_a_writer_that_started_from_a_superseded_generation_writes_nothing(api):
    key = index.LISTINGS.key
    stale = index._head(key)
    run_indexer([api.new(1)[0]["id"]])
    current, late = index._head(key), api.new(1)[0]
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(index, "_head", lambda key: stale)  # as if another writer published meanwhile
        with pytest.raises(index.Superseded):
            index.apply([late["id"]])
    assert index._head(key) == current
    run_indexer([late["id"]])  # the retry
    assert late["id"] in {item["id"] for item in everything(q=late["title"].split()[-1])}


def test_a_sandbox_looks_for_a_new_generation_at_most_every_few_seconds(api, monkeypatch):
    monkeypatch.setattr(index, "RECHECK_SECONDS", 60.0)
    index.LISTINGS._checked = None
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
    "find, query, name",
    [
        (search, {"q": "x" * 201}, "q"),
        (search, {"q": ""}, "q"),
        (search, {"sort": "cheapest"}, "sort"),
        (search, {"category": "cars"}, "category"),
        (search, {"country": "de"}, "country"),
        (search, {"min_price": "-1"}, "min_price"),
        (search, {"limit": "101"}, "limit"),
        (search, {"cursor": "bogus"}, "cursor"),
        (search_jobs, {"category": "sports"}, "category"),
        (search_jobs, {"employment_type": "freelance"}, "employment_type"),
        (search_jobs, {"remote": "yes"}, "remote"),
        (search_jobs, {"period": "week"}, "period"),
        (search_jobs, {"min_salary": "-5"}, "min_salary"),
        (search_jobs, {"sort": "price_asc"}, "sort"),
    ],
)
def test_bad_input_is_a_400_naming_the_parameter(api, job_api, find, query, name):
    status, problem = find(**query)
    assert status == 400 and problem["type"] == "urn:eckospace:problem:invalid-request", problem
    assert name in json.dumps(problem["errors"])


def test_a_cursor_serves_only_the_search_it_came_from(api, job_api):
    status, page = search(currency="gbp", limit="5")
    assert status == 200 and page["next_cursor"]
    assert search(currency="eur", limit="5", cursor=page["next_cursor"])[0] == 400
    assert search(currency="gbp", limit="5", cursor=page["next_cursor"])[0] == 200
    assert search_jobs(currency="gbp", limit="5", cursor=page["next_cursor"])[0] == 400  # nor another kind's


# ------------------------------------------------------------------------------ jobs
def _job_matches(job: dict[str, Any], query: dict[str, str]) -> bool:
    pay, place = job["salary"], job["location"]
    return (
        all(job[name] == query[name] for name in ("category", "employment_type") if name in query)
        and all(pay[name] == query[name] for name in ("currency", "period") if name in query)
        and query.get("remote", str(job["remote"]).lower()) == str(job["remote"]).lower()
        and query.get("country", place["country"]) == place["country"]
        and query.get("city", place["city"]).casefold() == place["city"].casefold()
        and pay["max"] >= int(query.get("min_salary", 0))
    )


def _job_words(job: dict[str, Any]) -> set[str]:
    return set(re.findall(r"\w+", f"{job['title']} {job['company']} {job['description']}".casefold()))


JOB_FILTERS: list[dict[str, str]] = [
    {},
    {"category": "data"},
    {"employment_type": "contract"},
    {"remote": "true"},
    {"remote": "false"},
    {"country": "GB"},
    {"city": "MÜNCHEN"},
    {"currency": "usd"},
    {"period": "hour"},
    {"min_salary": "450000"},
    {"currency": "eur", "period": "year", "min_salary": "5000000"},
    {"category": "engineering", "remote": "true"},
    {"employment_type": "full_time", "country": "DE", "city": "Berlin"},
    {"category": "design", "currency": "gbp", "period": "month"},
    {"remote": "false", "min_salary": "7500000", "employment_type": "internship"},
    {"country": "US", "city": "Paris"},  # a city of another country: nothing
]


@pytest.mark.parametrize("fixture, find, filters, sort", _every_filter_and_order())
def test_every_filter_and_order_gives_what_a_brute_force_filter_of_the_data_gives(
    request, fixture, find, filters, sort
):
    made = request.getfixturevalue(fixture)
    query = filters | {"sort": sort, "limit": "100"}
    expected = brute_force(made, query)
    assert [posting["id"] for posting in everything(find, **query)] == expected
    assert expected or filters.get("city") in ("Berlin", "Paris")  # a city of another country


@pytest.mark.parametrize("filters", JOB_FILTERS[:12], ids=_named)
def test_job_keywords_with_every_filter_find_title_company_and_description_words(job_api, filters):
    forms = {"nurse", "nurses", "harbour"}  # a role, in titles and descriptions; a word of a company's name
    query = filters | {"q": "Nurses harbour", "limit": "100"}
    found = everything(search_jobs, **query)
    expected = {job_id for job_id in brute_force(job_api, query) if _job_words(job_api.published[job_id]) & forms}
    assert [job["id"] for job in found] == [job["id"] for job in everything(search_jobs, **query | {"limit": "13"})]
    assert {job["id"] for job in found} == expected and len(found) == len(expected)
    assert {job["object"] for job in found} <= {"job"}


def test_job_results_are_job_views_and_a_title_match_leads(job_api):
    found = everything(search_jobs, q="analyst", limit="100")
    assert found and found[0] == jobs.view(job_api.published[found[0]["id"]])
    assert {"analyst", "analysts"} & set(found[0]["title"].casefold().split())
    assert everything(search_jobs, q="bicycle") == []  # a listing's word: each kind has its own index


@pytest.mark.parametrize("query", [{"sort": "newest", "limit": "25"}, {"q": "engineer chef", "limit": "10"}])
def test_job_pages_stay_stable_while_jobs_are_published(job_api, query):
    status, first = search_jobs(**query)
    assert status == 200 and first["next_cursor"]
    whole = [job["id"] for job in everything(search_jobs, **query)]
    arrived = job_api.new(3, newest=True)
    run_indexer([job["id"] for job in arrived])
    status, second = search_jobs(**query, cursor=first["next_cursor"])
    assert status == 200 and [job["id"] for job in first["data"] + second["data"]] == whole[: 2 * int(query["limit"])]
    if "q" not in query:
        assert [job["id"] for job in search_jobs(**query)[1]["data"][:3]] == brute_force(job_api, query)[:3]


def test_an_archived_job_disappears_at_once_and_from_its_index(job_api):
    query = {"category": "sales", "sort": "salary_desc", "limit": "100"}
    gone = job_api.published.pop(brute_force(job_api, query)[0])
    postings.move(store.load(gone["id"]), "archive")
    assert gone["id"] not in [job["id"] for job in everything(search_jobs, **query)]
    run_indexer([gone["id"]])
    assert [job["id"] for job in everything(search_jobs, **query)] == brute_force(job_api, query)
    assert not indexed(index.JOBS, gone["id"]) and indexed(index.JOBS, brute_force(job_api, query)[0])
