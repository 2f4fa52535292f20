"""Media handlers against the emulator, with S3 and DynamoDB faults: a failed upload stores nothing
and answers 503; the media worker reports a failed message for retry, loses nothing, and a
redelivered notification never publishes twice."""

from __future__ import annotations

import hashlib
import io
import os
import uuid

import pytest
from aws_lambda_powertools.utilities.batch.exceptions import BatchProcessingError
from botocore.stub import Stubber
from PIL import Image

from eckospace import aws
from eckospace.media import service, store
from tests.integration.conftest import CallCounter, load_function, sqs_event
from tests.support import sample_files
from tests.support.lambda_proxy import Answer, Context, file_upload, invoke, rest_event

UPLOAD = "/api/post/editor/media/document/upload"
OWNER = {"sub": "user-media", "scope": "media:read media:write", "token_use": "user"}


def upload(uploader, content: bytes, *, owner: dict = OWNER) -> Answer:
    """`owner` uploads `content` as a.pdf."""
    return invoke(uploader, "POST", UPLOAD, authorizer=owner, **file_upload("a.pdf", content, "application/pdf"))


def media_objects() -> list[str]:
    found = aws.client("s3").list_objects_v2(Bucket=store.bucket(), Prefix="media/")
    return sorted(o["Key"] for o in found.get("Contents", []))


def media_records() -> int:
    return aws.client("dynamodb").scan(
        TableName=store.table(),
        Select="COUNT",
        FilterExpression="begins_with(id, :m)",
        ExpressionAttributeValues={":m": {"S": "med_"}},
    )["Count"]


@pytest.fixture
def uploader(function_env):
    function_env("MediaDocumentUploadFunction")
    return load_function("media_document_upload").lambda_handler


def test_an_upload_whose_object_cannot_be_stored_is_a_503_with_nothing_stored(uploader):
    before = (media_objects(), media_records())
    with Stubber(aws.client("s3")) as s3:
        s3.add_client_error("put_object", service_error_code="SlowDown", http_status_code=503)
        answer = upload(uploader, sample_files.pdf_bytes())
    assert answer.status == 503
    assert answer.body["request_id"]
    assert (media_objects(), media_records()) == before


def test_an_upload_whose_record_cannot_be_written_deletes_its_object(uploader):
    before = (media_objects(), media_records())
    with Stubber(aws.client("dynamodb")) as dynamodb:
        dynamodb.add_response("update_item", {})  # the daily allowance
        dynamodb.add_client_error("put_item", service_error_code="ProvisionedThroughputExceededException")
        answer = upload(uploader, sample_files.pdf_bytes())
    assert answer.status == 503
    assert (media_objects(), media_records()) == before


def test_an_upload_counts_its_allowance_then_puts_the_object_and_the_record(uploader):
    counter = CallCounter()
    counter.attach(aws.client("s3"))
    counter.attach(aws.client("dynamodb"))
    assert upload(uploader, sample_files.pdf_bytes()).status == 201
    assert counter.calls == ["UpdateItem", "PutObject", "PutItem"]


def test_the_daily_allowance_holds_exactly_and_says_when_it_renews(uploader, monkeypatch):
    monkeypatch.setenv("ECKO_MEDIA_DAILY_UPLOADS", "2")
    pdf = sample_files.pdf_bytes()
    owner = {**OWNER, "sub": "user-quota"}
    assert [upload(uploader, pdf, owner=owner).status for _ in range(2)] == [201, 201]
    before = (media_objects(), media_records())
    refused = upload(uploader, pdf, owner=owner)
    assert refused.status == 429
    assert 0 < int(refused.headers["Retry-After"]) <= 86_400
    daily_bytes = int(os.environ["ECKO_MEDIA_DAILY_BYTES"])
    assert refused.body["daily_uploads"] == 2 and refused.body["daily_bytes"] == daily_bytes
    assert (media_objects(), media_records()) == before


