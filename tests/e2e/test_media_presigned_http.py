"""Presigned media uploads through the local stack: the API signs an upload bound to one key, a
content type and the exact size; the storage (the emulator, checking the policy as S3 does) refuses
anything else; the S3 notification reaches the media worker through SQS, which checks the bytes and
marks the media ready (metadata, thumbnail) or rejects and deletes it."""

from __future__ import annotations

import io
import time
import uuid

import pytest
import requests
from PIL import Image

from tests.support import sample_files
from tests.support.tokens import mint

UPLOADS = "/api/media/uploads"
MEDIA_BUCKET = "eckospace-local-mediabucket"


@pytest.fixture
def owner(keyring) -> str:
    return mint(keyring, ["media:read", "media:write"], subject=f"user-{uuid.uuid4().hex[:8]}")


def api(stack, api_key, token, method, path, **kwargs) -> requests.Response:
    return requests.request(
        method,
        stack.url(path),
        timeout=30,
        **kwargs,
        headers={"x-api-key": api_key, "Authorization": f"Bearer {token}"},
    )


def start(stack, api_key, token, content_type: str, size: int, filename: str = "file") -> dict:
    response = api(
        stack, api_key, token, "POST", UPLOADS, json={"content_type": content_type, "size": size, "filename": filename}
    )
    assert response.status_code == 201, response.text
    media = response.json()
    assert media["status"] == "pending" and media["upload"]["method"] == "POST"
    return media


def send(media: dict, content: bytes, **field_changes: str) -> requests.Response:
    form = media["upload"]
    return requests.post(
        form["url"], data={**form["fields"], **field_changes}, files={"file": ("upload", content)}, timeout=30
    )


def settled(stack, api_key, token, media_id: str, timeout: float = 45.0) -> dict:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        media = api(stack, api_key, token, "GET", f"/api/media/{media_id}").json()
        if media["status"] != "pending":
            return media
        time.sleep(0.3)
    raise AssertionError(f"{media_id} still pending after {timeout} s")


def keys_of(stack, media_id: str) -> list[str]:
    s3 = stack.aws("s3")
    return sorted(
        o["Key"]
        for prefix in (f"media/{media_id}/", f"quarantine/{media_id}")
        for o in s3.list_objects_v2(Bucket=MEDIA_BUCKET, Prefix=prefix).get("Contents", [])
    )


def test_an_image_within_the_policy_becomes_ready_with_metadata_and_a_thumbnail(stack, api_key, owner):
    content = sample_files.png_bytes(640, 480)
    media = start(stack, api_key, owner, "image/png", len(content), "holiday.png")
    assert send(media, content).status_code == 204
    ready = settled(stack, api_key, owner, media["id"])
    assert ready["status"] == "ready" and ready["metadata"] == {"width": 640, "height": 480}
    assert ready["display_name"] == "holiday.png"
    assert requests.get(ready["download"]["url"], timeout=30).content == content
    thumbnail = Image.open(io.BytesIO(requests.get(ready["thumbnail"]["url"], timeout=30).content))
    assert thumbnail.format == "JPEG" and max(thumbnail.size) == 320
    preview = Image.open(io.BytesIO(requests.get(ready["preview"]["url"], timeout=30).content))
    assert preview.format == "JPEG" and preview.size == (640, 480)  # at most 1280 px, never enlarged
    assert keys_of(stack, media["id"]) == [
        f"media/{media['id']}/original",
        f"media/{media['id']}/preview.jpg",
        f"media/{media['id']}/thumbnail.jpg",
    ]


def test_a_large_pdf_gets_its_page_count(stack, api_key, owner):
    content = sample_files.pdf_bytes(pages=3)
    media = start(stack, api_key, owner, "application/pdf", len(content), "book.pdf")
    assert send(media, content).status_code == 204
    ready = settled(stack, api_key, owner, media["id"])
    assert ready["status"] == "ready" and ready["metadata"] == {"pages": 3}


def test_bytes_that_are_not_the_declared_type_are_rejected_and_deleted(stack, api_key, owner):
    content = sample_files.jpeg_bytes(64, 64)
    media = start(stack, api_key, owner, "image/png", len(content))
    assert send(media, content).status_code == 204
    rejected = settled(stack, api_key, owner, media["id"])
    assert rejected["status"] == "rejected" and rejected["rejection"]
    assert "download" not in rejected
    assert keys_of(stack, media["id"]) == []


@pytest.mark.parametrize(("delta", "code"), [(1, "EntityTooLarge"), (-1, "EntityTooSmall")])
def test_a_size_outside_the_policy_is_refused_by_the_storage_itself(stack, api_key, owner, delta, code):
    content = sample_files.png_bytes(32, 32)
    media = start(stack, api_key, owner, "image/png", len(content))
    refused = send(media, content + b"\0" if delta > 0 else content[:-1])
    assert refused.status_code == 400 and f"<Code>{code}</Code>" in refused.text
    assert keys_of(stack, media["id"]) == []
    assert api(stack, api_key, owner, "GET", f"/api/media/{media['id']}").json()["status"] == "pending"


@pytest.mark.parametrize(
    "changes",
    [
        {"Content-Type": "text/html"},
        {"key": "media/med_forged/original"},
        {"x-amz-signature": "0" * 64},
        {"acl": "public-read"},
    ],
    ids=["other-content-type", "other-key", "forged-signature", "unsigned-extra-field"],
)
def test_a_form_the_policy_does_not_allow_is_refused_by_the_storage(stack, api_key, owner, changes):
    content = sample_files.png_bytes(16, 16)
    media = start(stack, api_key, owner, "image/png", len(content))
    refused = send(media, content, **changes)
    assert refused.status_code == 403 and "<Code>AccessDenied</Code>" in refused.text
    assert keys_of(stack, media["id"]) == []


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"content_type": "application/x-msdownload", "size": 10}, "content_type"),
        ({"content_type": "image/png", "size": 0}, "size"),
        ({"content_type": "image/png", "size": 21 * 1024 * 1024}, "size"),
    ],
    ids=["unaccepted-type", "empty", "over-the-type-limit"],
)
def test_an_upload_the_api_would_not_accept_is_refused_up_front(stack, api_key, owner, body, field):
    response = api(stack, api_key, owner, "POST", UPLOADS, json=body)
    assert response.status_code == 400, response.text
    assert any(field in str(error) for error in response.json()["errors"])


def test_pending_media_are_their_owners_alone(stack, api_key, owner, keyring):
    media = start(stack, api_key, owner, "image/png", 100)
    stranger = mint(keyring, ["media:read"], subject=f"user-{uuid.uuid4().hex[:8]}")
    assert api(stack, api_key, stranger, "GET", f"/api/media/{media['id']}").status_code == 404
