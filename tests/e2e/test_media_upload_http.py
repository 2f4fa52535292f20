"""The post editor's document upload over HTTP through the local stack: every accepted type is
stored and downloadable; every refusal gets its 4xx and leaves the bucket and the table as they were."""

from __future__ import annotations

import hashlib
import uuid

import pytest
import requests

from tests.support import sample_files
from tests.support.tokens import mint

UPLOAD = "/api/post/editor/media/document/upload"
MAX_BYTES = 4 * 1024 * 1024
MEDIA_TABLE = "eckospace-local-MediaTable"
MEDIA_BUCKET = "eckospace-local-mediabucket"

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
ACCEPTED = [
    ("report.pdf", sample_files.pdf_bytes, "application/pdf"),
    ("letter.docx", sample_files.docx_bytes, DOCX),
    ("budget.xlsx", sample_files.xlsx_bytes, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    (
        "slides.pptx",
        sample_files.pptx_bytes,
        "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    ),
    ("essay.odt", sample_files.odt_bytes, "application/vnd.oasis.opendocument.text"),
    ("notes.txt", lambda: "plain notes, café\n".encode(), "text/plain"),
    ("table.csv", lambda: b"name,count\nbooks,3\n", "text/csv"),
    ("readme.md", lambda: b"# Title\n\nSome *markdown*.\n", "text/markdown"),
]


@pytest.fixture
def author(keyring) -> tuple[str, str]:
    subject = f"user-{uuid.uuid4().hex[:8]}"
    return subject, mint(keyring, ["media:read", "media:write"], subject=subject)


def upload(stack, api_key, token, files=None, **kwargs) -> requests.Response:
    return requests.post(
        stack.url(UPLOAD),
        files=files,
        timeout=60,
        headers={"x-api-key": api_key, "Authorization": f"Bearer {token}", **kwargs.pop("headers", {})},
        **kwargs,
    )


def stored(stack) -> tuple[int, int]:
    """(objects in the media bucket, media records): what a refusal must leave unchanged."""
    objects = stack.aws("s3").list_objects_v2(Bucket=MEDIA_BUCKET).get("KeyCount", 0)
    records = stack.aws("dynamodb").scan(
        TableName=MEDIA_TABLE,
        Select="COUNT",
        FilterExpression="begins_with(id, :m)",
        ExpressionAttributeValues={":m": {"S": "med_"}},
    )["Count"]
    return objects, records


@pytest.fixture
def nothing_stored(stack):
    before = stored(stack)
    yield
    assert stored(stack) == before


def assert_problem(response: requests.Response, status: int) -> dict:
    assert response.status_code == status, response.text
    assert response.headers["Content-Type"] == "application/problem+json"
    problem = response.json()
    assert problem["status"] == status and problem["detail"]
    return problem


@pytest.mark.parametrize(("filename", "make", "media_type"), ACCEPTED, ids=[a[0] for a in ACCEPTED])
def test_each_accepted_type_is_stored_and_downloadable(stack, api_key, author, filename, make, media_type):
    content = make()
    response = upload(stack, api_key, author[1], files={"file": (filename, content, media_type)})
    assert response.status_code == 201, response.text
    media = response.json()
    assert media["id"].startswith("med_") and response.headers["Location"] == f"/api/media/{media['id']}"
    assert (media["media_type"], media["size"], media["status"]) == (media_type, len(content), "ready")
    assert media["sha256"] == hashlib.sha256(content).hexdigest()
    assert media["display_name"] == filename
    downloaded = requests.get(media["download"]["url"], timeout=30)
    assert downloaded.status_code == 200 and downloaded.content == content
    assert "attachment" in downloaded.headers["Content-Disposition"]


def test_the_owner_reads_the_media_and_nobody_else_does(stack, api_key, author, keyring):
    media = upload(stack, api_key, author[1], files={"file": ("a.pdf", sample_files.pdf_bytes(), "application/pdf")})
    path = f"/api/media/{media.json()['id']}"
    mine = requests.get(
        stack.url(path), timeout=30, headers={"x-api-key": api_key, "Authorization": f"Bearer {author[1]}"}
    )
    assert mine.status_code == 200 and mine.json()["status"] == "ready"
    stranger = mint(keyring, ["media:read"], subject=f"user-{uuid.uuid4().hex[:8]}")
    theirs = requests.get(
        stack.url(path), timeout=30, headers={"x-api-key": api_key, "Authorization": f"Bearer {stranger}"}
    )
    assert_problem(theirs, 404)


def test_a_file_exactly_at_the_cap_is_accepted(stack, api_key, author):
    content = sample_files.padded_pdf(MAX_BYTES)
    response = upload(stack, api_key, author[1], files={"file": ("big.pdf", content, "application/pdf")})
    assert response.status_code == 201, response.text
    assert response.json()["size"] == MAX_BYTES


def test_one_byte_over_the_cap_points_to_presigned_uploads(stack, api_key, author, nothing_stored):
    content = sample_files.padded_pdf(MAX_BYTES + 1)
    problem = assert_problem(
        upload(stack, api_key, author[1], files={"file": ("big.pdf", content, "application/pdf")}), 413
    )
    assert problem["upload_with"] == "POST /api/media/uploads" and problem["max_bytes"] == MAX_BYTES


@pytest.mark.parametrize(
    ("filename", "content", "declared"),
    [
        ("report.pdf", sample_files.executable_bytes(), "application/pdf"),
        ("tool.pdf", sample_files.elf_bytes(), "application/pdf"),
        ("report.docx", sample_files.pdf_bytes(), DOCX),
        ("report.docx", sample_files.pdf_bytes(), "application/pdf"),
        ("photo.pdf", sample_files.png_bytes(8, 8), "application/pdf"),
    ],
    ids=["renamed-windows-executable", "renamed-elf", "pdf-declared-docx", "pdf-named-docx", "image-as-pdf"],
)
def test_bytes_that_are_not_what_they_claim_are_415(
    stack, api_key, author, nothing_stored, filename, content, declared
):
    assert_problem(upload(stack, api_key, author[1], files={"file": (filename, content, declared)}), 415)


def test_an_empty_file_is_422(stack, api_key, author, nothing_stored):
    assert_problem(upload(stack, api_key, author[1], files={"file": ("empty.pdf", b"", "application/pdf")}), 422)


def test_a_zip_bomb_is_422(stack, api_key, author, nothing_stored):
    problem = assert_problem(
        upload(stack, api_key, author[1], files={"file": ("bomb.docx", sample_files.zip_bomb_bytes(), DOCX)}), 422
    )
    assert "archive" in problem["detail"].lower()


def test_a_hostile_filename_is_kept_only_as_a_clean_display_name(stack, api_key, author):
    hostile = "../../etc/\x00pass\x1bwd\r\n.pdf"
    response = upload(stack, api_key, author[1], files={"file": (hostile, sample_files.pdf_bytes(), "application/pdf")})
    assert response.status_code == 201, response.text
    media = response.json()
    assert media["display_name"] == "passwd.pdf"
    keys = [
        o["Key"]
        for o in stack.aws("s3").list_objects_v2(Bucket=MEDIA_BUCKET, Prefix=f"media/{media['id']}/")["Contents"]
    ]
    assert keys == [f"media/{media['id']}/original"]


def test_a_form_without_a_file_field_is_422(stack, api_key, author, nothing_stored):
    problem = assert_problem(
        upload(stack, api_key, author[1], files={"document": ("a.pdf", sample_files.pdf_bytes(), "application/pdf")}),
        422,
    )
    assert problem["errors"][0]["name"] == "file"


def test_two_file_fields_are_422(stack, api_key, author, nothing_stored):
    pdf = sample_files.pdf_bytes()
    files = [("file", ("a.pdf", pdf, "application/pdf")), ("file", ("b.pdf", pdf, "application/pdf"))]
    assert_problem(upload(stack, api_key, author[1], files=files), 422)


@pytest.mark.parametrize(
    ("body", "content_type"),
    [
        (b'{"file": "JVBERi0xLjQ="}', "application/json"),
        (sample_files.pdf_bytes(), "application/pdf"),
        (b"--x\r\n", "multipart/form-data"),
    ],
    ids=["json", "raw-pdf", "multipart-without-boundary"],
)
def test_a_body_that_is_not_multipart_is_415(stack, api_key, author, nothing_stored, body, content_type):
    assert_problem(upload(stack, api_key, author[1], data=body, headers={"Content-Type": content_type}), 415)


def test_a_truncated_multipart_body_is_refused(stack, api_key, author, nothing_stored):
    body = b'--B\r\nContent-Disposition: form-data; name="file"; filename="a.pdf"\r\n\r\n%PDF-1.4 trunc'
    response = upload(stack, api_key, author[1], data=body, headers={"Content-Type": "multipart/form-data; boundary=B"})
    assert "closing boundary" in assert_problem(response, 400)["detail"]


def test_uploading_needs_media_write_on_a_user_token(stack, api_key, keyring, nothing_stored):
    reader = mint(keyring, ["media:read"], subject="user-reader")
    files = {"file": ("a.pdf", sample_files.pdf_bytes(), "application/pdf")}
    assert_problem(upload(stack, api_key, reader, files=files), 403)


def test_a_body_past_the_gateways_limit_is_a_413_problem_that_says_so(stack, api_key, author):
    _, token = author
    before = stored(stack)
    answer = upload(
        stack, api_key, token, data=b"x" * (10 * 1024 * 1024 + 1), headers={"Content-Type": "application/pdf"}
    )
    assert answer.status_code == 413 and answer.headers["Content-Type"] == "application/problem+json"
    problem = answer.json()
    assert problem["status"] == 413 and problem["type"] == "urn:eckospace:problem:payload-too-large"
    assert "presigned" in problem["detail"]
    assert stored(stack) == before
