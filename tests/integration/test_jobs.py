"""Job posts through their handlers, in-process, against the emulator: bounds (a salary range the
right way round, where to apply), the lifecycle a job shares with listings minus the sale, review in
a queue of its own, browsing every filter the API offers checked against a brute-force filter of the
same jobs, saved jobs beside saved listings, expiry, and who may see and change what."""

from __future__ import annotations

import json
import uuid
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest

from eckospace import aws
from eckospace.marketplace import lifecycle, listings, postings, store
from eckospace.marketplace.kinds import JOB
from eckospace.notifications.consumer import notification_for
from tests.integration.conftest import CallCounter, module_functions, module_handlers
from tests.support.lambda_proxy import invoke
from tests.support.media import stored_media

FUNCTIONS = module_functions("marketplace", "jobs")
_handlers: dict[str, Any] = {}
EMPLOYER_SCOPES = "marketplace:read marketplace:write"
REVIEWER_SCOPES = "marketplace:read review:read review:write"
_queues: dict[str, str] = {}


@pytest.fixture
def api(function_env, backend):
    handlers = module_handlers(function_env, FUNCTIONS, _handlers)
    _queues["notifications"] = backend["template"].ref("NotificationEventsQueue")
    return handlers


def new_user() -> str:
    return f"u-{uuid.uuid4().hex[:10]}"


def call(function: str, method: str, path: str, user: str, *, scopes: str = EMPLOYER_SCOPES, **request):
    authorizer = {"sub": user, "scope": scopes, "token_use": "user"}
    answer = invoke(_handlers[function], method, path, authorizer=authorizer, **request)
    return answer.status, answer.body, answer.headers


def fields(**changes: Any) -> dict[str, Any]:
    return {
        "title": "Line cook",
        "company": "Kantine Noord",
        "category": "hospitality",
        "employment_type": "full_time",
        "location": {"country": "NL", "city": "Amsterdam"},
        "remote": False,
        "salary": {"min": 3_000_00, "max": 3_600_00, "currency": "eur", "period": "month"},
        "description": "Breakfast and lunch service.\nNo nights.",
        "application": {"type": "in_app"},
        **changes,
    }


def create(employer: str, **changes: Any) -> dict[str, Any]:
    status, job, headers = call("jobs_job_create", "POST", "/api/jobs", employer, body=fields(**changes))
    assert status == 201, job
    assert headers["location"] == f"/api/jobs/{job['id']}" and headers["etag"].startswith('"v1.')
    return job


def act(job_id: str, user: str, path: str, **request):
    return call(f"jobs_job_{path}", "POST", f"/api/jobs/{job_id}/{path}", user, **request)


def decide(job_id: str, reviewer: str, action: str, reason: str = "ok", **request):
    return call(
        "jobs_review_decision_create",
        "POST",
        f"/api/review/jobs/{job_id}/decisions",
        reviewer,
        scopes=REVIEWER_SCOPES,
        body={"action": action, "reason": reason},
        **request,
    )


def get(job_id: str, viewer: str):
    return call("jobs_job_get", "GET", f"/api/jobs/{job_id}", viewer)


def published(employer: str, **changes: Any) -> dict[str, Any]:
    job = create(employer, **changes)
    assert act(job["id"], employer, "submit")[0] == 200
    status, decision, _ = decide(job["id"], new_user(), "approve")
    assert status == 201, decision
    return decision["job"]


def browse(user: str, **query: str):
    return call("jobs_job_browse", "GET", "/api/jobs", user, query=query)


