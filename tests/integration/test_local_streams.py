"""DynamoDB stream event sources against the local stack's emulator (over HTTP): a poller reads a
real table's stream and hands its records to a function, here a Python callable standing in for
the stack's workers, since what is under test is the poller: order, batches, filters, partial
failures, bisection, the retry limit and the OnFailure queue, starting positions, and an emulator
restart."""

from __future__ import annotations

import asyncio
import contextlib
import json
import threading
import time
import uuid
from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from aws_lambda_powertools.utilities.parser.models import DynamoDBStreamModel
from aws_lambda_powertools.utilities.parser.models.dynamodb import DynamoDBStreamLambdaOnFailureDestinationModel
from botocore.config import Config

from eckolocal.filters import compile_filter_criteria
from eckolocal.pollers import DynamoDbStreamPoller, StreamSource
from eckolocal.provision import enable_streams, provision
from eckolocal.state import export_data, import_data
from eckolocal.template import Template
from eckolocal.workers import InvocationError
from tests.support.emulator import Session, start_emulator

ROOT = Path(__file__).resolve().parents[2]
FIXTURE = ROOT / "tests" / "fixtures" / "stack" / "template.yaml"
FUNCTION_ARN = "arn:aws:lambda:us-east-1:123456789012:function:notes"
# One attempt: the poller backs off and tries again itself.
ONE_ATTEMPT = Config(retries={"mode": "standard", "max_attempts": 1})


@pytest.fixture(scope="module")
def emulator(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Session]:
    running = start_emulator(tmp_path_factory.mktemp("streams") / "emulator.log")
    yield Session(running.url)
    running.stop()


class Function:
    """Stands in for the stack's workers: keeps each batch and answers with `answer(records)`,
    which may raise InvocationError as a failing function does."""

    def __init__(self, answer: Callable[[list[dict[str, Any]]], Any] = lambda records: None) -> None:
        self.answer = answer
        self.batches: list[list[dict[str, Any]]] = []

    async def invoke(self, function: str, event: dict[str, Any], *, request_id: str | None = None) -> Any:
        DynamoDBStreamModel.model_validate(event)
        self.batches.append(event["Records"])
        return self.answer(event["Records"])

    def keys(self) -> list[list[str]]:
        return [[record["dynamodb"]["Keys"]["id"]["S"] for record in batch] for batch in self.batches]


def key(record: dict[str, Any]) -> str:
    return record["dynamodb"]["Keys"]["id"]["S"]


def text(record: dict[str, Any]) -> str | None:
    return record["dynamodb"].get("NewImage", {}).get("text", {}).get("S")


def poisoned(records: list[dict[str, Any]]) -> None:
    if any(text(record) == "poison" for record in records):
        raise InvocationError({"errorMessage": "poison", "errorType": "ValueError"})


def new_table(session: Session) -> str:
    name = f"notes-{uuid.uuid4().hex[:8]}"
    session.client("dynamodb").create_table(
        TableName=name,
        BillingMode="PAY_PER_REQUEST",
        AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}],
        KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
        StreamSpecification={"StreamEnabled": True, "StreamViewType": "NEW_AND_OLD_IMAGES"},
    )
    return name


def put(session: Session, table: str, *keys: str, **attributes: str) -> None:
    for item_key in keys:
        item = {"id": {"S": item_key}} | {name: {"S": value} for name, value in attributes.items()}
        session.client("dynamodb").put_item(TableName=table, Item=item)


def poller(session: Session, table: str, function: Function, **settings: Any) -> DynamoDbStreamPoller:
    settings.setdefault("starting_position", "TRIM_HORIZON")
    source = StreamSource(function="NotesFunction", function_arn=FUNCTION_ARN, table_name=table, **settings)
    return DynamoDbStreamPoller(
        source,
        function,  # type: ignore[arg-type]
        dynamodb=session.client("dynamodb", config=ONE_ATTEMPT),
        streams=session.client("dynamodbstreams", config=ONE_ATTEMPT),
        sqs=session.client("sqs"),
        poll_interval=0.05,
        retry_delay=0,
        error_backoff=0.1,
    )


