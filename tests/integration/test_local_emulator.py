"""The local stack's AWS emulator (`python -m eckolocal.emulator`, over HTTP) where moto alone does
less than AWS: DynamoDB refuses a malformed ExclusiveStartKey, S3 notifications name the version
uploaded, presigned URLs are checked, and bucket lifecycle rules (the template's media bucket's
among them) are applied."""

from __future__ import annotations

import datetime as dt
import json
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest
import requests
from botocore.config import Config
from botocore.exceptions import ClientError

from eckolocal.emulator import expire_by_lifecycle, lifecycle_due
from eckolocal.provision import provision
from eckolocal.template import Template
from tests.support.emulator import Session, start_emulator
from tests.support.local_stack import only_modules

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def emulator(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Session]:
    running = start_emulator(tmp_path_factory.mktemp("emulator") / "emulator.log")
    yield Session(running.url)
    running.stop()


# ---------------------------------------------------------------------------- DynamoDB start keys
@pytest.fixture(scope="module")
def table(emulator: Session) -> tuple[Any, str]:
    dynamodb, name = emulator.client("dynamodb"), f"pages-{uuid.uuid4().hex[:8]}"
    dynamodb.create_table(
        TableName=name,
        BillingMode="PAY_PER_REQUEST",
        AttributeDefinitions=[
            {"AttributeName": a, "AttributeType": t} for a, t in (("pk", "S"), ("sk", "S"), ("gpk", "S"), ("gsk", "N"))
        ],
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "RANGE"}],
        GlobalSecondaryIndexes=[
            {
                "IndexName": "ByScore",
                "Projection": {"ProjectionType": "ALL"},
                "KeySchema": [
                    {"AttributeName": "gpk", "KeyType": "HASH"},
                    {"AttributeName": "gsk", "KeyType": "RANGE"},
                ],
            }
        ],
    )
    for partition in ("a", "b"):
        for n in range(4):
            dynamodb.put_item(
                TableName=name,
                Item={
                    "pk": {"S": partition},
                    "sk": {"S": f"item#{n}"},
                    "gpk": {"S": f"g{partition}"},
                    "gsk": {"N": str(n)},
                },
            )
    return dynamodb, name


def query(dynamodb: Any, name: str, start: dict[str, Any] | None, *, index: bool = False, **extra: Any) -> dict:
    request: dict[str, Any] = {"TableName": name, "Limit": 2, **extra}
    if index:
        request |= {
            "IndexName": "ByScore",
            "KeyConditionExpression": "#p = :p",
            "ExpressionAttributeNames": {"#p": "gpk"},
            "ExpressionAttributeValues": {":p": {"S": "ga"}},
        }
    elif "KeyConditionExpression" not in extra:
        request |= {
            "KeyConditionExpression": "pk = :p AND begins_with(sk, :s)",
            "ExpressionAttributeValues": {":p": {"S": "a"}, ":s": {"S": "item#"}},
        }
    if start is not None:
        request["ExclusiveStartKey"] = start
    return dynamodb.query(**request)


def refused(call: Any) -> str:
    with pytest.raises(ClientError) as caught:
        call()
    assert caught.value.response["Error"]["Code"] == "ValidationException", caught.value.response
    assert caught.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400
    return caught.value.response["Error"]["Message"]


def test_a_query_continues_from_the_key_dynamodb_gave(table):
    dynamodb, name = table
    first = query(dynamodb, name, None)
    rest = query(dynamodb, name, first["LastEvaluatedKey"])
    assert [i["sk"]["S"] for i in first["Items"] + rest["Items"]] == [f"item#{n}" for n in range(4)]
    on_index = query(dynamodb, name, None, index=True)
    assert set(on_index["LastEvaluatedKey"]) == {"pk", "sk", "gpk", "gsk"}
    rest = query(dynamodb, name, on_index["LastEvaluatedKey"], index=True)["Items"]
    assert [i["gsk"]["N"] for i in rest] == ["2", "3"]
    scanned = dynamodb.scan(TableName=name, Limit=3)
    assert len(dynamodb.scan(TableName=name, ExclusiveStartKey=scanned["LastEvaluatedKey"])["Items"]) == 5


@pytest.mark.parametrize(
    ("start", "message"),
    [
        ({"pk": {"S": "a"}}, "The provided starting key is invalid"),  # a key attribute missing
        ({"pk": {"S": "a"}, "sk": {"S": "item#1"}, "evil": {"S": "x"}}, "The provided starting key is invalid"),
        ({"pk": {"S": "a"}, "sk": {"N": "1"}}, "The provided starting key is invalid"),  # the wrong type
        ({"pk": {"S": "a"}, "sk": {"SS": ["item#1"]}}, "The provided starting key is invalid"),
        ({"pk": {"S": "a"}, "sk": {"S": ""}}, "The provided starting key is invalid"),
        ({"pk": {"S": "b"}, "sk": {"S": "item#1"}}, "outside query boundaries"),  # another partition
    ],
)
def test_a_query_refuses_a_start_key_dynamodb_would(table, start, message):
    dynamodb, name = table
    assert message in refused(lambda: query(dynamodb, name, start))


