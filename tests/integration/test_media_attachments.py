"""Media readable through what it is attached to, in-process against the emulator: a reader of a
published post fetches its attachments (with real HTTP against the emulator's S3), and loses them
when the post is unpublished, hidden, deleted or the media detached; the uploader never does; the
answers carry everything a reader needs, and a feed page costs no read for its attachments."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
import requests

from eckospace import aws
from eckospace.media import store as media_store
from tests.integration.conftest import CallCounter, module_functions, module_handlers
from tests.support import sample_files
from tests.support.lambda_proxy import invoke
from tests.support.media import stored_media

FUNCTIONS = module_functions("posts", "media")
SCOPES = "posts:read posts:write media:read media:write moderation:read moderation:write"
_handlers: dict[str, Any] = {}


@pytest.fixture
def api(function_env):
    return module_handlers(function_env, FUNCTIONS, _handlers)


def call(function: str, method: str, path: str, user: str, body: Any = None) -> tuple[int, Any]:
    authorizer = {"sub": user, "scope": SCOPES, "token_use": "user"}
    answer = invoke(_handlers[function], method, path, body=body, authorizer=authorizer)
    return answer.status, answer.body


def user() -> str:
    return f"u-{uuid.uuid4().hex[:10]}"


def post_with(author: str, *media_ids: str, status: str = "published") -> dict[str, Any]:
    code, post = call(
        "posts_create",
        "POST",
        "/api/posts",
        author,
        {"text": "see attached", "attachments": list(media_ids), "status": status},
    )
    assert code == 201, post
    return post


def media_as(reader: str, media_id: str) -> tuple[int, Any]:
    return call("media_get", "GET", f"/api/media/{media_id}", reader)


def fetch(link: dict[str, Any]) -> requests.Response:
    return requests.get(link["url"], timeout=5)


def test_a_reader_of_a_published_post_fetches_its_attachment_and_loses_it_with_the_post(api):
    author, reader = user(), user()
    pdf = stored_media(author)
    post = post_with(author, pdf)

    (attachment,) = post["attachments"]
    assert attachment["kind"] == "document" and attachment["metadata"] == {"pages": 1}
    assert attachment["size"] == len(sample_files.pdf_bytes()) and attachment["display_name"] == "minutes.pdf"
    downloaded = fetch(attachment["download"])
    assert downloaded.status_code == 200 and downloaded.content == sample_files.pdf_bytes()
    assert downloaded.headers["Content-Disposition"] == "attachment; filename*=UTF-8''minutes.pdf"
    code, seen = media_as(reader, pdf)
    assert code == 200 and fetch(seen["download"]).content == sample_files.pdf_bytes()

    path = f"/api/posts/{post['id']}"
    assert call("posts_update", "PATCH", path, author, {"status": "draft"})[0] == 200
    assert media_as(reader, pdf)[0] == 404
    assert media_as(author, pdf)[0] == 200  # the uploader keeps access
    assert call("posts_update", "PATCH", path, author, {"status": "published"})[0] == 200
    assert media_as(reader, pdf)[0] == 200

    moderator = user()
    assert call(
        "posts_moderation_decision_create",
        "POST",
        f"/api/moderation/posts/{post['id']}/decisions",
        moderator,
        {"action": "hide", "reason": "spam"},
    )[0] in (200, 201)
    assert media_as(reader, pdf)[0] == 404
    call(
        "posts_moderation_decision_create",
        "POST",
        f"/api/moderation/posts/{post['id']}/decisions",
        moderator,
        {"action": "restore", "reason": "fine"},
    )
    assert media_as(reader, pdf)[0] == 200

    assert call("posts_delete", "DELETE", path, author)[0] == 204
    assert media_as(reader, pdf)[0] == 404
    assert media_as(author, pdf)[0] == 200


def test_media_of_a_draft_is_not_found_for_others_exactly_as_media_that_does_not_exist(api):
    author, reader = user(), user()
    draft_media = stored_media(author)
    post_with(author, draft_media, status="draft")
    hidden, missing = media_as(reader, draft_media), media_as(reader, media_store.new_media_id())
    assert hidden[0] == missing[0] == 404
    assert hidden[1]["detail"] == missing[1]["detail"] and hidden[1]["type"] == missing[1]["type"]


def test_detached_media_stop_being_readable_and_media_of_two_posts_stay_until_the_last_goes(api):
    author, reader = user(), user()
    shared, other = stored_media(author), stored_media(author)
    first, second = post_with(author, shared, other), post_with(author, shared)

    code, edited = call("posts_update", "PATCH", f"/api/posts/{first['id']}", author, {"attachments": [shared]})
    assert code == 200 and [a["id"] for a in edited["attachments"]] == [shared]
    assert media_as(reader, other)[0] == 404
    assert call("posts_delete", "DELETE", f"/api/posts/{first['id']}", author)[0] == 204
    assert media_as(reader, shared)[0] == 200  # still attached to the second, public post
    assert call("posts_delete", "DELETE", f"/api/posts/{second['id']}", author)[0] == 204
    assert media_as(reader, shared)[0] == 404


def test_a_link_edited_to_reach_other_media_is_refused(api):
    author, reader = user(), user()
    public, private = stored_media(author), stored_media(author)
    post = post_with(author, public)
    link = post["attachments"][0]["download"]["url"]
    edited = link.replace(public, private)
    assert edited != link and requests.get(edited, timeout=5).status_code == 403
    assert media_as(reader, private)[0] == 404


def test_public_images_come_from_the_cdn_and_draft_images_from_presigned_urls(api):
    author = user()
    image = stored_media(author, kind="image", content=sample_files.jpeg_bytes())
    public = post_with(author, image)["attachments"][0]
    assert public["metadata"] == {"width": 64, "height": 48}
    links = (
        (public["download"], "original"),
        (public["thumbnail"], "thumbnail.jpg"),
        (public["preview"], "preview.jpg"),
    )
    for link, name in links:
        assert link["expires_at"] is None
        assert link["url"].startswith("https://") and link["url"].endswith(f"/public/{image}/{name}")

    draft = post_with(author, image, status="draft")["attachments"][0]
    assert draft["download"]["expires_at"] is not None and "X-Amz-Signature=" in draft["download"]["url"]
    assert fetch(draft["thumbnail"]).content == b"thumbnail" and fetch(draft["preview"]).content == b"preview"


def test_a_feed_page_of_posts_with_attachments_costs_one_query(api):
    author = user()
    for _ in range(20):
        post_with(author, stored_media(author), stored_media(author, kind="image", content=sample_files.jpeg_bytes()))
    counter = CallCounter()
    counter.attach(aws.client("dynamodb"))
    counter.attach(aws.client("s3"))
    code, page = call("posts_user_list", "GET", f"/api/users/{author}/posts", author)
    assert code == 200 and len(page["data"]) == 20
    assert all(len(post["attachments"]) == 2 for post in page["data"])
    assert counter.calls == ["Query"]  # attachments: their summaries are in the page, their URLs signed locally
