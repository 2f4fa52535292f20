"""Posts through their handlers, in-process, against the emulator: ownership and visibility,
attachments, hashtags and mentions, reactions (exact under concurrency), bookmarks, reports and
moderation, discovery and its cursors, and the backend calls each hot path makes."""

from __future__ import annotations

import base64
import json
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime
from typing import Any

import pytest

from eckospace import aws
from eckospace.media import store as media_store
from eckospace.notifications import store as notifications_store
from eckospace.posts import reactions, service, store, trending
from tests.integration.conftest import CallCounter, load_function, module_functions, module_handlers
from tests.support.lambda_proxy import Context, invoke

FUNCTIONS = module_functions("posts")
_handlers: dict[str, Any] = {}
_events_queue: list[str] = []
USER_SCOPES = "posts:read posts:write"
MODERATOR_SCOPES = "posts:read moderation:read moderation:write"
WORKERS = 16


@pytest.fixture
def api(function_env, backend):
    _events_queue[:] = [backend["template"].ref("WebhookEventsQueue")]  # every domain event reaches it
    return module_handlers(function_env, FUNCTIONS, _handlers)


def new_user() -> str:
    return f"u-{uuid.uuid4().hex[:10]}"


def call(
    function: str, method: str, path: str, user: str, *, scopes: str = USER_SCOPES, token_use: str = "user", **request
):
    """`function`'s answer to `user`'s request: its status, parsed body and headers."""
    authorizer = {"sub": user, "scope": scopes, "token_use": token_use}
    answer = invoke(_handlers[function], method, path, authorizer=authorizer, **request)
    return answer.status, answer.body, answer.headers


def create(author: str, text: str = "hello world", **fields) -> dict:
    status, post, headers = call("posts_create", "POST", "/api/posts", author, body={"text": text, **fields})
    assert status == 201, post
    assert headers["location"] == f"/api/posts/{post['id']}"
    return post


def get(post_id: str, viewer: str):
    return call("posts_get", "GET", f"/api/posts/{post_id}", viewer)


def media(owner: str, status: str = "ready") -> str:
    media_id = media_store.new_media_id()
    media_store.create_record(
        {
            "id": media_id,
            "owner": owner,
            "kind": "document",
            "status": status,
            "media_type": "application/pdf",
            "size": 10,
            "display_name": "notes.pdf",
            "created_at": int(time.time()),
            "expires_at": int(time.time()) + 900 if status == "pending" else None,
        }
    )
    return media_id


def all_pages(function: str, path: str, viewer: str, query: dict | None = None, scopes: str = USER_SCOPES) -> list:
    found, cursor = [], None
    for _ in range(200):
        status, page, _ = call(
            function,
            "GET",
            path,
            viewer,
            query={**(query or {}), "limit": "100", **({"cursor": cursor} if cursor else {})},
            scopes=scopes,
        )
        assert status == 200, page
        found += page["data"]
        cursor = page["next_cursor"]
        if not cursor:
            return found
    raise AssertionError("too many pages")


def ids(items: list) -> list[str]:
    return [
        item["id"] if "id" in item and item.get("object") == "post" else item.get("post", item)["id"] for item in items
    ]


# ------------------------------------------------------------------------------------ create and read
def test_a_post_is_created_and_read_with_its_hashtags_mentions_and_exact_counts(api):
    author, friend, other = new_user(), new_user(), new_user()
    post = create(author, f"Hello #Cats and #cats, #Dogs! @{friend} @{author} @{friend}")
    assert post["id"].startswith("pst_") and post["status"] == "published" and post["version"] == 1
    assert post["hashtags"] == ["cats", "dogs"] and post["mentions"] == [friend]  # self-mention ignored
    status, read, headers = get(post["id"], other)
    assert status == 200 and read["text"] == post["text"] and headers["etag"].startswith('"v1.')
    assert (
        call("posts_get", "GET", f"/api/posts/{post['id']}", other, headers={"If-None-Match": headers["etag"]})[0]
        == 304
    )
    call("posts_reaction_put", "PUT", f"/api/posts/{post['id']}/reaction", other, body={"type": "wow"})
    status, _, changed = call(
        "posts_get", "GET", f"/api/posts/{post['id']}", other, headers={"If-None-Match": headers["etag"]}
    )
    assert status == 200 and changed["etag"] != headers["etag"]  # counts are part of the representation
    assert read["reactions"] == {"like": 0, "love": 0, "laugh": 0, "wow": 0, "sad": 0, "celebrate": 0}
    assert post["id"] in ids(all_pages("posts_feed", "/api/feed", other))
    assert post["id"] in ids(all_pages("posts_hashtag_list", "/api/hashtags/CATS/posts", other))
    accented = create(author, "Un #Café serré")
    assert accented["id"] in ids(all_pages("posts_hashtag_list", "/api/hashtags/caf%C3%A9/posts", other))
    assert call("posts_hashtag_list", "GET", "/api/hashtags/no%20tag/posts", other)[0] == 404


