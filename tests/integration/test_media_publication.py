"""The media publication function, on the changes DynamoDB's stream records for the media table:
a public image gets CDN copies under `public/`, readable by the CDN alone; once it is no longer
public they are deleted for good and the CDN's cache is invalidated."""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from eckospace import aws
from eckospace.media import store
from eckospace.media.publication import PUBLIC_CACHE_CONTROL, public_key
from tests.integration.conftest import load_function
from tests.support.lambda_proxy import Context
from tests.support.media import stored_media


@pytest.fixture
def publisher(function_env):
    function_env("MediaPublicationFunction")
    return load_function("media_publication").lambda_handler


class MediaStream:
    """The media table's stream, read as Lambda's event source mapping reads it."""

    def __init__(self) -> None:
        self.streams = aws.client("dynamodbstreams")
        arn = aws.client("dynamodb").describe_table(TableName=store.table())["Table"]["LatestStreamArn"]
        self.arn = arn
        self.iterators = {
            shard["ShardId"]: self.streams.get_shard_iterator(
                StreamArn=arn, ShardId=shard["ShardId"], ShardIteratorType="LATEST"
            )["ShardIterator"]
            for shard in self.streams.describe_stream(StreamArn=arn)["StreamDescription"]["Shards"]
        }

    def event(self) -> dict[str, Any]:
        """What was recorded since the last read, as one Lambda event."""
        records = []
        for shard, iterator in self.iterators.items():
            answer = self.streams.get_records(ShardIterator=iterator)
            self.iterators[shard] = answer["NextShardIterator"]
            records += [record | {"eventSourceARN": self.arn} for record in answer["Records"]]
        return {"Records": records}


def attach(media_id: str, reference: str, *, public: bool) -> None:
    """What the owning context does in its own transaction when what it attached becomes public or not."""
    aws.client("dynamodb").update_item(
        TableName=store.table(),
        Key={"id": {"S": media_id}},
        UpdateExpression=f"{'ADD' if public else 'DELETE'} public_via :ref",
        ExpressionAttributeValues={":ref": {"SS": [reference]}},
    )


def public_versions(media_id: str) -> list[str]:
    listed = aws.client("s3").list_object_versions(Bucket=store.bucket(), Prefix=f"public/{media_id}/")
    return sorted(entry["Key"] for entry in listed.get("Versions", []) + listed.get("DeleteMarkers", []))


def invalidated_paths() -> list[str]:
    cloudfront = aws.client("cloudfront")
    distribution = cloudfront.list_distributions()["DistributionList"]["Items"][0]["Id"]
    listed = cloudfront.list_invalidations(DistributionId=distribution)["InvalidationList"].get("Items", [])
    return [
        path
        for item in listed
        for path in cloudfront.get_invalidation(DistributionId=distribution, Id=item["Id"])["Invalidation"][
            "InvalidationBatch"
        ]["Paths"]["Items"]
    ]


def test_an_image_made_public_is_copied_for_the_cdn_and_withdrawn_when_it_is_not(publisher):
    stream = MediaStream()
    media_id = stored_media(kind="image", owner="user-pub")
    post = f"post:pst_{uuid.uuid4().hex[:8]}"

    attach(media_id, post, public=True)
    assert publisher(stream.event(), Context()) == {"batchItemFailures": []}

    s3 = aws.client("s3")
    assert public_versions(media_id) == [
        public_key(media_id, "original"),
        public_key(media_id, "preview.jpg"),
        public_key(media_id, "thumbnail.jpg"),
    ]
    copy = s3.head_object(Bucket=store.bucket(), Key=public_key(media_id, "original"))
    assert copy["CacheControl"] == PUBLIC_CACHE_CONTROL and copy["ContentType"] == "image/jpeg"
    assert copy["ServerSideEncryption"] == "AES256"  # the CDN cannot decrypt the bucket's KMS default
    thumbnail = s3.get_object(Bucket=store.bucket(), Key=public_key(media_id, "thumbnail.jpg"))
    assert thumbnail["Body"].read() == b"thumbnail" and thumbnail["ContentType"] == "image/jpeg"

    attach(media_id, post, public=False)
    assert publisher(stream.event(), Context()) == {"batchItemFailures": []}
    assert public_versions(media_id) == []  # every version, not hidden behind a delete marker
    assert f"/public/{media_id}/*" in invalidated_paths()
    assert s3.head_object(Bucket=store.bucket(), Key=store.original_key(media_id))  # the owner's copy stays


