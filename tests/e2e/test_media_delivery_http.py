"""Media delivery through the local stack: a photo uploaded with its GPS position, attached to a
published post, reaches another user through the local CDN without its metadata; unpublishing
the post withdraws it from the CDN (through the media table's stream and the publication
function), and from the reader, while the uploader keeps a presigned link."""

from __future__ import annotations

import io
import time
import uuid
from collections.abc import Callable

import pytest
import requests
from PIL import Image

from tests.e2e.test_media_presigned_http import api, send, settled, start
from tests.support import sample_files
from tests.support.tokens import mint


def eventually(check: Callable[[], bool], seconds: float = 20.0) -> None:
    deadline = time.monotonic() + seconds
    while not check():
        if time.monotonic() > deadline:
            raise AssertionError(f"not within {seconds} s")
        time.sleep(0.2)


def has_location(data: bytes) -> bool:
    with Image.open(io.BytesIO(data)) as image:
        return bool(image.getexif().get_ifd(0x8825))


@pytest.fixture
def people(keyring) -> tuple[str, str]:
    author = mint(
        keyring, ["media:read", "media:write", "posts:read", "posts:write"], subject=f"u-{uuid.uuid4().hex[:8]}"
    )
    reader = mint(keyring, ["media:read", "posts:read"], subject=f"u-{uuid.uuid4().hex[:8]}")
    return author, reader


def test_a_published_photo_reaches_readers_through_the_cdn_without_its_location(stack, api_key, people):
    author, reader = people
    photo = sample_files.photo_with_location("JPEG", orientation=6, width=640, height=480)
    assert has_location(photo)
    media = start(stack, api_key, author, "image/jpeg", len(photo), "beach.jpg")
    assert send(media, photo).status_code == 204
    assert settled(stack, api_key, author, media["id"])["status"] == "ready"

    created = api(stack, api_key, author, "POST", "/api/posts", json={"text": "#beach", "attachments": [media["id"]]})
    assert created.status_code == 201, created.text
    post = created.json()
    (attachment,) = post["attachments"]
    assert attachment["metadata"] == {"width": 480, "height": 640}  # as displayed: orientation 6 turns it
    cdn = stack.credentials["media_cdn_url"]
    original, thumbnail = attachment["download"], attachment["thumbnail"]
    assert original["url"] == f"{cdn}/public/{media['id']}/original" and original["expires_at"] is None
    assert thumbnail["url"] == f"{cdn}/public/{media['id']}/thumbnail.jpg"
    assert attachment["preview"]["url"] == f"{cdn}/public/{media['id']}/preview.jpg"

    eventually(lambda: requests.get(thumbnail["url"], timeout=5).status_code == 200)
    with Image.open(io.BytesIO(requests.get(attachment["preview"]["url"], timeout=5).content)) as preview:
        assert preview.size == (480, 640)  # upright, within 1280 px
    served = requests.get(original["url"], timeout=5)
    assert served.status_code == 200 and served.headers["Content-Type"] == "image/jpeg"
    assert not has_location(served.content) and sample_files.CAMERA_SERIAL.encode() not in served.content
    with Image.open(io.BytesIO(served.content)) as image:
        assert image.getexif()[0x0112] == 6 and image.size == (640, 480)
    assert served.headers["Cache-Control"] == "public, max-age=300, s-maxage=86400"
    assert served.headers["X-Content-Type-Options"] == "nosniff"
    again = requests.get(original["url"], headers={"If-None-Match": served.headers["ETag"]}, timeout=5)
    assert again.status_code == 304 and again.content == b""

    seen = api(stack, api_key, reader, "GET", f"/api/media/{media['id']}")
    assert seen.status_code == 200 and seen.json()["download"]["url"] == original["url"]
    for private in (f"{cdn}/media/{media['id']}/original", f"{cdn}/quarantine/{media['id']}"):
        assert requests.get(private, timeout=5).status_code == 403  # the CDN reads public/ alone

    unpublished = api(stack, api_key, author, "PATCH", f"/api/posts/{post['id']}", json={"status": "draft"})
    assert unpublished.status_code == 200
    eventually(lambda: requests.get(original["url"], timeout=5).status_code == 403)
    assert requests.get(thumbnail["url"], timeout=5).status_code == 403
    assert requests.get(attachment["preview"]["url"], timeout=5).status_code == 403
    assert api(stack, api_key, reader, "GET", f"/api/media/{media['id']}").status_code == 404
    own = api(stack, api_key, author, "GET", f"/api/media/{media['id']}").json()
    assert own["download"]["expires_at"] is not None  # presigned again, while no longer public
    kept = requests.get(own["download"]["url"], timeout=5)
    assert kept.status_code == 200 and not has_location(kept.content)