def test_the_daily_bytes_hold_too(uploader, monkeypatch):
    pdf = sample_files.pdf_bytes()
    monkeypatch.setenv("ECKO_MEDIA_DAILY_BYTES", str(len(pdf) * 3 // 2))
    owner = {**OWNER, "sub": f"user-bytes-{uuid.uuid4().hex[:8]}"}
    assert upload(uploader, pdf, owner=owner).status == 201
    refused = upload(uploader, pdf, owner=owner)
    assert refused.status == 429 and refused.body["daily_bytes"] == len(pdf) * 3 // 2


def test_a_refused_document_does_not_count_against_the_allowance(uploader, monkeypatch):
    monkeypatch.setenv("ECKO_MEDIA_DAILY_UPLOADS", "1")
    owner = {**OWNER, "sub": "user-quota-2"}
    assert upload(uploader, sample_files.executable_bytes(), owner=owner).status == 415
    assert upload(uploader, sample_files.pdf_bytes(), owner=owner).status == 201


# ---------------------------------------------------------------- the media worker


@pytest.fixture
def worker(function_env):
    function_env("MediaWorkerFunction")
    return load_function("media_worker").lambda_handler


def quarantined(owner: str, content: bytes, media_type: str, *, declared_size: int | None = None) -> str:
    """What a presigned upload leaves behind: a pending record and its object in quarantine."""
    media = service.start_upload(owner, media_type=media_type, size=declared_size or len(content), filename="x")
    aws.client("s3").put_object(
        Bucket=store.bucket(), Key=store.quarantine_key(media["id"]), Body=content, ContentType=media_type
    )
    return media["id"]


def notification(media_id: str) -> dict:
    return {
        "Records": [
            {
                "eventName": "ObjectCreated:Post",
                "s3": {"bucket": {"name": store.bucket()}, "object": {"key": store.quarantine_key(media_id)}},
            }
        ]
    }


def in_quarantine(media_id: str) -> bool:
    found = aws.client("s3").list_objects_v2(Bucket=store.bucket(), Prefix=store.quarantine_key(media_id))
    return found.get("KeyCount", 0) > 0


def test_a_photo_is_stored_without_its_location_and_the_record_describes_the_stored_bytes(worker):
    photo = sample_files.photo_with_location("JPEG", orientation=6)
    media_id = quarantined("user-p", photo, "image/jpeg")

    assert worker(sqs_event(notification(media_id)), Context()) == {"batchItemFailures": []}

    record = store.get_record(media_id)
    stored = aws.client("s3").get_object(Bucket=store.bucket(), Key=record["object_key"])["Body"].read()
    with Image.open(io.BytesIO(stored)) as image:
        assert dict(image.getexif()) == {0x0112: 6} and not image.getexif().get_ifd(0x8825)
    assert sample_files.PHOTOGRAPHER.encode() not in stored and sample_files.CAMERA_SERIAL.encode() not in stored
    assert record["status"] == "ready" and record["size"] == len(stored) < len(photo)
    assert record["sha256"] == hashlib.sha256(stored).hexdigest()
    assert record["metadata"] == {"width": 48, "height": 64}  # as displayed: orientation 6 turns it
    assert versions_under(store.original_key(media_id)) == [("version", store.original_key(media_id))]
    assert not in_quarantine(media_id)  # the original, with its metadata, is not kept anywhere


def test_a_transient_s3_fault_fails_only_that_message_and_the_retry_publishes(worker):
    failing, fine = (quarantined("user-w", sample_files.png_bytes(10, 10), "image/png") for _ in range(2))
    event = sqs_event(notification(failing), notification(fine))
    real_get = aws.client("s3").get_object
    calls = []

    def flaky_get(**kwargs):
        calls.append(kwargs["Key"])
        if kwargs["Key"].endswith(failing) and len(calls) == 1:
            raise aws.client("s3").exceptions.ClientError(
                {"Error": {"Code": "SlowDown", "Message": "slow down"}}, "GetObject"
            )
        return real_get(**kwargs)

    aws.client("s3").get_object = flaky_get
    try:
        answer = worker(event, Context())
    finally:
        del aws.client("s3").get_object
    assert answer == {"batchItemFailures": [{"itemIdentifier": "m0"}]}
    assert store.get_record(failing)["status"] == "pending" and in_quarantine(failing)
    assert store.get_record(fine)["status"] == "ready"
    assert worker(sqs_event(notification(failing)), Context()) == {"batchItemFailures": []}
    assert store.get_record(failing)["status"] == "ready" and not in_quarantine(failing)


def test_a_dynamodb_fault_after_the_copy_is_retried_without_a_second_publication(worker):
    media_id = quarantined("user-w", sample_files.png_bytes(12, 12), "image/png")
    with Stubber(aws.client("dynamodb")) as dynamodb:
        dynamodb.add_response(
            "get_item",
            {
                "Item": {
                    "id": {"S": media_id},
                    "owner": {"S": "user-w"},
                    "kind": {"S": "image"},
                    "status": {"S": "pending"},
                    "media_type": {"S": "image/png"},
                    "size": {"N": str(len(sample_files.png_bytes(12, 12)))},
                    "display_name": {"S": "x"},
                    "created_at": {"N": "1"},
                }
            },
        )
        dynamodb.add_client_error("update_item", service_error_code="ProvisionedThroughputExceededException")
        with pytest.raises(BatchProcessingError):  # every message of the batch failed: SQS retries them all
            worker(sqs_event(notification(media_id)), Context())
    assert store.get_record(media_id)["status"] == "pending" and in_quarantine(media_id)
    assert worker(sqs_event(notification(media_id)), Context()) == {"batchItemFailures": []}
    ready = store.get_record(media_id)
    assert ready["status"] == "ready" and ready["metadata"] == {"width": 12, "height": 12}


def test_a_redelivered_notification_changes_nothing(worker):
    media_id = quarantined("user-w", sample_files.pdf_bytes(pages=2), "application/pdf")
    worker(sqs_event(notification(media_id)), Context())
    first = store.get_record(media_id)
    counter = CallCounter()
    counter.attach(aws.client("s3"))
    assert worker(sqs_event(notification(media_id)), Context()) == {"batchItemFailures": []}
    assert store.get_record(media_id) == first and first["metadata"] == {"pages": 2}
    assert "CopyObject" not in counter.calls and "PutObject" not in counter.calls


def test_an_object_of_another_size_than_declared_is_rejected_and_deleted(worker):
    content = sample_files.png_bytes(10, 10)
    media_id = quarantined("user-w", content, "image/png", declared_size=len(content) + 5)
    worker(sqs_event(notification(media_id)), Context())
    record = store.get_record(media_id)
    assert record["status"] == "rejected" and "declared" in record["rejection"]
    assert not in_quarantine(media_id)


@pytest.mark.parametrize("key", ["quarantine/med_unknown0000", "quarantine/not-a-media-id"])
def test_an_object_nobody_asked_for_is_deleted(worker, key):
    aws.client("s3").put_object(Bucket=store.bucket(), Key=key, Body=b"stray")
    event = sqs_event(
        {
            "Records": [
                {"eventName": "ObjectCreated:Post", "s3": {"bucket": {"name": store.bucket()}, "object": {"key": key}}}
            ]
        }
    )
    assert worker(event, Context()) == {"batchItemFailures": []}
    assert aws.client("s3").list_objects_v2(Bucket=store.bucket(), Prefix=key).get("KeyCount", 0) == 0


def test_the_test_event_s3_sends_first_is_ignored(worker):
    event = sqs_event({"Service": "Amazon S3", "Event": "s3:TestEvent", "Bucket": "x"})
    assert worker(event, Context()) == {"batchItemFailures": []}


# The bucket is versioned, and a presigned POST may be used again until it expires: one quarantine
# key can hold several uploads, each announced with its version (as S3 does for versioned buckets).


def upload_version(media_id: str, content: bytes) -> str:
    put = aws.client("s3").put_object(Bucket=store.bucket(), Key=store.quarantine_key(media_id), Body=content)
    assert put.get("VersionId"), "the media bucket is not versioned"
    return put["VersionId"]


def versioned_notification(media_id: str, version_id: str | None) -> dict:
    found = notification(media_id)
    if version_id:
        found["Records"][0]["s3"]["object"]["versionId"] = version_id
    return found


def versions_under(prefix: str) -> list[tuple[str, str]]:
    """Every version and delete marker under a prefix, deleted or not."""
    listed = aws.client("s3").list_object_versions(Bucket=store.bucket(), Prefix=prefix)
    return sorted(
        [("version", v["Key"]) for v in listed.get("Versions", [])]
        + [("delete marker", m["Key"]) for m in listed.get("DeleteMarkers", [])]
    )


def published_bytes(media_id: str) -> bytes:
    return aws.client("s3").get_object(Bucket=store.bucket(), Key=store.original_key(media_id))["Body"].read()


@pytest.mark.parametrize("named", [True, False], ids=["notification-names-the-version", "current-version"])
def test_the_worker_publishes_the_bytes_it_inspected_not_a_later_upload(worker, named):
    inspected = sample_files.png_bytes(10, 10)
    media_id = quarantined("user-v", inspected, "image/png")
    first = aws.client("s3").list_object_versions(Bucket=store.bucket(), Prefix=store.quarantine_key(media_id))[
        "Versions"
    ][0]["VersionId"]
    hostile = sample_files.executable_bytes().ljust(len(inspected), b"\0")
    later: list[str] = []

    def upload_again(**_):  # a second upload lands while the first is being inspected
        if not later:
            later.append(upload_version(media_id, hostile))

    aws.client("s3").meta.events.register("after-call.s3.GetObject", upload_again)
    try:
        assert worker(sqs_event(versioned_notification(media_id, first if named else None)), Context()) == {
            "batchItemFailures": []
        }
    finally:
        aws.client("s3").meta.events.unregister("after-call.s3.GetObject", upload_again)
    record = store.get_record(media_id)
    assert record["status"] == "ready" and record["metadata"] == {"width": 10, "height": 10}
    assert published_bytes(media_id) == inspected
    assert record["sha256"] == hashlib.sha256(inspected).hexdigest()
    # The later upload's own notification finds the media decided: its version goes too.
    assert versions_under(store.quarantine_key(media_id)) == [("version", store.quarantine_key(media_id))]
    assert worker(sqs_event(versioned_notification(media_id, later[0])), Context()) == {"batchItemFailures": []}
    assert versions_under(store.quarantine_key(media_id)) == []
    assert published_bytes(media_id) == inspected and store.get_record(media_id) == record
    # Either notification delivered again changes nothing.
    for version in (first, later[0]):
        assert worker(sqs_event(versioned_notification(media_id, version)), Context()) == {"batchItemFailures": []}
    assert published_bytes(media_id) == inspected and store.get_record(media_id) == record


def test_a_published_upload_leaves_no_version_in_quarantine(worker):
    media_id = quarantined("user-v", sample_files.pdf_bytes(pages=1), "application/pdf")
    version = aws.client("s3").head_object(Bucket=store.bucket(), Key=store.quarantine_key(media_id))["VersionId"]
    assert worker(sqs_event(versioned_notification(media_id, version)), Context()) == {"batchItemFailures": []}
    assert store.get_record(media_id)["status"] == "ready"
    assert versions_under(store.quarantine_key(media_id)) == []  # not even a delete marker
    assert versions_under(f"media/{media_id}/") == [("version", store.original_key(media_id))]


@pytest.mark.parametrize("named", [True, False], ids=["notification-names-the-version", "current-version"])
def test_a_rejected_upload_leaves_no_version_behind(worker, named):
    content = sample_files.executable_bytes()
    media_id = quarantined("user-v", content, "application/pdf")
    version = aws.client("s3").head_object(Bucket=store.bucket(), Key=store.quarantine_key(media_id))["VersionId"]
    assert worker(sqs_event(versioned_notification(media_id, version if named else None)), Context()) == {
        "batchItemFailures": []
    }
    assert store.get_record(media_id)["status"] == "rejected"
    assert versions_under(store.quarantine_key(media_id)) == [] and versions_under(f"media/{media_id}/") == []


def test_an_upload_decided_meanwhile_takes_back_the_copies_made_for_it(worker):
    content = sample_files.png_bytes(10, 10)
    media_id = quarantined("user-v", content, "image/png")
    first = aws.client("s3").head_object(Bucket=store.bucket(), Key=store.quarantine_key(media_id))["VersionId"]
    decided: list[str] = []

    def reject_meanwhile(**_):  # another upload to the key (of the wrong size) is decided first
        if not decided:
            decided.append("")  # the hook fires again on that upload's own PutObject
            decided[0] = upload_version(media_id, content + b"more")
            from eckospace.media.processing import process_upload

            assert process_upload(store.quarantine_key(media_id), decided[0]) == "rejected"

    aws.client("s3").meta.events.register("after-call.s3.PutObject", reject_meanwhile)
    try:
        assert worker(sqs_event(versioned_notification(media_id, first)), Context()) == {"batchItemFailures": []}
    finally:
        aws.client("s3").meta.events.unregister("after-call.s3.PutObject", reject_meanwhile)
    assert store.get_record(media_id)["status"] == "rejected"
    assert versions_under(f"media/{media_id}/") == []  # no copy and no thumbnail of media rejected
    assert versions_under(store.quarantine_key(media_id)) == []


def test_a_notification_without_a_version_removes_the_current_one_for_good(worker):
    key = f"quarantine/med_unknown{uuid.uuid4().hex[:8]}"
    aws.client("s3").put_object(Bucket=store.bucket(), Key=key, Body=b"stray")
    event = sqs_event(
        {
            "Records": [
                {"eventName": "ObjectCreated:Post", "s3": {"bucket": {"name": store.bucket()}, "object": {"key": key}}}
            ]
        }
    )
    assert worker(event, Context()) == {"batchItemFailures": []}
    assert versions_under(key) == []
    assert worker(event, Context()) == {"batchItemFailures": []}  # again: nothing left to delete


def multipart_upload(uploader, body: bytes) -> Answer:
    headers = {"Content-Type": "multipart/form-data; boundary=B"}
    return invoke(uploader, "POST", UPLOAD, authorizer=OWNER, body=body, headers=headers)


def part(name: str, content: bytes, filename: str | None = None) -> bytes:
    disposition = f'form-data; name="{name}"' + (f'; filename="{filename}"' if filename else "")
    return f"--B\r\nContent-Disposition: {disposition}\r\n\r\n".encode() + content + b"\r\n"


@pytest.mark.parametrize(
    ("body", "status"),
    [
        (b"".join(part(f"f{n}", b"x") for n in range(9)) + part("file", b"%PDF-1.4", "a.pdf") + b"--B--\r\n", 400),
        (part("title", b"t" * 2000) + part("file", b"%PDF-1.4", "a.pdf") + b"--B--\r\n", 422),
        (
            b'--B\r\nContent-Disposition: form-data; name="file"; filename="a.pdf"\r\nX-Long: '
            + b"h" * 9000
            + b"\r\n\r\n%PDF-1.4\r\n--B--\r\n",
            400,
        ),
        (b"--B\r\n\x00\x01garbage without headers\r\n--B--\r\n", 400),
    ],
    ids=["too-many-fields", "oversized-text-field", "oversized-part-header", "garbage-part"],
)
def test_hostile_multipart_bodies_are_refused_and_store_nothing(uploader, body, status):
    before = (media_objects(), media_records())
    answer = multipart_upload(uploader, body)
    assert answer.status == status, answer.text
    assert answer.body["detail"]
    assert (media_objects(), media_records()) == before


def test_a_body_flagged_base64_that_is_not_is_a_400(uploader):
    event = rest_event(
        "POST", UPLOAD, authorizer=OWNER, body=b"", headers={"Content-Type": "multipart/form-data; boundary=B"}
    )
    event["body"] = "not*base64*at*all"
    answer = Answer.of(uploader(event, Context()))
    assert answer.status == 400 and "base64" in answer.body["detail"]