def test_an_index_query_needs_the_table_and_index_keys_of_its_own_partition(table):
    dynamodb, name = table
    good = query(dynamodb, name, None, index=True)["LastEvaluatedKey"]
    for start in (
        {"pk": good["pk"], "sk": good["sk"]},  # the table's key alone
        {"gpk": good["gpk"], "gsk": good["gsk"]},  # the index's key alone
        {**good, "gsk": {"N": "not a number"}},
        {**good, "gsk": {"S": "1"}},
    ):
        assert "The provided starting key is invalid" in refused(
            lambda start=start: query(dynamodb, name, start, index=True)
        )
    assert "outside query boundaries" in refused(
        lambda: query(dynamodb, name, {**good, "gpk": {"S": "gb"}}, index=True)
    )


def test_the_legacy_key_conditions_and_scans_are_checked_too(table):
    dynamodb, name = table
    assert "outside query boundaries" in refused(
        lambda: dynamodb.query(
            TableName=name,
            KeyConditions={"pk": {"ComparisonOperator": "EQ", "AttributeValueList": [{"S": "a"}]}},
            ExclusiveStartKey={"pk": {"S": "b"}, "sk": {"S": "item#0"}},
        )
    )
    assert "does not match the schema" in refused(
        lambda: dynamodb.scan(TableName=name, ExclusiveStartKey={"pk": {"S": "a"}, "gsk": {"N": "1"}})
    )