def test_text_rules_are_enforced(api):
    author = new_user()
    for text, status in [
        ("", 400),
        ("bad \x07 bell", 422),
        (" ".join(f"#t{n}" for n in range(11)), 422),
        ("x" * 5001, 400),
        (" ".join(f"@user{n}" for n in range(11)), 422),
    ]:
        got, problem, _ = call("posts_create", "POST", "/api/posts", author, body={"text": text})
        assert got == status, (text[:20], problem)
    assert call("posts_create", "POST", "/api/posts", author, body={"text": "hi", "status": "secret"})[0] == 400


def test_mentions_notify_each_user_once(api):
    author, friend = new_user(), new_user()
    post = create(author, f"draft for @{friend}", status="draft")
    assert notifications(friend) == []  # not published yet
    call("posts_update", "PATCH", f"/api/posts/{post['id']}", author, body={"status": "published"})
    call("posts_update", "PATCH", f"/api/posts/{post['id']}", author, body={"text": f"edited, still @{friend}"})
    call("posts_update", "PATCH", f"/api/posts/{post['id']}", author, body={"status": "draft"})
    call("posts_update", "PATCH", f"/api/posts/{post['id']}", author, body={"status": "published"})
    found = notifications(friend)
    assert len(found) == 1 and found[0]["type"] == "mention" and found[0]["subject"]["id"] == post["id"]
    assert found[0]["actor"] == author


def notifications(user: str) -> list[dict]:
    answer = aws.client("dynamodb").query(
        TableName=notifications_store.table(),
        KeyConditionExpression="pk = :p AND begins_with(sk, :n)",
        ExpressionAttributeValues={":p": {"S": f"user#{user}"}, ":n": {"S": "ntf_"}},
    )
    return [store.from_item(item) for item in answer["Items"]]


def test_notifications_and_allowance_counters_expire(api):
    author, friend = new_user(), new_user()
    post = create(author, f"hi @{friend}")
    [note] = notifications(friend)
    assert note["expires_at"] - time.time() > 89 * 86_400
    counter = aws.client("dynamodb").get_item(
        TableName=store.table(),
        Key={"pk": {"S": service.DAILY_POSTS.key_value(author, post_time(post))}, "sk": {"S": "allowance"}},
    )["Item"]
    assert int(counter["used"]["N"]) == 1 and int(counter["expires_at"]["N"]) > time.time() + 86_400


def post_time(post: dict) -> float:
    return datetime.fromisoformat(post["created_at"].replace("Z", "+00:00")).timestamp()


def test_idempotency_key_replays_the_same_post(api):
    author, key = new_user(), uuid.uuid4().hex
    first = call("posts_create", "POST", "/api/posts", author, body={"text": "once"}, headers={"Idempotency-Key": key})
    again = call("posts_create", "POST", "/api/posts", author, body={"text": "once"}, headers={"Idempotency-Key": key})
    assert first[0] == again[0] == 201 and first[1]["id"] == again[1]["id"]
    other = call("posts_create", "POST", "/api/posts", author, body={"text": "twice"}, headers={"Idempotency-Key": key})
    assert other[0] == 422


