"""Posts over HTTP through the local stack: a post with an uploaded document, read and in the feed;
two dozen users reacting at once and a third of them taking it back, with exact counts after;
ownership; a tampered cursor."""

from __future__ import annotations

import base64
import json
import time
import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests

from tests.support import sample_files
from tests.support.tokens import mint

MEDIA_TABLE = "eckospace-local-MediaTable"
UPLOAD = "/api/post/editor/media/document/upload"
SCOPES = ["posts:read", "posts:write", "media:read", "media:write"]


class Client:
    def __init__(self, stack, api_key: str, keyring, subject: str | None = None) -> None:
        self.subject = subject or f"user-{uuid.uuid4().hex[:10]}"
        self.stack, self.api_key = stack, api_key
        self.token = mint(keyring, SCOPES, subject=self.subject)
        self.session = requests.Session()

    def __call__(self, method: str, path: str, **kwargs) -> requests.Response:
        headers = {"x-api-key": self.api_key, "Authorization": f"Bearer {self.token}", **kwargs.pop("headers", {})}
        return self.session.request(method, self.stack.url(path), headers=headers, timeout=60, **kwargs)


@pytest.fixture
def client(stack, api_key, keyring):
    return lambda subject=None: Client(stack, api_key, keyring, subject)


def seed_media(stack, owner: str, status: str = "ready") -> str:
    media_id = f"med_{uuid.uuid4().hex[:24]}"
    stack.aws("dynamodb").put_item(
        TableName=MEDIA_TABLE,
        Item={
            "id": {"S": media_id},
            "owner": {"S": owner},
            "kind": {"S": "document"},
            "status": {"S": status},
            "media_type": {"S": "application/pdf"},
            "size": {"N": "10"},
            "display_name": {"S": "notes.pdf"},
            "created_at": {"N": str(int(time.time()))},
        },
    )
    return media_id


def test_a_post_with_an_uploaded_document_is_read_and_in_the_feed(client):
    author, reader = client(), client()
    uploaded = author("POST", UPLOAD, files={"file": ("notes.pdf", sample_files.pdf_bytes(), "application/pdf")})
    assert uploaded.status_code == 201, uploaded.text
    media_id = uploaded.json()["id"]
    created = author(
        "POST",
        "/api/posts",
        json={"text": "Notes from #PyCon for @friend", "attachments": [media_id]},
        headers={"Idempotency-Key": uuid.uuid4().hex},
    )
    assert created.status_code == 201, created.text
    post = created.json()
    assert created.headers["Location"] == f"/api/posts/{post['id']}"
    assert [a["id"] for a in post["attachments"]] == [media_id] and post["hashtags"] == ["pycon"]
    read = reader("GET", f"/api/posts/{post['id']}")
    assert read.status_code == 200 and read.json()["text"] == "Notes from #PyCon for @friend"
    (attachment,) = read.json()["attachments"]  # the reader downloads it, with what the post answered
    assert requests.get(attachment["download"]["url"], timeout=5).content == sample_files.pdf_bytes()
    assert reader("GET", f"/api/media/{media_id}").status_code == 200
    feed = reader("GET", "/api/feed", params={"limit": 50}).json()
    assert post["id"] in [p["id"] for p in feed["data"]]


def as_a_client_retries(send: Callable[[], requests.Response], attempts: int = 5) -> requests.Response:
    """What a well-behaved client does with a 503: wait its Retry-After, then send the same request."""
    for _ in range(attempts - 1):
        answer = send()
        if answer.status_code != 503:
            return answer
        time.sleep(float(answer.headers.get("Retry-After", "1")))
    return send()


def test_concurrent_reactions_and_unreactions_leave_exact_counts(client):
    """24 readers at once on one post. A 503 (a backend slower than the time budget, on a busy
    machine: cold workers) is retried as its Retry-After says; a reaction retried after it was
    written answers 200, the reaction as it is, and counts once."""
    author = client()
    post = author("POST", "/api/posts", json={"text": "react, everyone"}).json()
    users = [client() for _ in range(24)]
    kinds = ["like", "love", "celebrate"]
    path = f"/api/posts/{post['id']}/reaction"

    def react(index: int) -> int:
        return as_a_client_retries(lambda: users[index]("PUT", path, json={"type": kinds[index % 3]})).status_code

    with ThreadPoolExecutor(max_workers=24) as pool:
        assert set(pool.map(react, range(24))) <= {200, 201}
    leaving = range(0, 24, 3)  # 8 users, all of whom said "like"
    with ThreadPoolExecutor(max_workers=8) as pool:
        statuses = pool.map(lambda i: as_a_client_retries(lambda: users[i]("DELETE", path)).status_code, leaving)
        assert list(statuses) == [204] * 8
    counts = author("GET", f"/api/posts/{post['id']}").json()["reactions"]
    assert counts == {"like": 0, "love": 8, "laugh": 0, "wow": 0, "sad": 0, "celebrate": 8}


def test_ownership_over_http(stack, client):
    author, other = client(), client()
    post = author("POST", "/api/posts", json={"text": "mine"}).json()
    draft = author("POST", "/api/posts", json={"text": "my draft", "status": "draft"}).json()
    assert other("GET", f"/api/posts/{draft['id']}").status_code == 404
    assert author("GET", f"/api/posts/{draft['id']}").status_code == 200
    assert other("PATCH", f"/api/posts/{post['id']}", json={"text": "yours"}).status_code == 403
    assert other("DELETE", f"/api/posts/{post['id']}").status_code == 403
    assert other("PATCH", f"/api/posts/{draft['id']}", json={"text": "yours"}).status_code == 404
    theirs = seed_media(stack, author.subject)
    refused = other("POST", "/api/posts", json={"text": "stolen", "attachments": [theirs]})
    assert refused.status_code == 422 and theirs in refused.json()["detail"]
    pending = seed_media(stack, other.subject, status="pending")
    assert other("POST", "/api/posts", json={"text": "too soon", "attachments": [pending]}).status_code == 422
    assert other("PUT", f"/api/posts/{post['id']}/bookmark").status_code == 204
    assert [b["post"]["id"] for b in other("GET", "/api/bookmarks").json()["data"]] == [post["id"]]
    assert author("GET", "/api/bookmarks").json()["data"] == []
    assert author("DELETE", f"/api/posts/{post['id']}").status_code == 204
    assert other("GET", f"/api/posts/{post['id']}").status_code == 404


def test_a_tampered_cursor_is_a_400(client):
    author = client()
    for n in range(3):
        author("POST", "/api/posts", json={"text": f"page {n}"})
    page = author("GET", "/api/feed", params={"limit": 1}).json()
    cursor = page["next_cursor"]
    assert cursor
    raw = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
    raw["k"]["gsi1pk"] = {"S": "bookmarks#someone"}
    forged = base64.urlsafe_b64encode(json.dumps(raw).encode()).decode().rstrip("=")
    for bad in (forged, cursor[:-4], "%%%"):
        answer = author("GET", "/api/feed", params={"cursor": bad})
        assert answer.status_code == 400 and answer.headers["Content-Type"].startswith("application/problem+json")
    assert author("GET", "/api/feed", params={"cursor": cursor, "limit": 1}).status_code == 200