# ------------------------------------------------------------------------------ creating and bounds
def test_a_new_job_is_a_draft_its_employer_alone_sees_and_ids_of_one_kind_miss_the_other(api):
    employer, other = new_user(), new_user()
    job = create(employer, application={"type": "external", "url": "https://jobs.example.com/cook?ref=ecko"})
    assert job["object"] == "job" and job["status"] == "draft" and job["employer"] == employer
    assert job["salary"] == fields()["salary"] and job["application"]["url"].endswith("?ref=ecko")
    assert {"seller", "price", "attachments"}.isdisjoint(job)
    assert get(job["id"], employer)[0] == 200
    status, problem, _ = get(job["id"], other)
    assert status == 404 and problem["type"] == "urn:eckospace:problem:not-found"
    assert get("job_" + "0" * 26, employer)[0] == 404
    # a job is not a listing, nor the other way round: each kind's routes find only their own
    assert call("marketplace_listing_get", "GET", f"/api/listings/{job['id']}", employer)[0] == 404
    assert act(job["id"], employer, "submit")[0] == 200
    assert call("marketplace_listing_submit", "POST", f"/api/listings/{job['id']}/submit", employer)[0] == 404


@pytest.mark.parametrize(
    "changes, field",
    [
        ({"title": "x" * 121}, "title"),
        ({"company": " "}, "company"),
        ({"category": "electronics"}, "category"),  # a listing's category, not a job's
        ({"employment_type": "gig"}, "employment_type"),
        ({"remote": "sometimes"}, "remote"),
        ({"salary": {"min": 5, "max": 4, "currency": "eur", "period": "month"}}, "salary"),
        ({"salary": {"min": 1, "max": 2, "currency": "eur", "period": "week"}}, "salary.period"),
        ({"salary": {"min": 1, "max": 2, "currency": "eur"}}, "salary.period"),
        ({"application": {"type": "external", "url": "http://jobs.example.com/"}}, "url"),
        ({"application": {"type": "external", "url": "https://user:pw@jobs.example.com/"}}, "url"),
        ({"application": {"type": "external"}}, "url"),
        ({"application": {"type": "email"}}, "application"),
        ({"description": "x" * 5001}, "description"),
        ({"salary_note": "negotiable"}, "salary_note"),
    ],
)
def test_every_field_has_a_bound_and_a_clear_4xx_past_it(api, changes, field):
    employer = new_user()
    status, problem, _ = call("jobs_job_create", "POST", "/api/jobs", employer, body=fields(**changes))
    assert status == 400, problem
    assert any(field in json.dumps(error) for error in problem["errors"]), problem["errors"]
    assert call("jobs_employer_jobs", "GET", f"/api/users/{employer}/jobs", employer)[1]["data"] == []


def test_a_retried_create_with_its_idempotency_key_makes_one_job(api):
    employer, key = new_user(), {"Idempotency-Key": uuid.uuid4().hex}
    answers = [call("jobs_job_create", "POST", "/api/jobs", employer, body=fields(), headers=key) for _ in range(2)]
    assert [status for status, _, _ in answers] == [201, 201]
    assert answers[0][1]["id"] == answers[1][1]["id"]
    status, page, _ = call("jobs_employer_jobs", "GET", f"/api/users/{employer}/jobs", employer)
    assert status == 200 and [job["id"] for job in page["data"]] == [answers[0][1]["id"]]


# ------------------------------------------------------------------------------ the lifecycle
ACTIONS = {"submit": "submit", "archive": "archive", "renew": "renew"}
JOB_STATUSES = tuple(status for status in lifecycle.STATUSES if status != lifecycle.SOLD)


def in_status(status: str, employer: str) -> dict[str, Any]:
    job = create(employer)
    steps = {
        "draft": [],
        "pending_review": ["submit"],
        "published": ["submit", "approve"],
        "rejected": ["submit", "reject"],
        "archived": ["archive"],
        "expired": ["submit", "approve", "expire"],
    }[status]
    for step in steps:
        if step in ("approve", "reject"):
            assert decide(job["id"], new_user(), step)[0] == 201
        elif step == "expire":  # as the expiry sweeper moves it
            postings.move(store.load(job["id"]), "expire")
        else:
            assert act(job["id"], employer, step)[0] == 200
    found = store.load(job["id"])
    assert found is not None and found["status"] == status
    return found