# ------------------------------------------------------------------------------------ ownership
def test_drafts_are_invisible_to_everyone_but_their_author(api):
    author, other = new_user(), new_user()
    draft = create(author, "secret #drafttag", status="draft")
    assert get(draft["id"], author)[0] == 200
    assert get(draft["id"], other)[0] == 404
    assert draft["id"] not in ids(all_pages("posts_feed", "/api/feed", other))
    assert draft["id"] not in ids(all_pages("posts_user_list", f"/api/users/{author}/posts", other))
    assert draft["id"] in ids(all_pages("posts_user_list", f"/api/users/{author}/posts", author))
    assert all_pages("posts_hashtag_list", "/api/hashtags/drafttag/posts", other) == []
    for method, path, body in [
        ("PUT", "/reaction", {"type": "like"}),
        ("PUT", "/bookmark", None),
        ("POST", "/reports", {"reason": "spam"}),
    ]:
        function = {
            "/reaction": "posts_reaction_put",
            "/bookmark": "posts_bookmark_put",
            "/reports": "posts_report_create",
        }[path]
        assert call(function, method, f"/api/posts/{draft['id']}{path}", other, body=body)[0] == 404


def test_nobody_edits_or_deletes_another_users_post(api):
    author, other = new_user(), new_user()
    post = create(author, "mine")
    draft = create(author, "mine too", status="draft")
    assert call("posts_update", "PATCH", f"/api/posts/{post['id']}", other, body={"text": "yours"})[0] == 403
    assert call("posts_delete", "DELETE", f"/api/posts/{post['id']}", other)[0] == 403
    assert call("posts_update", "PATCH", f"/api/posts/{draft['id']}", other, body={"text": "yours"})[0] == 404
    assert call("posts_delete", "DELETE", f"/api/posts/{draft['id']}", other)[0] == 404
    assert get(post["id"], other)[1]["text"] == "mine"


def test_the_author_edits_with_if_match_and_deletes(api):
    author = new_user()
    post = create(author, "first #one")
    call("posts_reaction_put", "PUT", f"/api/posts/{post['id']}/reaction", new_user(), body={"type": "like"})
    read_tag = get(post["id"], author)[2]["etag"]  # a reaction is not an edit: this still matches v1
    status, edited, headers = call(
        "posts_update",
        "PATCH",
        f"/api/posts/{post['id']}",
        author,
        body={"text": "second #two"},
        headers={"If-Match": read_tag},
    )
    assert status == 200 and edited["version"] == 2 and edited["hashtags"] == ["two"]
    assert headers["etag"].startswith('"v2.')
    assert (
        call(
            "posts_update",
            "PATCH",
            f"/api/posts/{post['id']}",
            author,
            body={"text": "third"},
            headers={"If-Match": read_tag},
        )[0]
        == 412
    )
    # a request that fails anyway gets that answer, whatever its precondition (RFC 9110 §13.2.2)
    assert (
        call(
            "posts_update",
            "PATCH",
            f"/api/posts/{post['id']}",
            author,
            body={"text": "bad \x07 bell"},
            headers={"If-Match": read_tag},
        )[0]
        == 422
    )
    assert post["id"] not in ids(all_pages("posts_hashtag_list", "/api/hashtags/one/posts", author))
    tagged = all_pages("posts_hashtag_list", "/api/hashtags/two/posts", author)
    assert [p["text"] for p in tagged if p["id"] == post["id"]] == ["second #two"]
    assert call("posts_delete", "DELETE", f"/api/posts/{post['id']}", author)[0] == 204
    assert get(post["id"], author)[0] == 404
    assert post["id"] not in ids(all_pages("posts_hashtag_list", "/api/hashtags/two/posts", author))
    assert post["id"] not in ids(all_pages("posts_feed", "/api/feed", author))


def test_attachments_must_be_the_authors_own_ready_media(api):
    author, other = new_user(), new_user()
    own = media(author)
    post = create(author, "with a file", attachments=[own])
    (attachment,) = post["attachments"]
    assert {name: attachment[name] for name in ("id", "object", "kind", "media_type", "size", "display_name")} == {
        "id": own,
        "object": "media",
        "kind": "document",
        "media_type": "application/pdf",
        "size": 10,
        "display_name": "notes.pdf",
    }
    theirs, pending, missing = media(other), media(author, status="pending"), media_store.new_media_id()
    details = []
    for media_id in (theirs, pending, missing):
        status, problem, _ = call(
            "posts_create", "POST", "/api/posts", author, body={"text": "x", "attachments": [own, media_id]}
        )
        assert status == 422 and media_id in problem["detail"]
        details.append(problem["detail"].replace(media_id, "ID"))
    assert len(set(details)) == 1  # another's media is refused exactly like a missing one
    status, _, _ = call(
        "posts_update", "PATCH", f"/api/posts/{post['id']}", author, body={"attachments": [own, theirs]}
    )
    assert status == 422


