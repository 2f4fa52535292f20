"""The posts and media routes answer what the committed OpenAPI document (infra/openapi.json) says:
each answer's status is documented for its route, with its content type and headers, and its body
validates against the documented schema (`$ref`s resolved in the document; times checked as the
API writes them: RFC 3339, UTC, milliseconds, `Z`). Handlers run in-process against the emulator,
and the media worker checks real uploads sent with the presigned form."""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any

import pytest
import requests

from eckospace.media import store as media_store
from tests.integration.conftest import module_functions, module_handlers, sqs_event
from tests.support import sample_files
from tests.support.lambda_proxy import Answer, Context, file_upload, invoke
from tests.support.openapi_contract import answer_problems, component_errors, document

ROOT = Path(__file__).resolve().parents[2]
DOCUMENT_URI = "urn:eckospace:openapi"
USER_SCOPES = "posts:read posts:write media:read media:write"
MODERATOR_SCOPES = "posts:read moderation:read moderation:write"
FUNCTIONS = module_functions("posts", "media")
_handlers: dict[str, Any] = {}
POSTS_ROUTES = [
    "POST /api/posts",
    "GET /api/posts/{post_id}",
    "PATCH /api/posts/{post_id}",
    "DELETE /api/posts/{post_id}",
    "PUT /api/posts/{post_id}/reaction",
    "DELETE /api/posts/{post_id}/reaction",
    "PUT /api/posts/{post_id}/bookmark",
    "DELETE /api/posts/{post_id}/bookmark",
    "GET /api/bookmarks",
    "POST /api/posts/{post_id}/reports",
    "GET /api/feed",
    "GET /api/hashtags/{tag}/posts",
    "GET /api/users/{user_id}/posts",
    "GET /api/moderation/reports",
    "POST /api/moderation/posts/{post_id}/decisions",
]
MEDIA_ROUTES = ["POST /api/post/editor/media/document/upload", "POST /api/media/uploads", "GET /api/media/{media_id}"]


def conformance_problems(method: str, route: str, answer: Answer) -> list[str]:
    """Everything in `answer` that the document does not say of `method route`."""
    return answer_problems(method, route, answer.status, answer.headers, answer.text)


class Client:
    """Calls handlers as API Gateway would, and checks every answer against the document."""

    def __init__(self) -> None:
        self.checked: list[str] = []
        self.problems: list[str] = []

    def call(
        self,
        function: str,
        method: str,
        route: str,
        user: str,
        *,
        path: dict[str, str] | None = None,
        scopes: str = USER_SCOPES,
        **request: Any,
    ) -> Answer:
        authorizer = {"sub": user, "scope": scopes, "token_use": "user"}
        answer = invoke(
            _handlers[function], method, route.format(**(path or {})), resource=route, authorizer=authorizer, **request
        )
        self.checked.append(f"{method} {route} {answer.status}")
        self.problems += conformance_problems(method, route, answer)
        return answer


@pytest.fixture
def client(function_env) -> Client:
    module_handlers(function_env, FUNCTIONS, _handlers)
    return Client()


def unseen_success_answers(routes: list[str], checked: list[str]) -> list[str]:
    """The documented 2xx and 3xx answers of `routes` that no call in `checked` gave."""
    documented = [
        f"{route} {status}"
        for route in routes
        for status in document()["paths"][route.split(" ")[1]][route.split(" ")[0].lower()]["responses"]
        if status[0] in "23"
    ]
    return [answer for answer in documented if answer not in checked]


def new_user() -> str:
    return f"u-{uuid.uuid4().hex[:10]}"