@pytest.mark.parametrize("status", JOB_STATUSES)
@pytest.mark.parametrize("action", ["submit", "archive", "renew", "approve", "reject", "mark_sold"])
def test_every_move_a_job_has_works_and_every_other_is_409_changing_nothing(api, status, action):
    employer = new_user()
    before = in_status(status, employer)
    sources, to = lifecycle.TRANSITIONS[action]
    if action in ("approve", "reject"):
        answer, moved, _ = decide(before["id"], new_user(), action)
        moved = moved.get("job", moved)
    elif action == "mark_sold":  # no route sells a job; the lifecycle refuses it all the same
        with pytest.raises(lifecycle.IllegalTransition) as refused:
            postings.act(before["id"], JOB, employer, action)
        answer, moved = 409, {"type": f"urn:eckospace:problem:{refused.value.slug}", **refused.value.extensions}
    else:
        answer, moved, _ = act(before["id"], employer, ACTIONS[action])
    after = store.load(before["id"])
    assert after is not None
    if status in sources and action != "mark_sold":
        assert answer in (200, 201), moved
        assert moved["status"] == to == after["status"] and after["version"] == before["version"] + 1
    else:
        assert answer == 409, moved
        assert moved["type"] == "urn:eckospace:problem:illegal-transition"
        assert moved["current_status"] == status
        assert moved["allowed_actions"] == lifecycle.allowed_actions(status, JOB)
        assert "mark_sold" not in moved["allowed_actions"]
        assert after == before


def test_of_two_racing_moves_exactly_one_lands(api):
    employer = new_user()
    for _ in range(3):
        job = published(employer)
        with ThreadPoolExecutor(max_workers=2) as pool:
            answers = list(pool.map(lambda path, at=job["id"]: act(at, employer, path), ["archive", "renew"]))
        assert sorted(answer[0] for answer in answers) == [200, 409], answers
        winner = next(body for status, body, _ in answers if status == 200)
        final = store.load(job["id"])
        assert final is not None and final["status"] == winner["status"] and final["version"] == job["version"] + 1


def test_any_edit_sends_a_published_job_back_to_review_and_a_stale_if_match_changes_nothing(api):
    employer = new_user()
    job = published(employer)
    path = f"/api/jobs/{job['id']}"
    status, _, headers = get(job["id"], employer)
    raise_ = {"salary": {"min": 3_200_00, "max": 3_800_00, "currency": "eur", "period": "month"}}
    status, raised, _ = call(
        "jobs_job_update", "PATCH", path, employer, body=raise_, headers={"If-Match": headers["etag"]}
    )
    assert status == 200 and raised["status"] == "pending_review" and raised["salary"]["min"] == 3_200_00
    assert get(job["id"], new_user())[0] == 404  # out of public view until reviewed again
    stale = {"If-Match": headers["etag"]}
    status, problem, _ = call("jobs_job_update", "PATCH", path, employer, body={"title": "Chef"}, headers=stale)
    assert status == 412 and store.load(job["id"])["title"] == "Line cook"
    status, same, _ = call("jobs_job_update", "PATCH", path, employer, body={"remote": False})
    assert status == 200 and same["version"] == raised["version"]  # nothing sent differs: nothing written


def test_nobody_but_the_employer_sees_or_changes_a_job_that_is_not_published(api):
    employer, other = new_user(), new_user()
    draft, public = create(employer), published(employer)
    for job in (draft, public):
        path = f"/api/jobs/{job['id']}"
        status, _, _ = call("jobs_job_update", "PATCH", path, other, body={"title": "Mine now"})
        assert status == (404 if job is draft else 403)
        for action in ACTIONS:
            assert act(job["id"], other, action)[0] == (404 if job is draft else 403)
    assert store.load(draft["id"])["version"] == 1 and store.load(public["id"])["status"] == "published"
    status, page, _ = call("jobs_employer_jobs", "GET", f"/api/users/{employer}/jobs", other)
    assert status == 200 and [job["id"] for job in page["data"]] == [public["id"]]