# ------------------------------------------------------------------------------------ reactions
def test_a_reader_sees_their_own_reaction_and_bookmark_and_the_etag_follows_them(api):
    author, reader = new_user(), new_user()
    post = create(author, "mine to react to")
    path = f"/api/posts/{post['id']}"
    status, before, headers = get(post["id"], reader)
    assert status == 200 and before["viewer"] == {"reaction": None, "bookmarked": False}
    call("posts_reaction_put", "PUT", f"{path}/reaction", reader, body={"type": "love"})
    call("posts_bookmark_put", "PUT", f"{path}/bookmark", reader)
    _, after, after_headers = get(post["id"], reader)
    assert after["viewer"] == {"reaction": "love", "bookmarked": True}
    assert after_headers["etag"] != headers["etag"]
    assert get(post["id"], author)[1]["viewer"] == {"reaction": None, "bookmarked": False}  # theirs alone


def test_reactions_are_one_per_user_and_can_change_or_go(api):
    author, fan = new_user(), new_user()
    post = create(author, "react to me")
    path = f"/api/posts/{post['id']}/reaction"
    assert call("posts_reaction_put", "PUT", path, fan, body={"type": "like"})[0] == 201
    assert call("posts_reaction_put", "PUT", path, fan, body={"type": "like"})[0] == 200
    assert get(post["id"], author)[1]["reactions"]["like"] == 1
    status, changed, _ = call("posts_reaction_put", "PUT", path, fan, body={"type": "love"})
    assert status == 200 and changed["type"] == "love"
    counts = get(post["id"], author)[1]["reactions"]
    assert counts["like"] == 0 and counts["love"] == 1
    for bad in ({"type": "meh"}, {}, {"type": "like", "extra": 1}, ["like"], json.dumps("like")):
        status, problem, _ = call("posts_reaction_put", "PUT", path, fan, body=bad)
        assert status == 400 and problem["errors"][0]["name"] == "type", bad
    assert call("posts_reaction_delete", "DELETE", path, fan)[0] == 204
    assert call("posts_reaction_delete", "DELETE", path, fan)[0] == 204
    assert get(post["id"], author)[1]["reaction_count"] == 0
    assert (
        call(
            "posts_reaction_put",
            "PUT",
            "/api/posts/pst_00000000000000000000000000/reaction",
            fan,
            body={"type": "like"},
        )[0]
        == 404
    )


@pytest.fixture
def isolated_dynamodb(monkeypatch):
    """DynamoDB's isolation for the in-process emulator, as the local stack's emulator provides it
    (`eckolocal.emulator.SerializedDynamoDB`): moto alone runs requests on threads unisolated."""
    import threading

    from moto.dynamodb.responses import DynamoHandler

    lock, call_action = threading.Lock(), DynamoHandler.call_action

    def serialized(self):
        with lock:
            return call_action(self)

    monkeypatch.setattr(DynamoHandler, "call_action", serialized)


def test_concurrent_reactions_and_unreactions_end_with_exact_counts(api, isolated_dynamodb):
    post = create(new_user(), "viral")
    users = [new_user() for _ in range(40)]
    kinds = ["like", "love", "laugh", "wow"]

    def react(index: int) -> None:
        reactions.react(post["id"], users[index], kinds[index % len(kinds)])

    with ThreadPoolExecutor(max_workers=WORKERS) as pool:
        list(pool.map(react, range(len(users))))
    leaving = users[:12]
    changing = users[12:20]
    with ThreadPoolExecutor(max_workers=WORKERS) as pool:
        futures = [pool.submit(reactions.unreact, post["id"], user) for user in leaving]
        futures += [pool.submit(reactions.react, post["id"], user, "celebrate") for user in changing]
        futures += [pool.submit(reactions.react, post["id"], user, "like") for user in users[20:]]  # some no-ops
        for future in futures:
            future.result()
    expected = dict.fromkeys(store.REACTION_TYPES, 0)
    for index, user in enumerate(users):
        if user in leaving:
            continue
        kind = "celebrate" if user in changing else kinds[index % len(kinds)]
        if index >= 20:
            kind = "like"
        expected[kind] += 1
    assert get(post["id"], new_user())[1]["reactions"] == expected