def test_an_image_public_through_two_posts_stays_public_until_the_last_one_goes(publisher):
    stream = MediaStream()
    media_id = stored_media(kind="image", owner="user-two")
    attach(media_id, "post:pst_one", public=True)
    attach(media_id, "post:pst_two", public=True)
    attach(media_id, "post:pst_one", public=False)
    assert publisher(stream.event(), Context()) == {"batchItemFailures": []}
    assert len(public_versions(media_id)) == 3

    attach(media_id, "post:pst_two", public=False)
    assert publisher(stream.event(), Context()) == {"batchItemFailures": []}
    assert public_versions(media_id) == []


def test_changes_handled_late_follow_the_record_as_it_is_now(publisher):
    """Records are applied against the current record (read consistently): a stale "made public"
    handled after the image was withdrawn publishes nothing."""
    stream = MediaStream()
    media_id = stored_media(kind="image", owner="user-late")
    attach(media_id, "post:pst_late", public=True)
    made_public = stream.event()
    attach(media_id, "post:pst_late", public=False)
    withdrawn = stream.event()

    assert publisher(made_public, Context()) == {"batchItemFailures": []}
    assert public_versions(media_id) == []
    assert publisher(withdrawn, Context()) == {"batchItemFailures": []}
    assert publisher(withdrawn, Context()) == {"batchItemFailures": []}  # a redelivery does no harm
    assert public_versions(media_id) == []


def test_documents_and_changes_that_touch_nothing_public_are_left_alone(publisher):
    stream = MediaStream()
    media_id = stored_media(kind="image", owner="user-doc")
    aws.client("dynamodb").update_item(
        TableName=store.table(),
        Key={"id": {"S": media_id}},
        UpdateExpression="SET kind = :document",
        ExpressionAttributeValues={":document": {"S": "document"}},
    )
    attach(media_id, "post:pst_doc", public=True)  # a public PDF: presigned URLs, never the CDN
    event = stream.event()
    assert [record["eventName"] for record in event["Records"]] == ["INSERT", "MODIFY", "MODIFY"]
    counter_calls: list[str] = []
    aws.client("s3").meta.events.register("before-call.s3.*", lambda model, **_: counter_calls.append(model.name))
    try:
        assert publisher(event, Context()) == {"batchItemFailures": []}
    finally:
        aws.client("s3").meta.events.unregister("before-call.s3.*")
    assert counter_calls == [] and public_versions(media_id) == []


def test_a_failing_copy_fails_only_its_record_and_the_retry_publishes(publisher):
    stream = MediaStream()
    first, second = stored_media(kind="image", owner="user-f1"), stored_media(kind="image", owner="user-f2")
    attach(first, "post:pst_f1", public=True)
    attach(second, "post:pst_f2", public=True)
    event = stream.event()
    real_copy = aws.client("s3").copy_object
    failed: list[str] = []

    def flaky_copy(**kwargs):
        if first in kwargs["Key"] and not failed:
            failed.append(kwargs["Key"])
            raise aws.client("s3").exceptions.ClientError(
                {"Error": {"Code": "SlowDown", "Message": "slow"}}, "CopyObject"
            )
        return real_copy(**kwargs)

    aws.client("s3").copy_object = flaky_copy
    try:
        answer = publisher(event, Context())
    finally:
        del aws.client("s3").copy_object
    (made_public,) = [
        record
        for record in event["Records"]
        if record["eventName"] == "MODIFY" and record["dynamodb"]["Keys"]["id"]["S"] == first
    ]
    assert answer == {"batchItemFailures": [{"itemIdentifier": made_public["dynamodb"]["SequenceNumber"]}]}
    assert len(public_versions(second)) == 3
    assert publisher({"Records": [made_public]}, Context()) == {"batchItemFailures": []}
    assert len(public_versions(first)) == 3
