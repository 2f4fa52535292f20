"""Analytics through its handlers, in-process, against the emulator: a batch's good events are
queued and its bad ones refused with reasons; the aggregator counts each event and each person once
under retried batches, redelivered messages and racing deliveries; raw events land in S3 with no
person's id and DuckDB reads them; and reports show exact figures for closed buckets only, hiding
every bucket fewer than the minimum crowd made, and every hour of a day that had a thin hour."""

from __future__ import annotations

import gzip
import json
import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from eckospace import aws, ids
from eckospace.analytics import buckets, reports
from eckospace.analytics.aggregation import aggregate
from eckospace.config import forget_settings
from tests.integration.conftest import module_functions, module_handlers, sqs_event
from tests.support.lambda_proxy import invoke

FUNCTIONS = module_functions("posts", "analytics")
_handlers: dict[str, Any] = {}
_resources: dict[str, str] = {}
CROWD = 3  # the template says 10; a smaller crowd keeps each case small


@pytest.fixture
def api(function_env, backend, monkeypatch):
    handlers = module_handlers(function_env, FUNCTIONS, _handlers)
    template = backend["template"]
    _resources.update(queue=template.ref("AnalyticsEventsQueue"), bucket=template.ref("AnalyticsEventsBucket"))
    monkeypatch.setenv("ECKO_ANALYTICS_MINIMUM_CROWD", str(CROWD))
    forget_settings()
    _drain()  # what earlier tests left
    return handlers


def new_user() -> str:
    return uuid.uuid4().hex


def call(function: str, method: str, path: str, user: str, *, scopes: str, **request: Any) -> tuple[int, Any]:
    authorizer = {"sub": user, "scope": scopes, "token_use": "user"}
    answer = invoke(_handlers[function], method, path, authorizer=authorizer, **request)
    return answer.status, answer.body


def new_post(author: str) -> str:
    status, post = call("posts_create", "POST", "/api/posts", author, scopes="posts:write", body={"text": "Hello"})
    assert status == 201, post
    return str(post["id"])


def send(person: str, events: list[dict[str, Any]]) -> tuple[int, Any]:
    return call(
        "analytics_events_ingest",
        "POST",
        "/api/analytics/events",
        person,
        scopes="analytics:write",
        body={"events": events},
    )


def at(moment: datetime) -> str:
    return moment.isoformat().replace("+00:00", "Z")


def view(post_id: str, moment: datetime, event_id: str | None = None) -> dict[str, Any]:
    return {"id": event_id or uuid.uuid4().hex[:12], "type": "post_view", "object": post_id, "occurred_at": at(moment)}


def _drain() -> list[dict[str, Any]]:
    """The queued messages (taken off the queue), as the aggregator's SQS records would carry them."""
    sqs, found = aws.client("sqs"), []
    while batch := sqs.receive_message(QueueUrl=_resources["queue"], MaxNumberOfMessages=10).get("Messages"):
        for message in batch:
            sqs.delete_message(QueueUrl=_resources["queue"], ReceiptHandle=message["ReceiptHandle"])
            found.append(json.loads(message["Body"]))
    return found


def aggregate_queued() -> list[dict[str, Any]]:
    messages = _drain()
    if messages:
        answer = _handlers["analytics_aggregator"](sqs_event(*messages), None)
        assert answer == {"batchItemFailures": []}
    return messages


def an_hour_ago() -> datetime:
    """A moment an hour ago, at least 10 minutes into its hour (so a few minutes on stay in it)."""
    moment = datetime.now(UTC) - timedelta(hours=1)
    return moment.replace(minute=max(moment.minute, 10), second=0, microsecond=0)


def report_after(scope: str, moment: datetime, granularity: str = buckets.DAY, types=("post_view", "link_click")):
    """The report on the day of `moment`, read the day after (so its buckets are closed)."""
    day = moment.date()
    later = datetime(day.year, day.month, day.day, 12, tzinfo=UTC) + timedelta(days=1)
    return reports.report(scope, {"type": "post", "id": None}, types, granularity, day, day, now=later)