# ------------------------------------------------------------------------------ review
def test_jobs_wait_in_a_review_queue_of_their_own_and_nobody_reviews_their_own(api):
    employer = new_user()
    job = create(employer)
    act(job["id"], employer, "submit")
    status, queue, _ = call("jobs_review_queue", "GET", "/api/review/jobs", new_user(), scopes=REVIEWER_SCOPES)
    assert status == 200 and job["id"] in [item["id"] for item in queue["data"]]
    assert all(item["object"] == "job" for item in queue["data"])
    _, listings_queue, _ = call(
        "marketplace_review_queue",
        "GET",
        "/api/review/listings",
        new_user(),
        scopes=REVIEWER_SCOPES,
        query={"limit": "100"},
    )
    assert job["id"] not in [item["id"] for item in listings_queue["data"]]
    assert call("jobs_review_queue", "GET", "/api/review/jobs", new_user())[0] == 403  # no review scope
    assert decide(job["id"], employer, "approve")[0] == 403
    status, decision, _ = decide(job["id"], new_user(), "reject", reason="Say what the shifts are.")
    assert status == 201 and decision["object"] == "job_decision" and decision["job_id"] == job["id"]
    assert decision["job"]["rejection"]["reason"] == "Say what the shifts are."


def _drain(queue: str, wanted: Any) -> list[dict[str, Any]]:
    sqs, found = aws.client("sqs"), []
    while messages := sqs.receive_message(QueueUrl=queue, MaxNumberOfMessages=10, WaitTimeSeconds=1).get("Messages"):
        for message in messages:
            sqs.delete_message(QueueUrl=queue, ReceiptHandle=message["ReceiptHandle"])
            envelope = json.loads(message["Body"])
            if wanted(envelope):
                found.append(envelope)
    return found


def test_review_decisions_tell_the_employer_once_and_name_nobody_else(api):
    employer = new_user()
    job = published(employer, title="Dishwasher")
    [event] = _drain(_queues["notifications"], lambda envelope: envelope["data"].get("job_id") == job["id"])
    assert event["type"] == "job.published"
    assert event["data"] == {"job_id": job["id"], "employer": employer, "title": "Dishwasher"}
    notice = notification_for(event)
    assert notice is not None and notice["user"] == employer and notice["type"] == "job_reviewed"
    assert notice["subject"] == {"object": "job", "id": job["id"]} and notice["actor"] is None
    assert notice["data"] == {"status": "published", "title": "Dishwasher", "reason": None}


# ------------------------------------------------------------------------------ browsing
SEEDED = [
    # category, employment type, remote, currency, period, min, max
    ("data", "full_time", True, "eur", "year", 50_000_00, 70_000_00),
    ("data", "full_time", False, "eur", "year", 45_000_00, 52_000_00),
    ("data", "contract", True, "eur", "hour", 60_00, 90_00),
    ("data", "part_time", False, "usd", "year", 30_000_00, 40_000_00),
    ("data", "full_time", True, "usd", "year", 90_000_00, 120_000_00),
    ("data", "internship", False, "eur", "month", 1_000_00, 1_000_00),
    ("data", "full_time", False, "eur", "year", 70_000_00, 70_000_00),
    ("data", "temporary", True, "eur", "month", 2_500_00, 3_000_00),
]


_seeded: dict[str, dict[str, Any]] = {}


@pytest.fixture
def seeded(api) -> dict[str, dict[str, Any]]:
    """The seeded jobs (published, in a category no other test uses), by id; made once a session."""
    if not _seeded:
        employer = new_user()
        for category, employment, remote, currency, period, low, high in SEEDED:
            salary = {"min": low, "max": high, "currency": currency, "period": period}
            job = published(employer, category=category, employment_type=employment, remote=remote, salary=salary)
            _seeded[job["id"]] = job
    return _seeded