def test_a_conflicting_reaction_is_retried_on_another_shard_and_counted_once(api, monkeypatch):
    post = create(new_user(), "contended")
    real, attempts = store.transact, []

    def conflict_once(operations):
        attempts.append(operations[1][1]["Update"]["Key"]["pk"]["S"])
        if len(attempts) == 1:
            raise store.Cancelled(None, ["None", "TransactionConflict"], [label for label, _ in operations])
        return real(operations)

    monkeypatch.setattr(store, "transact", conflict_once)
    assert (
        call("posts_reaction_put", "PUT", f"/api/posts/{post['id']}/reaction", new_user(), body={"type": "laugh"})[0]
        == 201
    )
    monkeypatch.setattr(store, "transact", real)
    assert len(attempts) == 2 and all(pk.startswith(f"counter#{post['id']}#") for pk in attempts)
    assert get(post["id"], new_user())[1]["reactions"]["laugh"] == 1


def test_endless_conflicts_answer_503_with_retry_after(api, monkeypatch):
    post = create(new_user(), "very contended")

    def always_conflict(operations):
        raise store.Cancelled(None, ["None", "TransactionConflict"], [label for label, _ in operations])

    monkeypatch.setattr(store, "transact", always_conflict)
    status, problem, headers = call(
        "posts_reaction_put", "PUT", f"/api/posts/{post['id']}/reaction", new_user(), body={"type": "laugh"}
    )
    assert status == 503 and headers["retry-after"] == "1" and problem["status"] == 503


# ------------------------------------------------------------------------------------ bookmarks
def test_bookmarks_are_private_and_drop_posts_that_went_away(api):
    reader, author, stranger = new_user(), new_user(), new_user()
    first, second = create(author, "one"), create(author, "two")
    for post in (first, second):
        assert call("posts_bookmark_put", "PUT", f"/api/posts/{post['id']}/bookmark", reader)[0] == 204
    assert call("posts_bookmark_put", "PUT", f"/api/posts/{first['id']}/bookmark", reader)[0] == 204  # idempotent
    assert ids(all_pages("posts_bookmarks_list", "/api/bookmarks", reader)) == [second["id"], first["id"]]
    assert all_pages("posts_bookmarks_list", "/api/bookmarks", stranger) == []
    call("posts_delete", "DELETE", f"/api/posts/{second['id']}", author)
    assert ids(all_pages("posts_bookmarks_list", "/api/bookmarks", reader)) == [first["id"]]
    assert call("posts_bookmark_delete", "DELETE", f"/api/posts/{first['id']}/bookmark", reader)[0] == 204
    assert all_pages("posts_bookmarks_list", "/api/bookmarks", reader) == []


# ------------------------------------------------------------------------------------ reports and moderation
def decided_events(post_id: str) -> list[dict]:
    sqs = aws.client("sqs")
    [url] = _events_queue
    found = []
    for _ in range(10):
        messages = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, WaitTimeSeconds=0).get("Messages", [])
        for message in messages:
            envelope = json.loads(message["Body"])
            if envelope["type"] == "moderation.decided" and envelope["data"]["post_id"] == post_id:
                found.append(envelope)
                sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])
        if found:
            return found
    return found


def test_one_open_report_per_user_per_post(api):
    author, reporter, moderator = new_user(), new_user(), new_user()
    post = create(author, "report me")
    path = f"/api/posts/{post['id']}/reports"
    status, report, _ = call("posts_report_create", "POST", path, reporter, body={"reason": "spam", "note": "ads"})
    assert status == 201 and report["status"] == "open" and report["id"].startswith("rpt_")
    assert call("posts_report_create", "POST", path, reporter, body={"reason": "hate"})[0] == 409
    assert call("posts_report_create", "POST", path, new_user(), body={"reason": "hate"})[0] == 201
    assert call("posts_report_create", "POST", path, reporter, body={"reason": "boring"})[0] == 400
    queue = all_pages("posts_moderation_reports_list", "/api/moderation/reports", moderator, scopes=MODERATOR_SCOPES)
    assert report["id"] in [r["id"] for r in queue]
    assert call("posts_moderation_reports_list", "GET", "/api/moderation/reports", reporter)[0] == 403


