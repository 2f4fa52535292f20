"""The local stack's own promises, on a small fixture template: faithful proxy events, workers
with their own environments, timeouts and crashes answered as API Gateway does, modules switched
off by Conditions, SQS event sources with partial batch failures and DLQ redrive, and a DynamoDB
stream event source with its filter, bisection and OnFailure queue."""

from __future__ import annotations

import base64
import json
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
from aws_lambda_powertools.utilities.parser.models import APIGatewayProxyEventModel, DynamoDBStreamRecordModel

from tests.support.local_stack import RunningStack, start_stack

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "stack" / "template.yaml"


@pytest.fixture(scope="module")
def fixture_stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningStack]:
    # Schedules sixty times faster: rate(1 minute) runs every second.
    running = start_stack(tmp_path_factory.mktemp("fixture-stack"), template=FIXTURE, env={"ECKO_SCHEDULE_SPEED": "60"})
    yield running
    assert running.stop() == 0


def echo(stack: RunningStack, method: str, path: str, **kwargs) -> dict:
    response = requests.request(method, stack.url(path), timeout=30, **kwargs)
    assert response.status_code == 200, response.text
    return response.json()


def test_requests_become_faithful_rest_proxy_events(fixture_stack):
    answer = echo(
        fixture_stack,
        "POST",
        "/echo/42?a=1&a=2&b=x&empty=",
        json={"hello": "world"},
        headers={"X-Custom": "yes", "User-Agent": "tests/1.0"},
    )
    event = answer["event"]
    parsed = APIGatewayProxyEventModel.model_validate(event)
    assert parsed.resource == "/echo/{id}" and parsed.path == "/echo/42" and parsed.httpMethod == "POST"
    assert parsed.pathParameters == {"id": "42"}
    assert parsed.multiValueQueryStringParameters == {"a": ["1", "2"], "b": ["x"], "empty": [""]}
    assert parsed.queryStringParameters == {"a": "2", "b": "x", "empty": ""}
    assert parsed.headers["x-custom"] == "yes" and parsed.multiValueHeaders["x-custom"] == ["yes"]
    assert parsed.requestContext.stage == "test" and parsed.requestContext.path == "/test/echo/42"
    assert str(parsed.requestContext.identity.sourceIp) == "127.0.0.1/32"
    assert parsed.requestContext.identity.userAgent == "tests/1.0"
    assert json.loads(parsed.body) == {"hello": "world"} and parsed.isBase64Encoded is False
    assert event["requestContext"]["requestId"]


def test_binary_media_types_arrive_base64_encoded(fixture_stack):
    payload = bytes(range(256)) * 4
    event = echo(fixture_stack, "POST", "/echo", data=payload, headers={"Content-Type": "application/octet-stream"})[
        "event"
    ]
    assert event["isBase64Encoded"] is True
    assert base64.b64decode(event["body"]) == payload
    text = echo(fixture_stack, "POST", "/echo", data="plain", headers={"Content-Type": "text/plain"})["event"]
    assert text["isBase64Encoded"] is False and text["body"] == "plain"


def test_multi_value_response_headers_reach_the_client(fixture_stack):
    response = requests.get(fixture_stack.url("/echo"), timeout=30)
    assert response.raw.headers.getlist("Set-Cookie") == ["a=1", "b=2"]


def test_each_function_sees_only_its_own_environment_and_stays_warm(fixture_stack):
    first = echo(fixture_stack, "GET", "/echo")
    assert first["env"] == {
        "ECHO_ONLY": "echo-plain",
        "SEEN_TABLE": None,
        "SHARED_SETTING": "from-globals",
        "AWS_LAMBDA_FUNCTION_NAME": "EchoFunction",
    }
    assert 0 < first["remaining_ms"] <= 5000
    assert echo(fixture_stack, "GET", "/echo")["pid"] == first["pid"]
    stats = requests.get(fixture_stack.url("/_local/health"), timeout=30).json()["functions"]["EchoFunction"]
    assert stats["cold_starts"] == 1 and stats["invocations"] >= 2