# ------------------------------------------------------------------------------------ posts
def test_posts_answer_what_the_document_says(client):
    author, reader, moderator = new_user(), new_user(), new_user()
    tag = f"contract{uuid.uuid4().hex[:8]}"
    upload = client.call(
        "media_document_upload",
        "POST",
        "/api/post/editor/media/document/upload",
        author,
        **file_upload("minutes.pdf", sample_files.pdf_bytes(), "application/pdf"),
    )
    assert upload.status == 201, upload.body

    created = client.call(
        "posts_create",
        "POST",
        "/api/posts",
        author,
        body={"text": f"Minutes #{tag} for @{reader}", "attachments": [upload.body["id"]]},
        headers={"Idempotency-Key": uuid.uuid4().hex},
    )
    assert created.status == 201, created.body
    post_id = created.body["id"]
    assert "viewer" not in created.body
    assert [(a["id"], a["object"], a["display_name"]) for a in created.body["attachments"]] == [
        (upload.body["id"], "media", "minutes.pdf")
    ]
    ids = {"post_id": post_id}
    draft = client.call("posts_create", "POST", "/api/posts", author, body={"text": "not yet", "status": "draft"})
    assert draft.status == 201 and draft.body["published_at"] is None

    read = client.call("posts_get", "GET", "/api/posts/{post_id}", reader, path=ids)
    assert read.status == 200 and read.body["viewer"] == {"reaction": None, "bookmarked": False}
    unchanged = client.call(
        "posts_get", "GET", "/api/posts/{post_id}", reader, path=ids, headers={"If-None-Match": read.headers["etag"]}
    )
    assert unchanged.status == 304 and not unchanged.text
    assert (
        client.call("posts_get", "GET", "/api/posts/{post_id}", reader, path={"post_id": draft.body["id"]}).status
        == 404
    )

    new = client.call(
        "posts_reaction_put", "PUT", "/api/posts/{post_id}/reaction", reader, path=ids, body={"type": "like"}
    )
    assert new.status == 201 and new.body["updated_at"] is None
    kept = client.call(
        "posts_reaction_put", "PUT", "/api/posts/{post_id}/reaction", reader, path=ids, body={"type": "like"}
    )
    changed = client.call(
        "posts_reaction_put", "PUT", "/api/posts/{post_id}/reaction", reader, path=ids, body={"type": "celebrate"}
    )
    assert (kept.status, changed.status) == (200, 200) and changed.body["updated_at"] is not None
    assert (
        client.call(
            "posts_reaction_put",
            "PUT",
            "/api/posts/{post_id}/reaction",
            reader,
            path={"post_id": draft.body["id"]},
            body={"type": "like"},
        ).status
        == 404
    )
    assert client.call("posts_bookmark_put", "PUT", "/api/posts/{post_id}/bookmark", reader, path=ids).status == 204
    assert client.call("posts_get", "GET", "/api/posts/{post_id}", reader, path=ids).body["viewer"] == {
        "reaction": "celebrate",
        "bookmarked": True,
    }
    bookmarks = client.call("posts_bookmarks_list", "GET", "/api/bookmarks", reader)
    assert [mark["post"]["id"] for mark in bookmarks.body["data"]] == [post_id]

    edited = client.call(
        "posts_update",
        "PATCH",
        "/api/posts/{post_id}",
        author,
        path=ids,
        body={"text": f"Minutes, corrected #{tag}"},
        headers={"If-Match": created.headers["etag"]},
    )
    assert edited.status == 200 and edited.body["version"] == 2
    assert (
        client.call(
            "posts_update",
            "PATCH",
            "/api/posts/{post_id}",
            author,
            path=ids,
            body={"text": "again"},
            headers={"If-Match": created.headers["etag"]},
        ).status
        == 412
    )
    assert (
        client.call("posts_update", "PATCH", "/api/posts/{post_id}", reader, path=ids, body={"text": "mine now"}).status
        == 403
    )

    for query in ({"sort": "recent"}, {"sort": "trending"}):
        feed = client.call("posts_feed", "GET", "/api/feed", reader, query={**query, "limit": "100"})
        assert feed.status == 200 and set(feed.body) == {"data", "next_cursor"}
    tagged = client.call("posts_hashtag_list", "GET", "/api/hashtags/{tag}/posts", reader, path={"tag": tag.upper()})
    assert tagged.status == 200 and [post["id"] for post in tagged.body["data"]] == [post_id]
    assert set(tagged.body) == {"data", "next_cursor"}  # the tag is the query's, not the page's
    assert (
        client.call("posts_hashtag_list", "GET", "/api/hashtags/{tag}/posts", reader, path={"tag": "no%20tag"}).status
        == 404
    )

    report = client.call(
        "posts_report_create", "POST", "/api/posts/{post_id}/reports", reader, path=ids, body={"reason": "spam"}
    )
    assert report.status == 201 and report.body["note"] is None and report.body["decision"] is None
    assert (
        client.call(
            "posts_report_create",
            "POST",
            "/api/posts/{post_id}/reports",
            reader,
            path=ids,
            body={"reason": "other", "note": "still"},
        ).status
        == 409
    )
    queue = client.call(
        "posts_moderation_reports_list",
        "GET",
        "/api/moderation/reports",
        moderator,
        query={"limit": "100"},
        scopes=MODERATOR_SCOPES,
    )
    assert queue.status == 200 and queue.body["data"]
    decision = client.call(
        "posts_moderation_decision_create",
        "POST",
        "/api/moderation/posts/{post_id}/decisions",
        moderator,
        path=ids,
        body={"action": "hide", "reason": "spam"},
        scopes=MODERATOR_SCOPES,
    )
    assert decision.status == 201 and decision.body["report_count"] == 1
    assert (
        client.call(
            "posts_moderation_decision_create",
            "POST",
            "/api/moderation/posts/{post_id}/decisions",
            moderator,
            path={"post_id": "pst_" + "0" * 26},
            body={"action": "hide", "reason": "x"},
            scopes=MODERATOR_SCOPES,
        ).status
        == 404
    )

    own = client.call("posts_user_list", "GET", "/api/users/{user_id}/posts", author, path={"user_id": author})
    assert {(post["status"], post["moderation"]) for post in own.body["data"]} == {
        ("draft", "visible"),
        ("published", "hidden"),
    }
    theirs = client.call("posts_user_list", "GET", "/api/users/{user_id}/posts", reader, path={"user_id": author})
    assert theirs.status == 200 and theirs.body["data"] == []

    assert (
        client.call("posts_reaction_delete", "DELETE", "/api/posts/{post_id}/reaction", reader, path=ids).status == 204
    )
    assert (
        client.call("posts_bookmark_delete", "DELETE", "/api/posts/{post_id}/bookmark", reader, path=ids).status == 204
    )
    assert client.call("posts_delete", "DELETE", "/api/posts/{post_id}", author, path=ids).status == 204
    assert client.call("posts_delete", "DELETE", "/api/posts/{post_id}", author, path=ids).status == 404

    assert not client.problems, "\n".join(client.problems)
    assert not unseen_success_answers(POSTS_ROUTES, client.checked)