def test_a_decided_report_is_kept_and_its_reporter_may_report_again(api):
    author, reporter, moderator = new_user(), new_user(), new_user()
    post = create(author, "report me twice")
    path = f"/api/posts/{post['id']}/reports"
    first = call("posts_report_create", "POST", path, reporter, body={"reason": "spam"})[1]
    assert (
        call(
            "posts_moderation_decision_create",
            "POST",
            f"/api/moderation/posts/{post['id']}/decisions",
            moderator,
            body={"action": "restore", "reason": "not spam"},
            scopes=MODERATOR_SCOPES,
        )[0]
        == 201
    )
    status, second, _ = call("posts_report_create", "POST", path, reporter, body={"reason": "harassment"})
    assert status == 201 and second["id"] != first["id"]
    history = aws.client("dynamodb").query(
        TableName=store.table(),
        IndexName=store.LISTINGS,
        KeyConditionExpression="gsi1pk = :p",
        ExpressionAttributeValues={":p": {"S": f"post-reports#{post['id']}"}},
    )["Items"]
    assert sorted((i["id"]["S"], i["status"]["S"]) for i in history) == sorted(
        [(first["id"], "resolved"), (second["id"], "open")]
    )


@pytest.mark.parametrize(
    ("function", "setting"),
    [("posts_create", "ECKO_POSTS_DAILY_LIMIT"), ("posts_report_create", "ECKO_REPORTS_DAILY_LIMIT")],
)
def test_daily_allowances_hold_exactly_and_say_when_they_renew(api, monkeypatch, function, setting):
    monkeypatch.setenv(setting, "2")
    person = new_user()
    targets = [create(new_user(), "something to report")["id"] for _ in range(3)]

    def attempt(n: int):
        if function == "posts_create":
            return call(function, "POST", "/api/posts", person, body={"text": f"post {n}", "status": "draft"})
        return call(function, "POST", f"/api/posts/{targets[n]}/reports", person, body={"reason": "spam"})

    assert [attempt(n)[0] for n in range(2)] == [201, 201]
    status, problem, headers = attempt(2)
    assert status == 429 and problem["daily_limit"] == 2
    assert 0 < int(headers["retry-after"]) <= 86_400


def test_a_draft_takes_no_reaction_its_author_is_told_why_and_others_see_nothing(api):
    author = new_user()
    status, draft, _ = call("posts_create", "POST", "/api/posts", author, body={"text": "not yet", "status": "draft"})
    assert status == 201
    path = f"/api/posts/{draft['id']}/reaction"
    status, problem, _ = call("posts_reaction_put", "PUT", path, author, body={"type": "like"})
    assert status == 409 and problem["type"] == "urn:eckospace:problem:conflict"
    assert call("posts_reaction_put", "PUT", path, new_user(), body={"type": "like"})[0] == 404