def test_a_function_past_its_timeout_is_a_504_and_is_killed(fixture_stack):
    started = time.monotonic()
    response = requests.get(fixture_stack.url("/slow"), timeout=30)
    assert response.status_code == 504
    assert time.monotonic() - started < 2.9  # Timeout is 1 s; the function would sleep 3 s


def test_a_crashing_function_is_a_502_without_its_error(fixture_stack):
    response = requests.get(fixture_stack.url("/crash"), timeout=30)
    assert response.status_code == 502
    assert "secret detail" not in response.text and "Traceback" not in response.text


def test_functions_of_nested_stacks_serve_their_routes_with_what_the_parent_passed(fixture_stack):
    answer = echo(fixture_stack, "GET", "/child")
    assert answer["env"]["ECHO_ONLY"] == "hello-plain"  # !Sub "hello-${Flavour}", passed down
    assert answer["env"]["SEEN_TABLE"] == "eckospace-local-SeenTable"
    assert answer["env"]["SHARED_SETTING"] is None  # the parent's Globals stay in the parent
    assert answer["event"]["resource"] == "/child"


def test_unknown_routes_are_403_and_disabled_modules_do_not_exist(fixture_stack, tmp_path):
    assert requests.get(fixture_stack.url("/extra"), timeout=30).status_code == 403
    assert requests.get(fixture_stack.url("/extra-child"), timeout=30).status_code == 403  # its stack is off
    assert requests.delete(fixture_stack.url("/slow"), timeout=30).status_code == 403
    enabled = start_stack(tmp_path / "extras", template=FIXTURE, overrides={"WithExtras": "true"})
    try:
        assert requests.get(enabled.url("/extra"), timeout=30).status_code == 200
        assert echo(enabled, "GET", "/extra-child")["env"]["ECHO_ONLY"] == "extra"
    finally:
        enabled.stop()


def test_sqs_consumer_gets_batches_retries_failures_and_dead_letters_poison(fixture_stack):
    sqs, dynamodb = fixture_stack.aws("sqs"), fixture_stack.aws("dynamodb")
    queue_url = sqs.get_queue_url(QueueName="eckospace-local-WorkQueue")["QueueUrl"]
    dlq_url = sqs.get_queue_url(QueueName="eckospace-local-WorkDeadLetterQueue")["QueueUrl"]
    bodies = [f"ok-{i}" for i in range(7)] + ["fail-once:x", "poison"]
    for body in bodies:
        sqs.send_message(QueueUrl=queue_url, MessageBody=body)

    def deliveries() -> dict[str, int]:
        items = dynamodb.scan(TableName="eckospace-local-SeenTable")["Items"]
        return {
            item["id"]["S"]: int(item["deliveries"]["N"]) for item in items if item["id"]["S"] != "tick"
        }  # the scheduled function's counter shares the table

    deadline = time.monotonic() + 40
    dead: list[str] = []
    while time.monotonic() < deadline:
        dead += [m["Body"] for m in sqs.receive_message(QueueUrl=dlq_url, MaxNumberOfMessages=10).get("Messages", [])]
        if len(deliveries()) == 8 and dead:
            break
        time.sleep(0.5)
    # Each good message applied exactly once (successes are deleted, not redelivered with the failures),
    # the transient failure retried once, the poison message moved to the DLQ after maxReceiveCount.
    assert deliveries() == {**{f"ok-{i}": 1 for i in range(7)}, "fail-once:x": 1}
    assert dead == ["poison"]


def test_s3_notifications_reach_the_queue_consumer(fixture_stack):
    s3, dynamodb = fixture_stack.aws("s3"), fixture_stack.aws("dynamodb")
    s3.put_object(Bucket="eckospace-local-uploadsbucket", Key="incoming/photo 1.png", Body=b"\x89PNG")
    s3.put_object(Bucket="eckospace-local-uploadsbucket", Key="elsewhere/skip.png", Body=b"\x89PNG")
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        item = dynamodb.get_item(TableName="eckospace-local-SeenTable", Key={"id": {"S": "s3:incoming/photo 1.png"}})
        if "Item" in item:
            break
        time.sleep(0.3)
    assert "Item" in item, "the S3 notification never reached the consumer"
    assert "Item" not in dynamodb.get_item(
        TableName="eckospace-local-SeenTable", Key={"id": {"S": "s3:elsewhere/skip.png"}}
    )