def test_a_422_is_documented_where_it_is_answered(client):
    author = new_user()
    refused = client.call("posts_create", "POST", "/api/posts", author, body={"text": "bad \x07 bell"})
    post = client.call("posts_create", "POST", "/api/posts", author, body={"text": "fine"}).body
    unready = client.call(
        "posts_update",
        "PATCH",
        "/api/posts/{post_id}",
        author,
        path={"post_id": post["id"]},
        body={"attachments": ["med_" + "0" * 24]},
    )
    empty = client.call(
        "media_document_upload",
        "POST",
        "/api/post/editor/media/document/upload",
        author,
        **file_upload("empty.pdf", b"", "application/pdf"),
    )
    assert (refused.status, unready.status, empty.status) == (422, 422, 422)
    assert not client.problems, "\n".join(client.problems)


# ------------------------------------------------------------------------------------ media
def presigned(client: Client, owner: str, content: bytes, media_type: str, filename: str) -> dict[str, Any]:
    """Starts a presigned upload, sends the file with its form as a browser would, and lets the media
    worker check it (the notification S3 sends it)."""
    started = client.call(
        "media_upload_create",
        "POST",
        "/api/media/uploads",
        owner,
        body={"content_type": media_type, "size": len(content), "filename": filename},
    )
    assert started.status == 201, started.body
    form = started.body["upload"]
    assert form["file_field"] == "file" and form["fields"]["Content-Type"] == media_type
    sent = requests.post(form["url"], data=form["fields"], files={form["file_field"]: (filename, content)}, timeout=30)
    assert sent.status_code in (200, 201, 204), sent.text
    notification = {
        "Records": [
            {
                "eventName": "ObjectCreated:Post",
                "s3": {"bucket": {"name": media_store.bucket()}, "object": {"key": form["fields"]["key"]}},
            }
        ]
    }
    assert _handlers["media_worker"](sqs_event(notification), Context()) == {"batchItemFailures": []}
    return started.body