def test_a_hidden_post_leaves_every_listing_refuses_reactions_and_comes_back(api):
    author, reporter, moderator, fan = new_user(), new_user(), new_user(), new_user()
    tag = f"mod{uuid.uuid4().hex[:8]}"
    post = create(author, f"borderline #{tag}")
    call("posts_reaction_put", "PUT", f"/api/posts/{post['id']}/reaction", fan, body={"type": "wow"})
    trending.refresh()
    call("posts_report_create", "POST", f"/api/posts/{post['id']}/reports", reporter, body={"reason": "violence"})
    decision_path = f"/api/moderation/posts/{post['id']}/decisions"
    assert (
        call("posts_moderation_decision_create", "POST", decision_path, author, body={"action": "hide", "reason": "x"})[
            0
        ]
        == 403
    )  # users hold no moderation scopes
    status, decision, _ = call(
        "posts_moderation_decision_create",
        "POST",
        decision_path,
        moderator,
        body={"action": "hide", "reason": "graphic"},
        scopes=MODERATOR_SCOPES,
    )
    assert status == 201 and decision["report_count"] == 1
    assert post["id"] not in ids(all_pages("posts_feed", "/api/feed", fan))
    assert post["id"] not in ids(all_pages("posts_feed", "/api/feed", fan, {"sort": "trending"}))
    assert all_pages("posts_hashtag_list", f"/api/hashtags/{tag}/posts", fan) == []
    assert post["id"] not in ids(all_pages("posts_user_list", f"/api/users/{author}/posts", fan))
    assert get(post["id"], fan)[0] == 404
    status, own, _ = get(post["id"], author)
    assert status == 200 and own["moderation"] == "hidden"
    assert (
        call("posts_reaction_put", "PUT", f"/api/posts/{post['id']}/reaction", new_user(), body={"type": "like"})[0]
        == 404
    )
    status, problem, _ = call(
        "posts_reaction_put", "PUT", f"/api/posts/{post['id']}/reaction", author, body={"type": "like"}
    )
    assert status == 409 and "published and visible" in problem["detail"]  # theirs to see, not to react to
    queue = all_pages("posts_moderation_reports_list", "/api/moderation/reports", moderator, scopes=MODERATOR_SCOPES)
    assert post["id"] not in [r["post_id"] for r in queue]
    events = decided_events(post["id"])
    assert [e["data"] for e in events] == [
        {
            "post_id": post["id"],
            "subject": {"type": "post", "id": post["id"]},
            "action": "hide",
            "reason": "graphic",
            "report_count": 1,
        }
    ]
    status, _, _ = call(
        "posts_moderation_decision_create",
        "POST",
        decision_path,
        moderator,
        body={"action": "restore", "reason": "on appeal"},
        scopes=MODERATOR_SCOPES,
    )
    assert status == 201
    assert post["id"] in ids(all_pages("posts_feed", "/api/feed", fan))
    assert post["id"] in ids(all_pages("posts_feed", "/api/feed", fan, {"sort": "trending"}))
    assert ids(all_pages("posts_hashtag_list", f"/api/hashtags/{tag}/posts", fan)) == [post["id"]]
    assert get(post["id"], fan)[1]["reactions"]["wow"] == 1
    assert (
        call("posts_reaction_put", "PUT", f"/api/posts/{post['id']}/reaction", new_user(), body={"type": "like"})[0]
        == 201
    )
    assert decided_events(post["id"])[0]["data"]["action"] == "restore"


def test_a_removed_post_is_gone(api):
    author, moderator = new_user(), new_user()
    post = create(author, "remove me")
    status, _, _ = call(
        "posts_moderation_decision_create",
        "POST",
        f"/api/moderation/posts/{post['id']}/decisions",
        moderator,
        body={"action": "remove", "reason": "illegal"},
        scopes=MODERATOR_SCOPES,
    )
    assert status == 201 and get(post["id"], author)[0] == 404


# ------------------------------------------------------------------------------------ discovery
def test_trending_ranks_by_reactions_and_age(api, monkeypatch):
    author = new_user()
    now = store.now_ms()
    real_now = store.now_ms
    monkeypatch.setattr(store, "now_ms", lambda: now - 2 * 3600 * 1000)
    older = create(author, "older")
    monkeypatch.setattr(store, "now_ms", real_now)
    newer, popular = create(author, "newer"), create(author, "popular")
    for post, count in ((older, 3), (newer, 3), (popular, 30)):
        for _ in range(count):
            reactions.react(post["id"], new_user(), "like")
    done = load_function("posts_trending_refresh").lambda_handler({}, Context())  # as the schedule runs it
    assert done["posts"] >= 3
    order = [
        i
        for i in ids(all_pages("posts_feed", "/api/feed", author, {"sort": "trending"}))
        if i in (older["id"], newer["id"], popular["id"])
    ]
    assert order == [popular["id"], newer["id"], older["id"]]
    listed = {p["id"]: p for p in all_pages("posts_feed", "/api/feed", author, {"sort": "trending"})}
    assert listed[popular["id"]]["reactions"]["like"] == 30  # folded in by the refresher
    touched = aws.client("dynamodb").scan(
        TableName=store.table(),
        FilterExpression="touched_sk = :p",
        ExpressionAttributeValues={":p": {"S": popular["id"]}},
    )["Items"]
    assert touched == []  # markers cleared


def test_hot_score_trades_ten_times_the_reactions_for_twelve_and_a_half_hours():
    base = 1_700_000_000_000
    assert store.hot_score(10, base) == pytest.approx(store.hot_score(1, base + 45_000_000))
    assert store.hot_score(5, base) < store.hot_score(5, base + 1000)