@contextlib.asynccontextmanager
async def polling(*pollers: DynamoDbStreamPoller) -> AsyncIterator[None]:
    for each in pollers:
        each.start()
    try:
        yield
    finally:
        for each in pollers:
            await each.stop()


async def eventually(condition: Callable[[], bool], timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "not within the time allowed"
        await asyncio.sleep(0.02)


def stream_of(session: Session, table: str) -> tuple[str, str]:
    arn = session.client("dynamodb").describe_table(TableName=table)["Table"]["LatestStreamArn"]
    shards = session.client("dynamodbstreams").describe_stream(StreamArn=arn)["StreamDescription"]["Shards"]
    return arn, shards[0]["ShardId"]


def on_failure_records(session: Session, queue_url: str, count: int) -> list[dict[str, Any]]:
    sqs, received = session.client("sqs"), []
    deadline = time.monotonic() + 5
    while len(received) < count and time.monotonic() < deadline:
        messages = sqs.receive_message(QueueUrl=queue_url, MaxNumberOfMessages=10, WaitTimeSeconds=1)
        received += [json.loads(m["Body"]) for m in messages.get("Messages", [])]
    for record in received:
        DynamoDBStreamLambdaOnFailureDestinationModel.model_validate(record)
    return received


def new_queue(session: Session) -> str:
    return session.client("sqs").create_queue(QueueName=f"notes-failures-{uuid.uuid4().hex[:8]}")["QueueUrl"]


def test_changes_arrive_in_order_in_lambdas_event_shape_in_batches(emulator):
    table, dynamodb, function = new_table(emulator), emulator.client("dynamodb"), Function()
    put(emulator, table, "a", "b", text="v1")
    dynamodb.update_item(
        TableName=table,
        Key={"id": {"S": "a"}},
        UpdateExpression="SET #t = :t",
        ExpressionAttributeNames={"#t": "text"},
        ExpressionAttributeValues={":t": {"S": "v2"}},
    )
    dynamodb.delete_item(TableName=table, Key={"id": {"S": "b"}})
    dynamodb.transact_write_items(
        TransactItems=[
            {"Put": {"TableName": table, "Item": {"id": {"S": "c"}, "text": {"S": "v1"}}}},
            {"Delete": {"TableName": table, "Key": {"id": {"S": "a"}}}},
        ]
    )
    put(emulator, table, "a", text="v3")

    async def scenario() -> None:
        async with polling(poller(emulator, table, function, batch_size=3)):
            await eventually(lambda: sum(map(len, function.batches)) == 7)

    asyncio.run(scenario())
    assert [len(batch) for batch in function.batches] == [3, 3, 1]
    records = [record for batch in function.batches for record in batch]
    assert [(r["eventName"], key(r)) for r in records] == [
        ("INSERT", "a"),
        ("INSERT", "b"),
        ("MODIFY", "a"),
        ("REMOVE", "b"),
        ("INSERT", "c"),
        ("REMOVE", "a"),
        ("INSERT", "a"),
    ]
    sequence = [int(r["dynamodb"]["SequenceNumber"]) for r in records]
    assert sequence == sorted(sequence) and len(set(sequence)) == 7
    modify = records[2]
    assert text(modify) == "v2" and modify["dynamodb"]["OldImage"]["text"] == {"S": "v1"}
    assert modify["dynamodb"]["StreamViewType"] == "NEW_AND_OLD_IMAGES"
    assert modify["eventSource"] == "aws:dynamodb" and modify["awsRegion"] == "us-east-1"
    assert modify["eventSourceARN"] == stream_of(emulator, table)[0]
    assert isinstance(modify["dynamodb"]["ApproximateCreationDateTime"], float)


def test_a_batching_window_gathers_what_is_written_meanwhile_unless_the_batch_is_full(emulator):
    table, function = new_table(emulator), Function()
    full = new_table(emulator)
    quick = Function()

    async def scenario() -> None:
        put(emulator, table, "x")
        put(emulator, full, "p", "q")
        async with polling(
            poller(emulator, table, function, batch_size=10, batching_window=0.8),
            poller(emulator, full, quick, batch_size=2, batching_window=30),
        ):
            await asyncio.sleep(0.3)
            put(emulator, table, "y", "z")
            await eventually(lambda: bool(function.batches and quick.batches))

    asyncio.run(scenario())
    assert function.keys() == [["x", "y", "z"]]
    assert quick.keys() == [["p", "q"]]


def test_records_the_filters_leave_out_are_skipped_for_good(emulator):
    table, function = new_table(emulator), Function()
    pattern = {"eventName": ["INSERT"], "dynamodb": {"NewImage": {"kind": {"S": [{"prefix": "photo/"}]}}}}
    filters = compile_filter_criteria({"Filters": [{"Pattern": json.dumps(pattern)}]}, where="test")
    put(emulator, table, "1", kind="photo/png")
    put(emulator, table, "2", kind="video/mp4")
    put(emulator, table, "1", kind="photo/gif")  # a MODIFY
    put(emulator, table, "3", kind="photo/jpeg")

    async def scenario() -> None:
        async with polling(poller(emulator, table, function, filters=filters)):
            await eventually(lambda: len(function.batches) == 1)
            put(emulator, table, "4", kind="photo/webp")
            await eventually(lambda: len(function.batches) == 2)

    asyncio.run(scenario())
    assert function.keys() == [["1", "3"], ["4"]]


def test_reported_failures_are_retried_from_the_lowest_one_and_a_malformed_answer_fails_all(emulator):
    table = new_table(emulator)
    put(emulator, table, *(f"k{n}" for n in range(1, 7)))
    sequence_of = {}
    answers = [
        lambda records: {"batchItemFailures": [{"itemIdentifier": sequence_of[k]} for k in ("k4", "k2")]},
        lambda records: {"batchItemFailures": [{"itemIdentifier": ""}]},
        lambda records: {"batchItemFailures": []},
    ]

    def answer(records: list[dict[str, Any]]) -> Any:
        sequence_of.update({key(r): r["dynamodb"]["SequenceNumber"] for r in records})
        return answers.pop(0)(records) if answers else None

    function = Function(answer)

    async def scenario() -> None:
        async with polling(poller(emulator, table, function, batch_size=4, report_item_failures=True)):
            await eventually(lambda: "k6" in sum(function.keys(), []))

    asyncio.run(scenario())
    assert function.keys() == [["k1", "k2", "k3", "k4"], ["k2", "k3", "k4", "k5"], ["k2", "k3", "k4", "k5"], ["k6"]]


def test_bisection_isolates_a_poison_record_and_its_invocation_record_goes_to_the_queue(emulator):
    table, queue_url, function = new_table(emulator), new_queue(emulator), Function(poisoned)
    for n in range(1, 6):
        put(emulator, table, f"n{n}", text="poison" if n == 3 else "fine")
    settings = {"batch_size": 4, "bisect_on_error": True, "maximum_retry_attempts": 1}

    async def scenario() -> None:
        async with polling(poller(emulator, table, function, on_failure_queue_url=queue_url, **settings)):
            await eventually(lambda: "n5" in sum(function.keys(), []))

    asyncio.run(scenario())
    assert function.keys() == [
        ["n1", "n2", "n3", "n4"],
        ["n1", "n2"],
        ["n3", "n4"],
        ["n3"],
        ["n3"],  # its one retry
        ["n4"],
        ["n5"],
    ]
    (record,) = on_failure_records(emulator, queue_url, 1)
    poison = function.batches[3][0]["dynamodb"]["SequenceNumber"]
    stream_arn, shard_id = stream_of(emulator, table)
    info, context = dict(record["DDBStreamBatchInfo"]), dict(record["requestContext"])
    assert info.pop("approximateArrivalOfFirstRecord") == info.pop("approximateArrivalOfLastRecord")
    assert info == {
        "shardId": shard_id,
        "startSequenceNumber": poison,
        "endSequenceNumber": poison,
        "batchSize": 1,
        "streamArn": stream_arn,
    }
    assert context.pop("requestId")
    assert context == {"functionArn": FUNCTION_ARN, "condition": "RetryAttemptsExhausted", "approximateInvokeCount": 2}
    assert record["responseContext"] == {"statusCode": 200, "executedVersion": "$LATEST", "functionError": "Unhandled"}


def test_past_its_retries_a_batch_is_skipped_reported_and_what_follows_goes_on(emulator):
    table, queue_url, function = new_table(emulator), new_queue(emulator), Function(poisoned)
    put(emulator, table, "a", "b", text="fine")
    put(emulator, table, "c", text="poison")

    async def scenario() -> None:
        settings = {"maximum_retry_attempts": 2, "on_failure_queue_url": queue_url}
        async with polling(poller(emulator, table, function, **settings)):
            await eventually(lambda: len(function.batches) == 3)
            put(emulator, table, "d", text="fine")
            await eventually(lambda: len(function.batches) == 4)

    asyncio.run(scenario())
    assert function.keys() == [["a", "b", "c"]] * 3 + [["d"]]
    (record,) = on_failure_records(emulator, queue_url, 1)
    first, *_, last = function.batches[0]
    assert record["DDBStreamBatchInfo"]["startSequenceNumber"] == first["dynamodb"]["SequenceNumber"]
    assert record["DDBStreamBatchInfo"]["endSequenceNumber"] == last["dynamodb"]["SequenceNumber"]
    assert record["DDBStreamBatchInfo"]["batchSize"] == 3 and record["requestContext"]["approximateInvokeCount"] == 3


def test_latest_starts_after_what_the_stream_holds_and_trim_horizon_at_its_start(emulator):
    table, latest, horizon = new_table(emulator), Function(), Function()
    put(emulator, table, "old-1", "old-2")
    late = poller(emulator, table, latest, starting_position="LATEST")
    reading = threading.Event()
    late.streams.meta.events.register("after-call.dynamodbstreams.GetRecords", lambda **_: reading.set())

    async def scenario() -> None:
        async with polling(late, poller(emulator, table, horizon, starting_position="TRIM_HORIZON")):
            await eventually(reading.is_set)
            put(emulator, table, "new-1")
            await eventually(lambda: len(sum(latest.keys(), [])) == 1 and len(sum(horizon.keys(), [])) == 3)

    asyncio.run(scenario())
    assert sum(latest.keys(), []) == ["new-1"]
    assert sum(horizon.keys(), []) == ["old-1", "old-2", "new-1"]


def test_polling_goes_on_through_an_emulator_restart_and_leaves_the_restored_data_out(tmp_path):
    running = start_emulator(tmp_path / "emulator.log")
    session, template = Session(running.url), Template(FIXTURE)
    table = template.physical_name("NotesTable")
    try:
        provision(template, session)
        assert stream_of(session, table)[0].startswith(f"{template.get_att('NotesTable', 'Arn')}/stream/")
        function = Function()

        async def scenario() -> None:
            async with polling(poller(session, table, function)):
                put(session, table, "before")
                await eventually(lambda: bool(function.batches))
                saved = await asyncio.to_thread(export_data, template, session)
                await asyncio.to_thread(running.stop)
                await asyncio.sleep(0.3)  # the poller meets a backend that is gone
                await asyncio.to_thread(start_emulator, tmp_path / "emulator.log", running)
                # As the stack restores it: tables, then the data saved, then their streams.
                await asyncio.to_thread(provision, template, session, streams=False)
                await asyncio.to_thread(import_data, template, session, saved)
                await asyncio.to_thread(enable_streams, template, session)
                put(session, table, "after")
                await eventually(lambda: len(function.batches) == 2)
                await asyncio.sleep(0.3)  # and nothing else comes

        asyncio.run(scenario())
        assert function.keys() == [["before"], ["after"]]
        assert "Item" in session.client("dynamodb").get_item(TableName=table, Key={"id": {"S": "before"}})
    finally:
        running.stop()