def test_media_answer_what_the_document_says(client):
    owner, stranger = new_user(), new_user()
    document = client.call(
        "media_document_upload",
        "POST",
        "/api/post/editor/media/document/upload",
        owner,
        **file_upload("notes.pdf", sample_files.pdf_bytes(), "application/pdf"),
    )
    assert document.status == 201 and document.body["status"] == "ready" and document.body["metadata"] == {}
    refused = client.call(
        "media_document_upload",
        "POST",
        "/api/post/editor/media/document/upload",
        owner,
        **file_upload("notes.pdf", sample_files.executable_bytes(), "application/pdf"),
    )
    assert refused.status == 415

    pending = client.call(
        "media_upload_create", "POST", "/api/media/uploads", owner, body={"content_type": "video/mp4", "size": 1000}
    )
    assert pending.status == 201 and pending.body["sha256"] is None
    read = client.call("media_get", "GET", "/api/media/{media_id}", owner, path={"media_id": pending.body["id"]})
    assert read.status == 200 and read.body["status"] == "pending" and "download" not in read.body
    assert (
        client.call("media_get", "GET", "/api/media/{media_id}", stranger, path={"media_id": pending.body["id"]}).status
        == 404
    )

    image = presigned(client, owner, sample_files.png_bytes(40, 30), "image/png", "photo.png")
    ready = client.call("media_get", "GET", "/api/media/{media_id}", owner, path={"media_id": image["id"]})
    assert ready.body["status"] == "ready" and ready.body["metadata"] == {"width": 40, "height": 30}
    assert {"download", "thumbnail"} <= set(ready.body)
    book = presigned(client, owner, sample_files.pdf_bytes(pages=2), "application/pdf", "book.pdf")
    paged = client.call("media_get", "GET", "/api/media/{media_id}", owner, path={"media_id": book["id"]})
    assert paged.body["metadata"] == {"pages": 2} and "thumbnail" not in paged.body
    fake = presigned(client, owner, sample_files.jpeg_bytes(8, 8), "image/png", "fake.png")
    rejected = client.call("media_get", "GET", "/api/media/{media_id}", owner, path={"media_id": fake["id"]})
    assert rejected.body["status"] == "rejected" and rejected.body["rejection"]

    assert not client.problems, "\n".join(client.problems)
    assert not unseen_success_answers(MEDIA_ROUTES, client.checked)


# ------------------------------------------------------------------------------------ the schemas' teeth
def test_the_schemas_refuse_what_the_conventions_forbid(client):
    """The checks above could pass against schemas that accept anything: these bodies, each one
    step from a real one, must not validate."""
    author = new_user()
    post = client.call("posts_create", "POST", "/api/posts", author, body={"text": "teeth"}).body
    page = client.call("posts_user_list", "GET", "/api/users/{user_id}/posts", author, path={"user_id": author}).body
    media = client.call(
        "media_upload_create", "POST", "/api/media/uploads", author, body={"content_type": "image/png", "size": 10}
    ).body
    assert not component_errors(post, "Post") and not component_errors(page, "PostPage")
    assert not component_errors(media, "MediaUpload")
    wrong = {
        "an epoch time": ("Post", post | {"created_at": 1_700_000_000}),
        "a time without milliseconds": ("Post", post | {"created_at": post["created_at"][:19] + "Z"}),
        "a time with an offset": ("Post", post | {"updated_at": post["updated_at"][:-1] + "+00:00"}),
        "an old name": ("Post", post | {"created": post["created_at"]}),
        "a null viewer": ("Post", post | {"viewer": None}),
        "a missing key": ("Post", {k: v for k, v in post.items() if k != "published_at"}),
        "an unknown status": ("Post", post | {"status": "archived"}),
        "a listing-wide value": ("PostPage", page | {"tag": "cats"}),
        "a listing without next_cursor": ("PostPage", {"data": page["data"]}),
        "an epoch upload expiry": ("MediaUpload", media | {"upload": media["upload"] | {"expires_at": 1}}),
        "an unsigned upload form": (
            "MediaUpload",
            media
            | {
                "upload": media["upload"]
                | {"fields": {k: v for k, v in media["upload"]["fields"].items() if k != "x-amz-signature"}}
            },
        ),
        "an unknown form field": (
            "MediaUpload",
            media | {"upload": media["upload"] | {"fields": {**media["upload"]["fields"], "acl": "public-read"}}},
        ),
    }
    accepted = [what for what, (name, body) in wrong.items() if not component_errors(body, name)]
    assert not accepted, f"the document's schemas accept {accepted}"