def test_a_table_stream_reaches_its_function_in_order_filtered_with_a_poison_record_set_aside(fixture_stack):
    dynamodb, sqs = fixture_stack.aws("dynamodb"), fixture_stack.aws("sqs")
    notes, changes = "eckospace-local-NotesTable", "eckospace-local-ChangesTable"
    failures_url = sqs.get_queue_url(QueueName="eckospace-local-NotesFailuresQueue")["QueueUrl"]
    dynamodb.put_item(TableName=notes, Item={"id": {"S": "note-1"}, "text": {"S": "first"}})
    dynamodb.put_item(TableName=notes, Item={"id": {"S": "draft-1"}, "text": {"S": "left out by the filter"}})
    dynamodb.put_item(TableName=notes, Item={"id": {"S": "note-1"}, "text": {"S": "second"}})
    dynamodb.put_item(TableName=notes, Item={"id": {"S": "bad"}, "text": {"S": "poison"}})
    dynamodb.delete_item(TableName=notes, Key={"id": {"S": "note-1"}})

    def history(item_id: str) -> list[str]:
        item = dynamodb.get_item(TableName=changes, Key={"id": {"S": item_id}}).get("Item", {})
        return [event["S"] for event in item.get("events", {}).get("L", [])]

    deadline, set_aside = time.monotonic() + 30, []
    while time.monotonic() < deadline and not (set_aside and len(history("note-1")) == 3):
        set_aside += sqs.receive_message(QueueUrl=failures_url, WaitTimeSeconds=1).get("Messages", [])
    # Bisection isolates the poison record, which is set aside after its two retries; the others
    # arrive once each, in order.
    assert history("note-1") == ["INSERT", "MODIFY", "REMOVE"]
    assert history("draft-1") == [] and history("bad") == []
    (failure,) = [json.loads(message["Body"]) for message in set_aside]
    assert failure["DDBStreamBatchInfo"]["batchSize"] == 1
    assert failure["requestContext"]["approximateInvokeCount"] == 3
    last = json.loads(dynamodb.get_item(TableName=changes, Key={"id": {"S": "note-1"}})["Item"]["last_record"]["S"])
    record = DynamoDBStreamRecordModel.model_validate(last)
    assert record.eventSourceARN.startswith(dynamodb.describe_table(TableName=notes)["Table"]["TableArn"] + "/stream/")
    assert record.dynamodb.OldImage == {"id": "note-1", "text": "second"} and record.dynamodb.NewImage is None


def test_concurrent_requests_get_more_sandboxes_up_to_the_limit(fixture_stack):
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(max_workers=8) as pool:
        pids = set(pool.map(lambda _: echo(fixture_stack, "GET", "/echo?sleep=0.3")["pid"], range(24)))
    assert len(pids) == 4  # eight callers at once, ECKO_MAX_WORKERS (default 4) sandboxes


def test_idle_sandboxes_are_reaped_and_start_cold_again(tmp_path):
    stack = start_stack(tmp_path / "reaping", template=FIXTURE, env={"ECKO_IDLE_SECONDS": "1"})
    try:
        first = echo(stack, "GET", "/echo")["pid"]
        assert echo(stack, "GET", "/echo")["pid"] == first
        time.sleep(2.5)
        assert echo(stack, "GET", "/echo")["pid"] != first
    finally:
        stack.stop()


def test_scheduled_functions_run_on_their_rate(fixture_stack):
    dynamodb = fixture_stack.aws("dynamodb")

    def ticks() -> int:
        item = dynamodb.get_item(TableName="eckospace-local-SeenTable", Key={"id": {"S": "tick"}}).get("Item")
        return int(item["deliveries"]["N"]) if item else 0

    first = ticks()
    time.sleep(2.5)
    assert 1 <= ticks() - first <= 4  # about one a second at sixty times the speed