def brute_force(jobs: dict[str, dict[str, Any]], query: dict[str, str]) -> list[str]:
    """The ids the API should answer, in its order, from nothing but the jobs' fields."""
    found = [
        job
        for job in jobs.values()
        if all(
            (
                job["salary"]["currency"] == query.get("currency", job["salary"]["currency"]),
                job["salary"]["period"] == query.get("period", job["salary"]["period"]),
                job["employment_type"] == query.get("employment_type", job["employment_type"]),
                str(job["remote"]).lower() == query.get("remote", str(job["remote"]).lower()),
                job["salary"]["max"] >= int(query.get("min_salary", 0)),
            )
        )
    ]
    sort = query.get("sort", "newest")
    if sort == "newest":
        return [job["id"] for job in sorted(found, key=lambda job: (job["published_at"], job["id"]), reverse=True)]
    order = [
        (job["salary"]["currency"], job["salary"]["period"], job["salary"]["max"], job["id"], job["id"])
        for job in found
    ]
    return [entry[-1] for entry in sorted(order, reverse=sort == "salary_desc")]


QUERIES = [
    {},
    {"sort": "salary_desc"},
    {"sort": "salary_asc"},
    {"sort": "salary_desc", "currency": "eur", "period": "year"},
    {"sort": "salary_asc", "currency": "eur", "period": "year", "min_salary": "52000000"},
    {"sort": "salary_desc", "currency": "eur"},
    {"sort": "salary_asc", "period": "month"},
    {"currency": "usd"},
    {"min_salary": "6000000"},
    {"remote": "true"},
    {"remote": "false", "employment_type": "full_time"},
    {"sort": "salary_desc", "remote": "true", "currency": "eur", "period": "year"},
    {"employment_type": "internship", "sort": "salary_asc"},
    {"sort": "salary_desc", "currency": "eur", "period": "year", "employment_type": "full_time", "min_salary": "1"},
    {"currency": "jpy"},
]


@pytest.mark.parametrize("query", QUERIES, ids=lambda query: "&".join(f"{k}={v}" for k, v in query.items()) or "all")
def test_every_browse_filter_finds_what_a_brute_force_filter_finds_in_the_same_order(api, seeded, query):
    reader, found, cursor = new_user(), [], None
    for _ in range(20):
        status, page, _ = browse(reader, category="data", limit="3", **query, **({"cursor": cursor} if cursor else {}))
        assert status == 200, page
        found += [job["id"] for job in page["data"]]
        if not (cursor := page["next_cursor"]):
            break
    assert found == brute_force(seeded, query)


def test_a_category_in_one_currency_and_period_by_salary_is_one_query_per_page(api, seeded):
    counter = CallCounter()
    counter.attach(aws.client("dynamodb"))
    query = {"category": "data", "sort": "salary_desc", "currency": "eur", "period": "year", "limit": "2"}
    status, page, _ = browse(new_user(), **query)
    assert status == 200 and counter.calls == ["Query"] and len(page["data"]) == 2
    status, page, _ = browse(new_user(), category="data", limit="2")
    assert status == 200 and counter.calls == ["Query", "Query"]


@pytest.mark.parametrize(
    "query, name",
    [
        ({"category": "electronics"}, "category"),
        ({"category": "data", "sort": "price_asc"}, "sort"),
        ({"category": "data", "period": "week"}, "period"),
        ({"category": "data", "remote": "yes"}, "remote"),
        ({"category": "data", "min_salary": "-1"}, "min_salary"),
        ({"category": "data", "employment_type": "gig"}, "employment_type"),
    ],
)
def test_a_browse_the_api_does_not_offer_is_a_clear_400(api, query, name):
    status, problem, _ = browse(new_user(), **query)
    assert status == 400 and [error["name"] for error in problem["errors"]] == [name]