# ---------------------------------------------------------------------------- S3 notifications
def test_notifications_of_a_versioned_bucket_name_the_version_uploaded(emulator):
    s3, sqs = emulator.client("s3"), emulator.client("sqs")
    queue = sqs.create_queue(QueueName=f"uploads-{uuid.uuid4().hex[:8]}")["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=queue, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    found: dict[str, Any] = {}
    for versioned in (True, False):
        bucket = f"notified-{uuid.uuid4().hex[:8]}"
        s3.create_bucket(Bucket=bucket)
        if versioned:
            s3.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Enabled"})
        s3.put_bucket_notification_configuration(
            Bucket=bucket,
            NotificationConfiguration={"QueueConfigurations": [{"QueueArn": arn, "Events": ["s3:ObjectCreated:*"]}]},
        )
        put = [s3.put_object(Bucket=bucket, Key="quarantine/x", Body=body) for body in (b"one", b"two")]
        records = []
        while len(records) < 2:
            messages = sqs.receive_message(QueueUrl=queue, MaxNumberOfMessages=10, WaitTimeSeconds=2)
            assert messages.get("Messages"), "no notification arrived"
            for message in messages["Messages"]:
                records += [r["s3"]["object"] for r in json.loads(message["Body"]).get("Records", [])]
                sqs.delete_message(QueueUrl=queue, ReceiptHandle=message["ReceiptHandle"])
        found[versioned] = ([r.get("versionId") for r in records], [p.get("VersionId") for p in put])
    named, uploaded = found[True]
    assert sorted(named) == sorted(uploaded) and len(set(uploaded)) == 2 and None not in uploaded
    assert found[False][0] == [None, None]


# ---------------------------------------------------------------------------- S3 lifecycle
# ---------------------------------------------------------------------------- DynamoDB transactions
def test_a_transaction_retried_with_its_client_token_is_applied_once(table):
    dynamodb, name = table
    key = {"pk": {"S": f"tx#{uuid.uuid4().hex}"}, "sk": {"S": "a"}}

    def transact(token: str, value: str) -> None:
        dynamodb.transact_write_items(
            ClientRequestToken=token,
            TransactItems=[
                {
                    "Update": {
                        "TableName": name,
                        "Key": key,
                        "UpdateExpression": "SET v = :v ADD n :one",
                        "ConditionExpression": "attribute_not_exists(n)",
                        "ExpressionAttributeValues": {":v": {"S": value}, ":one": {"N": "1"}},
                    }
                }
            ],
        )

    token = uuid.uuid4().hex
    transact(token, "first")
    transact(token, "first")  # the SDK's retry after a timeout: a success, not a failed condition
    assert dynamodb.get_item(TableName=name, Key=key)["Item"]["n"] == {"N": "1"}
    with pytest.raises(ClientError) as mismatch:
        transact(token, "other")
    assert mismatch.value.response["Error"]["Code"] == "IdempotentParameterMismatchException"
    with pytest.raises(ClientError) as refused:  # a new token is a new transaction: its condition fails
        transact(uuid.uuid4().hex, "first")
    assert refused.value.response["Error"]["Code"] == "TransactionCanceledException"


# ---------------------------------------------------------------------------- S3 presigned URLs
def test_a_presigned_url_serves_only_what_was_signed_and_only_until_it_expires(emulator):
    s3 = boto3.client(
        "s3",
        endpoint_url=emulator.endpoint,
        region_name="us-east-1",
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
        config=Config(signature_version="s3v4", s3={"addressing_style": "path"}),
    )
    bucket = f"presigned-{uuid.uuid4().hex[:8]}"
    s3.create_bucket(Bucket=bucket)
    key = "media/med_1/a file+é.pdf"
    s3.put_object(Bucket=bucket, Key=key, Body=b"%PDF-")
    s3.put_object(Bucket=bucket, Key="media/med_2/other.pdf", Body=b"secret")

    def url(expires: int, **extra: str) -> str:
        params = {"Bucket": bucket, "Key": key, **extra}
        return s3.generate_presigned_url("get_object", Params=params, ExpiresIn=expires)

    good = url(300, ResponseContentDisposition="attachment; filename*=UTF-8''a.pdf")
    answer = requests.get(good, timeout=5)
    assert (answer.status_code, answer.content) == (200, b"%PDF-")
    assert answer.headers["Content-Disposition"] == "attachment; filename*=UTF-8''a.pdf"

    tampered = {
        "signature": good.replace("X-Amz-Signature=", "X-Amz-Signature=0"),
        "another object": good.replace("med_1/a%20file%2B%C3%A9.pdf", "med_2/other.pdf"),
        "a longer life": good.replace("X-Amz-Expires=300", "X-Amz-Expires=3000"),
        "another disposition": good.replace("attachment", "inline"),
    }
    for what, edited in tampered.items():
        assert edited != good, what
        refused = requests.get(edited, timeout=5)
        assert refused.status_code == 403, what
        assert "<Code>AccessDenied</Code>" in refused.text, what
    assert requests.head(good, timeout=5).status_code == 403  # signed for GET only

    signed_long_ago = url(60).replace("X-Amz-Date=" + dt.datetime.now(dt.UTC).strftime("%Y%m%d"), "X-Amz-Date=20200101")
    assert requests.get(signed_long_ago, timeout=5).status_code == 403
    expired = s3.generate_presigned_url("get_object", Params={"Bucket": bucket, "Key": key}, ExpiresIn=1)
    time.sleep(2.1)
    answer = requests.get(expired, timeout=5)
    assert answer.status_code == 403 and "Request has expired" in answer.text


def test_lifecycle_days_are_counted_as_s3_counts_them():
    assert lifecycle_due(dt.datetime(2026, 1, 1, 10, 30, tzinfo=dt.UTC), 3) == dt.datetime(2026, 1, 5, tzinfo=dt.UTC)
    assert lifecycle_due(dt.datetime(2026, 1, 1, tzinfo=dt.UTC), 1) == dt.datetime(2026, 1, 2, tzinfo=dt.UTC)


def versions(s3: Any, bucket: str, key: str) -> tuple[int, int]:
    listed = s3.list_object_versions(Bucket=bucket, Prefix=key)
    return len(listed.get("Versions", [])), len(listed.get("DeleteMarkers", []))


def test_the_media_bucket_expires_what_it_keeps_no_longer(emulator):
    # The media module's resources alone: the bucket is the same, and there is less to create.
    template = Template(ROOT / "template.yaml", overrides=only_modules("Media"))
    provision(template, emulator)
    s3, bucket = emulator.client("s3"), template.physical_name("MediaBucket")
    assert s3.get_bucket_versioning(Bucket=bucket)["Status"] == "Enabled"
    rules = {r["ID"]: r for r in s3.get_bucket_lifecycle_configuration(Bucket=bucket)["Rules"]}
    assert rules["expire-noncurrent-versions"]["NoncurrentVersionExpiration"] == {"NoncurrentDays": 7}
    assert rules["expire-noncurrent-versions"]["Expiration"] == {"ExpiredObjectDeleteMarker": True}
    assert rules["expire-quarantine"]["NoncurrentVersionExpiration"] == {"NoncurrentDays": 1}

    stray, deleted, kept = "quarantine/med_stray", "media/med_gone/original", "media/med_kept/original"
    for key in (stray, stray, deleted, kept):
        s3.put_object(Bucket=bucket, Key=key, Body=b"bytes")
    s3.delete_object(Bucket=bucket, Key=deleted)  # a delete marker hides it; its bytes stay
    assert (versions(s3, bucket, stray), versions(s3, bucket, deleted)) == ((2, 0), (1, 1))
    now = dt.datetime.now(dt.UTC)

    expire_by_lifecycle(s3, bucket, now)
    assert (versions(s3, bucket, stray), versions(s3, bucket, deleted)) == ((2, 0), (1, 1))
    expire_by_lifecycle(s3, bucket, now + dt.timedelta(days=2))  # quarantine: the replaced version goes
    assert versions(s3, bucket, stray) == (1, 0)
    expire_by_lifecycle(s3, bucket, now + dt.timedelta(days=3))  # and the upload left there is expired
    assert versions(s3, bucket, stray) == (1, 1)
    expire_by_lifecycle(s3, bucket, now + dt.timedelta(days=5))
    assert versions(s3, bucket, stray) == (0, 0)  # its version, then its expired delete marker
    assert versions(s3, bucket, deleted) == (1, 1)
    done = expire_by_lifecycle(s3, bucket, now + dt.timedelta(days=9))
    assert versions(s3, bucket, deleted) == (0, 0) and done["markers_removed"] >= 1
    assert versions(s3, bucket, kept) == (1, 0)  # what is current stays