def tampered(cursor: str) -> list[str]:
    raw = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
    variants = []
    for change in ("value", "extra", "type"):
        copy = json.loads(json.dumps(raw))
        name = sorted(copy["k"])[0]
        if change == "value":
            copy["k"][name] = {"S": "post#nothing"} if "S" in copy["k"][name] else {"N": "not-a-number"}
        elif change == "extra":
            copy["k"]["evil"] = {"S": "x"}
        else:
            copy["k"][name] = {"B": "AAAA"}
        variants.append(base64.urlsafe_b64encode(json.dumps(copy).encode()).decode().rstrip("="))
    return [*variants, "not a cursor!", cursor[:-3]]


@pytest.mark.parametrize(
    ("function", "path", "query", "scopes"),
    [
        ("posts_feed", "/api/feed", {}, USER_SCOPES),
        ("posts_feed", "/api/feed", {"sort": "trending"}, USER_SCOPES),
        ("posts_hashtag_list", "/api/hashtags/{tag}/posts", {}, USER_SCOPES),
        ("posts_user_list", "/api/users/{author}/posts", {}, USER_SCOPES),
        ("posts_bookmarks_list", "/api/bookmarks", {}, USER_SCOPES),
        ("posts_moderation_reports_list", "/api/moderation/reports", {}, MODERATOR_SCOPES),
    ],
)
def test_every_listing_refuses_a_tampered_cursor(api, function, path, query, scopes):
    author, viewer = new_user(), new_user()
    tag = f"cur{uuid.uuid4().hex[:8]}"
    for n in range(3):
        post = create(author, f"post {n} #{tag}")
        call("posts_bookmark_put", "PUT", f"/api/posts/{post['id']}/bookmark", viewer)
        call("posts_report_create", "POST", f"/api/posts/{post['id']}/reports", viewer, body={"reason": "spam"})
    path = path.format(tag=tag, author=author)
    status, page, _ = call(function, "GET", path, viewer, query={**query, "limit": "1"}, scopes=scopes)
    assert status == 200 and page["next_cursor"], page
    status, _, _ = call(
        function, "GET", path, viewer, query={**query, "limit": "1", "cursor": page["next_cursor"]}, scopes=scopes
    )
    assert status == 200
    for bad in tampered(page["next_cursor"]):
        status, problem, _ = call(function, "GET", path, viewer, query={**query, "cursor": bad}, scopes=scopes)
        assert status == 400 and "cursor" in problem["detail"], (bad, problem)
    other = "/api/feed" if function != "posts_feed" else "/api/bookmarks"
    other_function = "posts_feed" if function != "posts_feed" else "posts_bookmarks_list"
    _, other_page, _ = call(other_function, "GET", other, viewer, query={"limit": "1"})
    if other_page["next_cursor"]:
        assert (
            call(function, "GET", path, viewer, query={**query, "cursor": other_page["next_cursor"]}, scopes=scopes)[0]
            == 400
        )


@pytest.mark.parametrize(
    "query", [{"limit": "0"}, {"limit": "101"}, {"limit": "ten"}, {"sort": "hot"}, {"cursor": "c" * 3000}]
)
def test_listing_parameters_are_checked(api, query):
    status, problem, _ = call("posts_feed", "GET", "/api/feed", new_user(), query=query)
    assert status == 400 and problem["errors"][0]["name"] in query


# ------------------------------------------------------------------------------------ backend calls
def test_a_reaction_is_one_transaction_and_a_feed_page_one_query(api):
    post = create(new_user(), "count my calls")
    counter = CallCounter()
    counter.attach(aws.client("dynamodb"))
    assert (
        call("posts_reaction_put", "PUT", f"/api/posts/{post['id']}/reaction", new_user(), body={"type": "like"})[0]
        == 201
    )
    assert counter.calls == ["TransactWriteItems", "GetItem"]  # the post's author, for post.reaction_added
    for query in ({}, {"sort": "trending"}):
        counter.calls.clear()
        assert call("posts_feed", "GET", "/api/feed", new_user(), query=query)[0] == 200
        assert counter.calls == ["Query"]
    counter.calls.clear()
    assert get(post["id"], new_user())[0] == 200
    assert counter.calls == ["BatchGetItem"]
    counter.calls.clear()
    create(new_user(), "and creating one", attachments=[])
    assert counter.calls == ["TransactWriteItems"]