def test_a_cursor_is_bound_to_its_query(api, seeded):
    _, page, _ = browse(new_user(), category="data", limit="2")
    status, problem, _ = browse(new_user(), category="data", limit="2", remote="true", cursor=page["next_cursor"])
    assert status == 400, problem
    # nor does a job page's cursor open a page of listings
    listings_page = call(
        "marketplace_listing_browse",
        "GET",
        "/api/listings",
        new_user(),
        query={"category": "books", "cursor": page["next_cursor"]},
    )
    assert listings_page[0] == 400, listings_page[1]


# ------------------------------------------------------------------------------ saved jobs
def saved(user: str) -> list[dict[str, Any]]:
    status, page, _ = call("marketplace_saved_items_list", "GET", "/api/saved-items", user, query={"limit": "100"})
    assert status == 200, page
    return page["data"]


def test_saved_jobs_sit_beside_saved_listings_and_drop_out_once_archived(api):
    from tests.integration.test_marketplace import fields as listing_fields

    employer, reader = new_user(), new_user()
    job, gone = published(employer), published(employer)
    listing = postings.move(postings.move(listings.create(new_user(), listing_fields()), "submit"), "approve")
    for path in (f"/api/jobs/{job['id']}/save", f"/api/jobs/{gone['id']}/save"):
        assert call("jobs_saved_item_put", "PUT", path, reader)[0] == 204
    assert call("marketplace_saved_item_put", "PUT", f"/api/listings/{listing['id']}/save", reader)[0] == 204
    assert call("jobs_saved_item_put", "PUT", f"/api/jobs/{listing['id']}/save", reader)[0] == 404
    act(gone["id"], employer, "archive")
    items = saved(reader)
    assert [(item["type"], item.get("job", item.get("listing"))["id"]) for item in items] == [
        ("listing", listing["id"]),
        ("job", job["id"]),
    ]
    assert items[1]["job"]["save_count"] == 1 and "listing" not in items[1]
    assert call("jobs_saved_item_delete", "DELETE", f"/api/jobs/{job['id']}/save", reader)[0] == 204
    assert [item["type"] for item in saved(reader)] == ["listing"]


def test_concurrent_saves_with_retries_count_each_saver_once(api):
    job = published(new_user())
    savers = [new_user() for _ in range(10)]
    with ThreadPoolExecutor(max_workers=8) as pool:
        answers = list(
            pool.map(
                lambda user: call("jobs_saved_item_put", "PUT", f"/api/jobs/{job['id']}/save", user)[0], savers * 2
            )
        )
    assert set(answers) == {204} and store.load(job["id"])["save_count"] == len(savers)


# ------------------------------------------------------------------------------ expiry
def test_a_job_expires_thirty_days_after_publishing_and_its_employer_is_told_three_days_before(api):
    from eckospace.marketplace import expiry

    day = 24 * 3600 * 1000
    employer = new_user()
    now = store.now_ms()
    with pytest.MonkeyPatch.context() as clock:
        clock.setattr(store, "now_ms", lambda: now - 31 * day)
        due = published(employer)
        clock.setattr(store, "now_ms", lambda: now - 28 * day)
        soon = published(employer)
    _drain(_queues["notifications"], lambda envelope: False)
    expiry.sweep(now)
    assert store.load(due["id"])["status"] == "expired" and store.load(soon["id"])["status"] == "published"
    events = _drain(_queues["notifications"], lambda envelope: envelope["subject"] in (due["id"], soon["id"]))
    [reminder] = [envelope for envelope in events if envelope["type"] == "job.expiring"]
    assert reminder["data"]["job_id"] == soon["id"] and reminder["data"]["employer"] == employer
    notice = notification_for(reminder)
    assert notice is not None and notice["type"] == "job_expiring" and notice["user"] == employer
    expiry.sweep(now)  # nobody is reminded twice
    assert [e for e in _drain(_queues["notifications"], lambda e: e["subject"] == soon["id"])] == []