def reported(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [row for row in rows if row["status"] == reports.REPORTED]


# ------------------------------------------------------------------------------------ ingest
def test_a_batch_queues_its_good_events_and_refuses_each_bad_one_with_its_reasons(api):
    person, post = new_user(), new_post(new_user())
    now = datetime.now(UTC)
    good = [
        view(post, now),
        {"id": "c1", "type": "link_click", "object": post, "occurred_at": at(now), "url": "https://ex.com/a?t=secret"},
    ]
    bad = [
        "not an object",
        {"id": "x" * 65, "type": "post_view", "object": post, "occurred_at": at(now)},
        {"id": "t1", "type": "listing_view", "object": post, "occurred_at": at(now)},
        {"id": "t2", "type": "post_view", "object": post, "occurred_at": at(now - timedelta(hours=25))},
        {"id": "t3", "type": "post_view", "object": post, "occurred_at": at(now + timedelta(hours=1))},
        {"id": "t4", "type": "post_view", "object": post, "occurred_at": "2026-12-03T10:00:00"},
        {"id": "t5", "type": "link_click", "object": post, "occurred_at": at(now), "url": "javascript:alert(1)"},
        {"id": "t6", "type": "post_view", "object": post, "occurred_at": at(now), "user": "someone"},
        {**good[0]},  # the same id again in this batch
    ]
    status, answer = send(person, good + bad)
    assert status == 202, answer
    assert answer["accepted"] == 2
    refused = {row["index"]: row for row in answer["refused"]}
    assert sorted(refused) == list(range(2, 2 + len(bad)))
    assert refused[3]["id"] is None and refused[3]["errors"][0]["name"] == "id"
    assert [e["name"] for e in refused[4]["errors"]] == ["object"]
    assert "24 hours" in refused[5]["errors"][0]["detail"] and "future" in refused[6]["errors"][0]["detail"]
    assert "zone" in refused[7]["errors"][0]["detail"] and refused[8]["errors"][0]["name"] == "url"
    assert refused[9]["errors"][0]["name"] == "user" and "repeats" in refused[10]["errors"][0]["detail"]
    [message] = _drain()
    assert [event["id"] for event in message["events"]] == [good[0]["id"], "c1"]
    assert message["events"][1]["url"] == "https://ex.com/a"  # no query string, no token


@pytest.mark.parametrize(
    ("body", "status"),
    [
        (b"not json", 400),
        (b'{"events": []}', 400),
        (b'{"events": {"id": 1}}', 400),
        (json.dumps({"events": [{}] * 101}).encode(), 400),
        (json.dumps({"events": [{"id": "x" * 700}] * 100}).encode(), 413),
    ],
)
def test_a_batch_that_is_not_one_is_refused_whole_and_queues_nothing(api, body, status):
    answer = invoke(
        _handlers["analytics_events_ingest"],
        "POST",
        "/api/analytics/events",
        authorizer={"sub": new_user(), "scope": "analytics:write", "token_use": "user"},
        body=body.decode(),
    )
    assert answer.status == status, answer.body
    assert answer.headers["Content-Type"] == "application/problem+json"
    assert _drain() == []


# ------------------------------------------------------------------------------------ counting
def test_each_event_and_each_person_count_once_under_retries_redelivery_and_racing_deliveries(api):
    author, post = new_user(), None
    post = new_post(author)
    moment = an_hour_ago()
    viewers = [new_user() for _ in range(4)]
    for viewer in viewers:
        batch = [view(post, moment, "v1"), view(post, moment + timedelta(minutes=1), "v2")]
        assert send(viewer, batch)[0] == 202
        assert send(viewer, batch)[0] == 202  # the client retried the whole batch
    assert send(author, [view(post, moment, "mine")])[0] == 202  # the author's own view
    messages = _drain()
    assert len(messages) == 9
    # every message delivered twice, the deliveries racing each other
    with ThreadPoolExecutor(max_workers=6) as pool:
        counted = list(pool.map(aggregate, messages + messages))
    assert sum(counted) == 8  # 4 viewers x 2 events; the rest were already counted, or the author's
    [day] = report_after(f"obj#{post}", moment)["buckets"]
    assert day == {**day, "status": "reported", "visitors": 4, "counts": {"post_view": 8, "link_click": 0}}
    assert aggregate(messages[0]) == 0  # a redelivery days later changes nothing


def test_a_link_click_counts_for_the_thing_that_holds_the_link_and_unknown_things_count_nowhere(api):
    post = new_post(new_user())
    moment = an_hour_ago()
    ghost = ids.new_id("pst")
    for viewer in [new_user() for _ in range(CROWD)]:
        click = {"id": "k", "type": "link_click", "object": post, "occurred_at": at(moment), "url": "https://ex.com"}
        assert send(viewer, [click, view(ghost, moment)])[0] == 202
    aggregate_queued()
    [day] = report_after(f"obj#{post}", moment)["buckets"]
    assert day["counts"] == {"post_view": 0, "link_click": CROWD}
    assert report_after(f"obj#{ghost}", moment)["buckets"][0]["status"] == reports.SUPPRESSED


def test_raw_events_land_in_s3_by_date_and_hour_with_no_person_id_and_duckdb_reads_them(api, tmp_path):
    duckdb = pytest.importorskip("duckdb")
    post, viewers = new_post(new_user()), [new_user() for _ in range(2)]
    moment = an_hour_ago()
    for viewer in viewers:
        assert send(viewer, [view(post, moment, "r1")])[0] == 202
    aggregate_queued()
    s3 = aws.client("s3")
    prefix = f"events/date={moment:%Y-%m-%d}/hour={moment:%H}/"
    keys = [item["Key"] for item in s3.list_objects_v2(Bucket=_resources["bucket"], Prefix=prefix)["Contents"]]
    rows = []
    for key in keys:
        body = s3.get_object(Bucket=_resources["bucket"], Key=key)["Body"].read()
        local = tmp_path / key
        local.parent.mkdir(parents=True, exist_ok=True)
        local.write_bytes(body)
        text = gzip.decompress(body).decode()
        assert not any(viewer in text for viewer in viewers)
        rows += [json.loads(line) for line in text.splitlines()]
    mine = [row for row in rows if row["object"] == post]
    assert len(mine) == 2 and len({row["visitor"] for row in mine}) == 2
    query = (
        "SELECT count(DISTINCT event_key) AS views, count(DISTINCT visitor) AS people "
        f"FROM read_json('{tmp_path}/events/*/*/*.json.gz', hive_partitioning = true) "
        f"WHERE object = '{post}' AND date = '{moment:%Y-%m-%d}'"
    )
    assert duckdb.sql(query).fetchall() == [(2, 2)]


# ------------------------------------------------------------------------------------ reports
def test_a_thin_hour_hides_its_day_and_every_hour_of_it_so_no_difference_reveals_it(api):
    post = new_post(new_user())
    moment = an_hour_ago()
    other_hour = moment - timedelta(hours=1) if moment.hour >= 1 else moment + timedelta(minutes=20)
    crowd = [new_user() for _ in range(CROWD)]
    for viewer in crowd:
        assert send(viewer, [view(post, moment)])[0] == 202
    aggregate_queued()
    assert report_after(f"obj#{post}", moment)["buckets"][0]["status"] == reports.REPORTED
    hours = report_after(f"obj#{post}", moment, buckets.HOUR)["buckets"]
    assert [row["visitors"] for row in reported(hours)] == [CROWD]
    if other_hour.hour == moment.hour:
        pytest.skip("too close to midnight for a second hour of the same day")
    assert send(new_user(), [view(post, other_hour)])[0] == 202  # one person alone in another hour
    aggregate_queued()
    day = report_after(f"obj#{post}", moment)["buckets"][0]
    assert day["status"] == reports.SUPPRESSED and "visitors" not in day and "counts" not in day
    assert reported(report_after(f"obj#{post}", moment, buckets.HOUR)["buckets"]) == []


def test_the_report_route_answers_the_owner_alone_and_keeps_open_days_open(api):
    author, stranger = new_user(), new_user()
    post = new_post(author)
    path = f"/api/analytics/objects/{post}"
    status, answer = call(
        "analytics_object_report",
        "GET",
        path,
        author,
        scopes="analytics:read",
        query={"from": str(datetime.now(UTC).date()), "to": str(datetime.now(UTC).date())},
    )
    assert status == 200, answer
    assert answer["subject"] == {"type": "post", "id": post} and answer["minimum_crowd"] == CROWD
    assert [row["status"] for row in answer["buckets"]] == ["open"]
    assert call("analytics_object_report", "GET", path, stranger, scopes="analytics:read")[0] == 404
    assert (
        call(
            "analytics_object_report",
            "GET",
            f"/api/analytics/objects/{ids.new_id('pst')}",
            author,
            scopes="analytics:read",
        )[0]
        == 404
    )
    profile = f"/api/analytics/objects/{author}"
    assert call("analytics_object_report", "GET", profile, author, scopes="analytics:read")[0] == 200
    assert call("analytics_object_report", "GET", profile, stranger, scopes="analytics:read")[0] == 404
    for query in (
        {"from": "2026-02-30"},
        {"from": "2026-12-02", "to": "2026-12-01"},
        {"to": "2999-01-01"},
        {"from": "2026-01-01", "to": "2026-06-01"},
        {"granularity": "hour", "from": "2026-11-01", "to": "2026-11-09"},
    ):
        status, problem = call("analytics_object_report", "GET", path, author, scopes="analytics:read", query=query)
        assert status == 400, (query, problem)
    status, answer = call(
        "analytics_platform_report",
        "GET",
        "/api/analytics/platform",
        stranger,
        scopes="platform_analytics:read",
        query={"granularity": "hour"},
    )
    assert status == 200 and len(answer["buckets"]) == 24 and answer["subject"] == {"type": "platform", "id": None}
    assert (
        call("analytics_platform_report", "GET", "/api/analytics/platform", stranger, scopes="analytics:read")[0] == 403
    )


@settings(max_examples=6, deadline=None, suppress_health_check=list(HealthCheck))
@given(st.lists(st.tuples(st.integers(0, 5), st.integers(0, 2)), min_size=1, max_size=14))
def test_no_report_names_anyone_or_shows_a_bucket_fewer_than_the_crowd_made(api, stream):
    """A generated stream of (person, hour offset) views, counted and reported: every bucket shown
    has its exact figures, every bucket fewer than the crowd made is hidden, and no report or raw
    file holds a person's id."""
    post = new_post(new_user())
    people = [new_user() for _ in range(6)]
    base = an_hour_ago() - timedelta(hours=2)
    for index, (person, offset) in enumerate(stream):
        assert send(people[person], [view(post, base + timedelta(hours=offset), f"e{index}")])[0] == 202
    aggregate_queued()
    truth: dict[str, set[int]] = {}
    for person, offset in stream:
        truth.setdefault(
            buckets.label(int((base + timedelta(hours=offset)).timestamp() * 1000), buckets.HOUR), set()
        ).add(person)
    for day in sorted({hour[:10] for hour in truth}):
        moment = datetime.fromisoformat(f"{day}T00:00:00+00:00")
        for granularity in buckets.GRANULARITIES:
            answer = report_after(f"obj#{post}", moment, granularity)
            assert not any(person in json.dumps(answer) for person in people)
            day_hours = {hour: who for hour, who in truth.items() if hour.startswith(day)}
            thin_day = any(0 < len(who) < CROWD for who in day_hours.values())
            for row in answer["buckets"]:
                bucket = row["start"][:13] if granularity == buckets.HOUR else day
                who = set().union(*(w for h, w in day_hours.items() if h.startswith(bucket)))
                if thin_day or len(who) < CROWD:
                    assert row["status"] == reports.SUPPRESSED, (granularity, row, stream)
                else:
                    assert row["visitors"] == len(who)
                    assert row["counts"]["post_view"] == sum(
                        1
                        for p, o in stream
                        if buckets.label(int((base + timedelta(hours=o)).timestamp() * 1000), buckets.HOUR).startswith(
                            bucket
                        )
                    )