# ------------------------------------------------------------------------------ applications
def apply(job_id: str, candidate: str, document: str, note: str = "I cook fast and clean as I go."):
    return call(
        "jobs_application_create",
        "POST",
        f"/api/jobs/{job_id}/applications",
        candidate,
        body={"document": document, "cover_note": note},
    )


def applications_to(job_id: str, user: str):
    return call("jobs_job_applications", "GET", f"/api/jobs/{job_id}/applications", user)


def test_a_candidate_applies_once_under_concurrent_retries_and_the_employer_alone_reads_their_cv(api):
    employer, candidate, stranger = new_user(), new_user(), new_user()
    job = published(employer)
    cv = stored_media(candidate)
    with ThreadPoolExecutor(max_workers=8) as pool:
        answers = list(pool.map(lambda _: apply(job["id"], candidate, cv), range(8)))
    made = [body for status, body, _ in answers if status == 201]
    assert len(made) == 1, answers
    [application] = made
    refused = [body for status, body, _ in answers if status != 201]
    assert {problem["type"] for problem in refused} == {"urn:eckospace:problem:already-applied"}
    assert {problem["application_id"] for problem in refused} == {application["id"]}
    assert application["status"] == "submitted" and application["employer"] == employer
    assert application["document"]["id"] == cv and application["document"]["download"]["expires_at"] is not None
    # the employer hears of it once, however many retries there were
    [told] = _drain(_queues["notifications"], lambda envelope: envelope["subject"] == application["id"])
    assert told["type"] == "application.submitted"
    notice = notification_for(told)
    assert notice is not None and (notice["user"], notice["type"]) == (employer, "application_received")
    assert notice["actor"] == candidate and notice["data"] == {"job_id": job["id"], "job_title": job["title"]}

    status, page, _ = call("jobs_applications_mine", "GET", "/api/applications", candidate)
    assert status == 200 and [item["id"] for item in page["data"]] == [application["id"]]
    status, page, _ = applications_to(job["id"], employer)
    assert status == 200 and [item["id"] for item in page["data"]] == [application["id"]]
    assert page["data"][0]["document"]["download"]["url"]
    path = f"/api/applications/{application['id']}"
    for user in (candidate, employer):
        assert call("jobs_application_get", "GET", path, user)[0] == 200
    # nobody else, the candidate included for the job's list, sees any of it
    assert call("jobs_application_get", "GET", path, stranger)[0] == 404
    assert applications_to(job["id"], candidate)[0] == 404 and applications_to(job["id"], stranger)[0] == 404
    assert call("jobs_applications_mine", "GET", "/api/applications", stranger)[1]["data"] == []
    assert call("jobs_application_get", "GET", "/api/applications/app_" + "0" * 26, employer)[0] == 404


def test_applying_needs_a_published_in_app_job_of_someone_else_and_your_own_ready_document(api):
    employer, candidate = new_user(), new_user()
    cv = stored_media(candidate)
    elsewhere = published(employer, application={"type": "external", "url": "https://jobs.example.com/"})
    status, problem, _ = apply(elsewhere["id"], candidate, cv)
    assert status == 409 and "application.url" in problem["detail"]
    own = published(candidate)
    assert apply(own["id"], candidate, cv)[0] == 409
    assert apply(create(employer)["id"], candidate, cv)[0] == 404  # a draft: not there to anyone else
    archived = published(employer)
    act(archived["id"], employer, "archive")
    assert apply(archived["id"], candidate, cv)[0] == 404
    job = published(employer)
    status, problem, _ = apply(job["id"], candidate, stored_media(employer))  # someone else's document
    assert status == 422 and problem["errors"][0]["name"] == "attachments"
    assert apply(job["id"], candidate, "med_" + "0" * 24)[0] == 422
    assert apply(job["id"], candidate, cv, note=" ")[0] == 400
    assert applications_to(job["id"], employer)[1]["data"] == []


def test_the_employer_moves_an_application_forward_only_and_the_candidate_is_told_of_each_move(api):
    employer, candidate = new_user(), new_user()
    job = published(employer, title="Sous chef")
    _, application, headers = apply(job["id"], candidate, stored_media(candidate))
    path = f"/api/applications/{application['id']}"

    def move(user: str, status: str, **request):
        return call("jobs_application_update", "PATCH", path, user, body={"status": status}, **request)

    assert move(candidate, "hired")[0] == 403
    _drain(_queues["notifications"], lambda envelope: False)
    status, viewed, headers = move(employer, "viewed", headers={"If-Match": headers["etag"]})
    assert (
        status == 200
        and viewed["status"] == "viewed"
        and viewed["allowed_statuses"] == ["hired", "rejected", "shortlisted"]
    )
    assert move(employer, "shortlisted", headers={"If-Match": '"v1"'})[0] == 412
    assert move(employer, "shortlisted")[1]["status"] == "shortlisted"
    status, problem, _ = move(employer, "viewed")
    assert status == 409 and problem["current_status"] == "shortlisted"
    assert move(employer, "hired")[1]["allowed_statuses"] == []
    assert move(employer, "rejected")[0] == 409  # hired is final
    events = _drain(_queues["notifications"], lambda envelope: envelope["subject"] == application["id"])
    assert [event["data"]["status"] for event in events] == ["viewed", "shortlisted", "hired"]
    notice = notification_for(events[-1])
    assert notice is not None and notice["user"] == candidate and notice["type"] == "application_updated"
    assert notice["data"] == {"job_id": job["id"], "job_title": "Sous chef", "status": "hired"}
    assert call("jobs_application_get", "GET", path, candidate)[1]["status"] == "hired"


# ------------------------------------------------------------------------------ reports and moderation
def test_a_reported_job_is_snapshotted_and_a_take_down_sends_it_back_to_its_employer(api):
    employer, reporters = new_user(), [new_user(), new_user()]
    job, draft = published(employer, title="Easy money from home"), create(employer)

    def report(job_id: str, reporter: str):
        path = f"/api/jobs/{job_id}/reports"
        return call("jobs_job_report_create", "POST", path, reporter, body={"reason": "spam"})

    def moderate(action: str, scopes: str = "moderation:read moderation:write"):
        path = f"/api/moderation/jobs/{job['id']}/decisions"
        body = {"action": action, "reason": "A pyramid scheme."}
        return call("jobs_moderation_decision_create", "POST", path, new_user(), scopes=scopes, body=body)

    status, filed, _ = report(job["id"], reporters[0])
    assert status == 201 and filed["subject"] == {"type": "job", "id": job["id"]}
    assert filed["snapshot"]["title"] == "Easy money from home" and filed["snapshot"]["employer"] == employer
    assert filed["snapshot"]["salary"] == job["salary"] and filed["snapshot"]["version"] == job["version"]
    assert report(job["id"], reporters[0])[0] == 409  # one open report per person and job
    assert report(job["id"], employer)[0] == 409 and report(draft["id"], reporters[1])[0] == 404
    assert report(job["id"], reporters[1])[0] == 201

    assert moderate("take_down", scopes=EMPLOYER_SCOPES)[0] == 403
    status, decision, _ = moderate("take_down")
    assert status == 201 and decision["report_count"] == 2 and decision["subject"]["type"] == "job"
    taken_down = get(job["id"], employer)[1]
    assert taken_down["status"] == "rejected" and taken_down["rejection"]["reason"] == "A pyramid scheme."
    assert get(job["id"], reporters[0])[0] == 404
    assert moderate("take_down")[1]["current_status"] == "rejected"  # only a published job is taken down
