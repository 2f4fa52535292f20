"""Event sources polled as Lambda's event source mappings poll them: SQS queues and DynamoDB streams.

SQS: receives up to BatchSize messages (long polling), hands them to the function as one SQS event,
deletes what succeeded and leaves failures to become visible again after the visibility timeout;
the backend moves a message to its dead-letter queue once maxReceiveCount is passed. With
`ReportBatchItemFailures` only the listed messages are retried; an answer naming unknown messages,
an error or a timeout fails the whole batch, as on AWS.

DynamoDB streams: reads the table's stream shard by shard, a parent shard to its end before its
children, from `StartingPosition` (TRIM_HORIZON or LATEST), and hands the records that pass the
`FilterCriteria` to the function in batches of up to `BatchSize` (100), gathering for up to
`MaximumBatchingWindowInSeconds`. A failed batch is retried, in order, until it succeeds or has
failed `MaximumRetryAttempts` retries (-1: for ever); then it is skipped and Lambda's invocation
record for it goes to the `OnFailure` SQS queue. With `ReportBatchItemFailures` the records before
the lowest sequence number reported are done and the retry starts there (an empty list: all done;
a malformed answer: all failed); with `BisectBatchOnFunctionError` a failed batch is split in two
(or at the failure reported) before it is retried, which uses no retry. The position is kept in
memory, as Lambda's checkpoint: when the backend restarts, the table's stream begins anew after the
data restored, and it is read from its start.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import datetime as dt
import json
import logging
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from eckolocal.filters import Pattern, compile_filter_criteria, passes
from eckolocal.template import PARTITION, REGION, Template
from eckolocal.workers import InvocationError, Workers

log = logging.getLogger("eckolocal.pollers")


def _events(template: Template, kind: str) -> Iterator[tuple[str, str, dict[str, Any]]]:
    """(function, event name, properties) of every event of a kind, resolved in the function's stack."""
    for logical_id, spec in template.functions().items():
        for name, event in spec.events.items():
            if event.get("Type") == kind:
                yield logical_id, name, event["Properties"]


def _flag(value: Any) -> bool:
    """A template boolean, written `true` or passed through a parameter as "true"."""
    return str(value).lower() == "true"


def failed_item_ids(result: Any, batch_ids: set[str]) -> set[str]:
    """The ids to retry after a successful invocation (all of them when the answer is malformed)."""
    failures = result.get("batchItemFailures") if isinstance(result, dict) else None
    if not failures:
        return set()
    if not isinstance(failures, list):
        return set(batch_ids)
    ids = {f.get("itemIdentifier") if isinstance(f, dict) else None for f in failures}
    if None in ids or "" in ids or not ids <= batch_ids:
        return set(batch_ids)
    return ids  # type: ignore[return-value]


class SourceUnavailable(Exception):
    """The backend answers, but without the event source (yet): it is being restored."""


class Poller:
    """Polls one event source for one function until stopped; a backend error is logged, and
    polling goes on after `error_backoff` seconds."""

    def __init__(self, workers: Workers, *, name: str, error_backoff: float = 1.0) -> None:
        self.workers = workers
        self.name = name
        self.error_backoff = error_backoff
        self._task: asyncio.Task[None] | None = None

    async def poll_once(self) -> int:
        """One round; returns how many records it read."""
        raise NotImplementedError

    def after_error(self) -> None:
        """Forget what a backend error may have made stale."""

    async def run(self) -> None:
        while True:
            try:
                await self.poll_once()
                continue
            except asyncio.CancelledError:
                raise
            except (BotoCoreError, ClientError, SourceUnavailable) as error:  # the backend is away or restarting
                log.warning("polling %s failed (%s): trying again in %.1f s", self.name, error, self.error_backoff)
            except Exception:
                log.exception("polling %s failed", self.name)
            self.after_error()
            await asyncio.sleep(self.error_backoff)

    def start(self) -> None:
        self._task = asyncio.get_running_loop().create_task(self.run())

    async def stop(self) -> None:
        if self._task:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task


# ---------------------------------------------------------------------------- SQS
@dataclass(frozen=True)
class SqsSource:
    function: str
    queue_logical_id: str
    queue_url: str
    queue_arn: str
    batch_size: int
    report_item_failures: bool


def sqs_sources(template: Template) -> list[SqsSource]:
    sources = []
    for logical_id, _, props in _events(template, "SQS"):
        queue_id = template.queue_for_arn(props["Queue"])
        sources.append(
            SqsSource(
                function=logical_id,
                queue_logical_id=queue_id,
                queue_url=template.ref(queue_id),
                queue_arn=template.get_att(queue_id, "Arn"),
                batch_size=int(props.get("BatchSize", 10)),
                report_item_failures="ReportBatchItemFailures" in props.get("FunctionResponseTypes", []),
            )
        )
    return sources


def _record(message: dict[str, Any], source: SqsSource) -> dict[str, Any]:
    attributes = {}
    for name, value in (message.get("MessageAttributes") or {}).items():
        attributes[name] = {
            "stringValue": value.get("StringValue"),
            "binaryValue": value.get("BinaryValue"),
            "stringListValues": [],
            "binaryListValues": [],
            "dataType": value.get("DataType"),
        }
    return {
        "messageId": message["MessageId"],
        "receiptHandle": message["ReceiptHandle"],
        "body": message["Body"],
        "attributes": message.get("Attributes", {}),
        "messageAttributes": attributes,
        "md5OfBody": message.get("MD5OfBody"),
        "eventSource": "aws:sqs",
        "eventSourceARN": source.queue_arn,
        "awsRegion": REGION,
    }


class SqsPoller(Poller):
    def __init__(self, source: SqsSource, workers: Workers, sqs: Any) -> None:
        super().__init__(workers, name=source.queue_url)
        self.source = source
        self.sqs = sqs

    async def poll_once(self) -> int:
        response = await asyncio.to_thread(
            self.sqs.receive_message,
            QueueUrl=self.source.queue_url,
            MaxNumberOfMessages=min(10, self.source.batch_size),
            WaitTimeSeconds=1,
            AttributeNames=["All"],
            MessageAttributeNames=["All"],
        )
        messages = response.get("Messages", [])
        if not messages:
            return 0
        event = {"Records": [_record(m, self.source) for m in messages]}
        batch_ids = {m["MessageId"] for m in messages}
        try:
            result = await self.workers.invoke(self.source.function, event)
        except InvocationError as error:
            log.warning("%s failed a batch of %d: %s", self.source.function, len(messages), error)
            return len(messages)
        failed = failed_item_ids(result, batch_ids) if self.source.report_item_failures else set()
        done = [m for m in messages if m["MessageId"] not in failed]
        for start in range(0, len(done), 10):
            chunk = done[start : start + 10]
            await asyncio.to_thread(
                self.sqs.delete_message_batch,
                QueueUrl=self.source.queue_url,
                Entries=[{"Id": str(i), "ReceiptHandle": m["ReceiptHandle"]} for i, m in enumerate(chunk)],
            )
        return len(messages)


# ---------------------------------------------------------------------------- DynamoDB streams
STARTING_POSITIONS = ("TRIM_HORIZON", "LATEST")
_STREAM_PROPERTIES = {
    "Stream",
    "StartingPosition",
    "BatchSize",
    "MaximumBatchingWindowInSeconds",
    "FilterCriteria",
    "FunctionResponseTypes",
    "MaximumRetryAttempts",
    "BisectBatchOnFunctionError",
    "DestinationConfig",
    "Enabled",
}


@dataclass(frozen=True)
class StreamSource:
    function: str
    function_arn: str
    table_name: str
    starting_position: str  # TRIM_HORIZON or LATEST
    batch_size: int = 100
    batching_window: float = 0.0
    filters: tuple[Pattern, ...] = ()
    report_item_failures: bool = False
    maximum_retry_attempts: int = -1  # -1: for ever
    bisect_on_error: bool = False
    on_failure_queue_url: str | None = None


def _on_failure_queue(template: Template, props: dict[str, Any], where: str) -> str | None:
    destination = props.get("DestinationConfig", {}).get("OnFailure", {}).get("Destination")
    if not destination:
        return None
    if not destination.startswith(f"arn:{PARTITION}:sqs:"):
        log.warning("%s: locally, discarded batches go to SQS queues only, not %s: they are logged", where, destination)
        return None
    return template.ref(template.queue_for_arn(destination))


def stream_sources(template: Template) -> list[StreamSource]:
    """The `DynamoDB` events of the template's functions; ValueError for one Lambda would refuse."""
    sources = []
    for logical_id, event_name, props in _events(template, "DynamoDB"):
        where = f"{logical_id}.{event_name}"
        if not _flag(props.get("Enabled", True)):
            log.info("%s is disabled", where)
            continue
        ignored = sorted(set(props) - _STREAM_PROPERTIES)
        if ignored:
            log.warning("%s: %s not applied locally", where, ", ".join(ignored))
        if props.get("StartingPosition") not in STARTING_POSITIONS:
            raise ValueError(f"{where}: StartingPosition must be one of {', '.join(STARTING_POSITIONS)}")
        table = template.table_for_stream_arn(props["Stream"])
        if "StreamSpecification" not in template.properties(table):
            raise ValueError(f"{where}: {table} has no StreamSpecification, so no stream")
        sources.append(
            StreamSource(
                function=logical_id,
                function_arn=template.get_att(logical_id, "Arn"),
                table_name=template.physical_name(table),
                starting_position=props["StartingPosition"],
                batch_size=int(props.get("BatchSize", 100)),
                batching_window=float(props.get("MaximumBatchingWindowInSeconds", 0)),
                filters=compile_filter_criteria(props.get("FilterCriteria"), where=where),
                report_item_failures="ReportBatchItemFailures" in props.get("FunctionResponseTypes", []),
                maximum_retry_attempts=int(props.get("MaximumRetryAttempts", -1)),
                bisect_on_error=_flag(props.get("BisectBatchOnFunctionError", False)),
                on_failure_queue_url=_on_failure_queue(template, props, where),
            )
        )
    return sources


def _json_ready(value: Any) -> Any:
    """Attribute values as Lambda's JSON event has them: binary ones base64-encoded."""
    if isinstance(value, bytes):
        return base64.b64encode(value).decode()
    if isinstance(value, dict):
        return {key: _json_ready(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_json_ready(item) for item in value]
    return value


def stream_event_record(record: dict[str, Any], stream_arn: str) -> dict[str, Any]:
    """A GetRecords record as Lambda hands it to the function."""
    change = {key: _json_ready(value) for key, value in record["dynamodb"].items()}
    created = change.get("ApproximateCreationDateTime")
    if isinstance(created, dt.datetime):  # epoch seconds, rounded down, in Lambda's event
        change["ApproximateCreationDateTime"] = float(int(created.timestamp()))
    shaped = {
        "eventID": record["eventID"],
        "eventName": record["eventName"],
        "eventVersion": record.get("eventVersion", "1.1"),
        "eventSource": "aws:dynamodb",
        "awsRegion": REGION,
        "dynamodb": change,
        "eventSourceARN": stream_arn,
    }
    if "userIdentity" in record:  # deletions by TTL
        shaped["userIdentity"] = record["userIdentity"]
    return shaped


def _sequence_number(record: dict[str, Any]) -> str:
    return record["dynamodb"]["SequenceNumber"]


@dataclass(frozen=True)
class Discard:
    """A batch given up on: its records and how many times it was handed to the function."""

    records: list[dict[str, Any]]
    invocations: int


class ShardProgress:
    """Lambda's checkpoint in one shard: the records read and not yet done with, oldest first, and
    how the batch at their head has fared."""

    def __init__(self, *, batch_size: int, maximum_retry_attempts: int = -1, bisect_on_error: bool = False) -> None:
        self.batch_size = batch_size
        self.maximum_retry_attempts = maximum_retry_attempts
        self.bisect_on_error = bisect_on_error
        self.pending: list[dict[str, Any]] = []
        self.failed_invocations = 0  # of the batch at the head
        self._pieces: list[int] = []  # sizes of the bisected pieces at the head, to run in turn
        self._gathering_since = 0.0  # when the oldest pending record was read

    def add(self, records: list[dict[str, Any]], now: float) -> None:
        if records and not self.pending:
            self._gathering_since = now
        self.pending += records

    @property
    def retrying(self) -> bool:
        return bool(self._pieces) or self.failed_invocations > 0

    def ready(self, now: float, batching_window: float) -> bool:
        """Whether to invoke now: a full batch, a retry, or the batching window is over."""
        if not self.pending:
            return False
        return self.retrying or len(self.pending) >= self.batch_size or now - self._gathering_since >= batching_window

    def window_left(self, now: float, batching_window: float) -> float:
        return self._gathering_since + batching_window - now

    def next_batch(self) -> list[dict[str, Any]]:
        return self.pending[: self._pieces[0] if self._pieces else self.batch_size]

    def settle(self, batch: list[dict[str, Any]], succeeded: int) -> Discard | None:
        """Record an invocation of `next_batch()` whose first `succeeded` records are done; returns
        the records given up on when the retries are spent."""
        failed = len(batch) - succeeded
        del self.pending[:succeeded]
        if succeeded:
            self.failed_invocations = 0  # the checkpoint moved on: the batch retried starts anew
        if self._pieces:
            self._pieces.pop(0)
        if not failed:
            return None
        if self.bisect_on_error and (succeeded or failed > 1):
            # Split at the failure reported, or in halves; splitting uses none of the retries.
            self._pieces[:0] = [failed] if succeeded else [failed // 2, failed - failed // 2]
            return None
        self.failed_invocations += 1
        if 0 <= self.maximum_retry_attempts < self.failed_invocations:
            discard = Discard(self.pending[:failed], self.failed_invocations)
            del self.pending[:failed]
            self.failed_invocations = 0
            return discard
        if self.bisect_on_error:
            self._pieces.insert(0, failed)
        return None


@dataclass
class _Shard:
    shard_id: str
    progress: ShardProgress
    start: str  # where reading begins: TRIM_HORIZON or LATEST
    iterator: str | None = None
    last_read: str | None = None  # the sequence number of the last record read, to read on after it
    ended: bool = False  # a closed shard read to its end


def _arrival(record: dict[str, Any]) -> str:
    created = dt.datetime.fromtimestamp(record["dynamodb"]["ApproximateCreationDateTime"], dt.UTC)
    return created.strftime("%Y-%m-%dT%H:%M:%SZ")


class DynamoDbStreamPoller(Poller):
    """One function's DynamoDB event source: its table's stream, read one shard at a time."""

    def __init__(
        self,
        source: StreamSource,
        workers: Workers,
        *,
        dynamodb: Any,
        streams: Any,
        sqs: Any,
        poll_interval: float = 0.5,
        retry_delay: float = 0.5,
        error_backoff: float = 1.0,
    ) -> None:
        super().__init__(workers, name=f"the stream of {source.table_name}", error_backoff=error_backoff)
        self.source = source
        self.dynamodb, self.streams, self.sqs = dynamodb, streams, sqs
        self.poll_interval = poll_interval
        self.retry_delay = retry_delay  # between a failed invocation and its retry
        self.stream_arn: str | None = None
        self._shards: dict[str, _Shard] = {}  # being read, in the order they became readable
        self._finished: set[str] = set()
        self._opening_position: str | None = None  # for the shards of a stream described the first time
        self._look_at_table = True
        self._describe = True
        self._undelivered: list[dict[str, Any]] = []  # invocation records for the OnFailure queue

    def after_error(self) -> None:
        # Iterators may have expired, or the backend restarted with a new stream: find the place again.
        for shard in self._shards.values():
            shard.iterator = None
        self._look_at_table = True

    async def poll_once(self) -> int:
        await self._deliver_invocation_records()
        if self._look_at_table:
            await self._follow_table()
        if self._describe or not self._shards:
            await self._describe_shards()
        read = invoked = 0
        for shard in list(self._shards.values()):
            read += await self._read(shard)
            if shard.progress.ready(time.monotonic(), self.source.batching_window):
                invoked += await self._invoke(shard)
            if shard.ended and not shard.progress.pending:
                del self._shards[shard.shard_id]
                self._finished.add(shard.shard_id)
                self._describe = True  # its children may be read now
        if not read and not invoked:
            await asyncio.sleep(self._pause())
        return read

    def _pause(self) -> float:
        now = time.monotonic()
        windows = [
            shard.progress.window_left(now, self.source.batching_window)
            for shard in self._shards.values()
            if shard.progress.pending
        ]
        return max(0.0, min([self.poll_interval, *windows]))

    async def _follow_table(self) -> None:
        table = (await asyncio.to_thread(self.dynamodb.describe_table, TableName=self.source.table_name))["Table"]
        arn = table.get("LatestStreamArn") if (table.get("StreamSpecification") or {}).get("StreamEnabled") else None
        if arn is None:
            raise SourceUnavailable(f"{self.source.table_name} has no stream (yet)")
        if arn != self.stream_arn:
            if self.stream_arn is not None:
                log.warning("%s began anew (the backend restarted): reading it from its start", self.name)
            self._opening_position = "TRIM_HORIZON" if self.stream_arn else self.source.starting_position
            self.stream_arn = arn
            self._shards.clear()
            self._finished.clear()
            self._describe = True
        self._look_at_table = False

    async def _describe_shards(self) -> None:
        shards: list[dict[str, Any]] = []
        request = {"StreamArn": self.stream_arn}
        while True:
            description = (await asyncio.to_thread(self.streams.describe_stream, **request))["StreamDescription"]
            shards += description.get("Shards", [])
            if not description.get("LastEvaluatedShardId"):
                break
            request["ExclusiveStartShardId"] = description["LastEvaluatedShardId"]
        listed = {shard["ShardId"] for shard in shards}
        opening, self._opening_position = self._opening_position, None
        for shard in shards:
            shard_id, parent = shard["ShardId"], shard.get("ParentShardId")
            if shard_id in self._shards or shard_id in self._finished:
                continue
            if opening == "LATEST" and "EndingSequenceNumber" in shard["SequenceNumberRange"]:
                self._finished.add(shard_id)  # closed before the mapping began
                continue
            if parent in listed and parent not in self._finished:
                continue  # its parent's records come first
            self._shards[shard_id] = _Shard(
                shard_id,
                ShardProgress(
                    batch_size=self.source.batch_size,
                    maximum_retry_attempts=self.source.maximum_retry_attempts,
                    bisect_on_error=self.source.bisect_on_error,
                ),
                start="LATEST" if opening == "LATEST" else "TRIM_HORIZON",
            )
        self._describe = False

    async def _read(self, shard: _Shard) -> int:
        room = self.source.batch_size - len(shard.progress.pending)
        if shard.ended or room <= 0:
            return 0
        if shard.iterator is None:
            request = {"StreamArn": self.stream_arn, "ShardId": shard.shard_id}
            if shard.last_read:
                request |= {"ShardIteratorType": "AFTER_SEQUENCE_NUMBER", "SequenceNumber": shard.last_read}
            else:
                request["ShardIteratorType"] = shard.start
            shard.iterator = (await asyncio.to_thread(self.streams.get_shard_iterator, **request))["ShardIterator"]
        answer = await asyncio.to_thread(self.streams.get_records, ShardIterator=shard.iterator, Limit=min(room, 1000))
        records = answer.get("Records", [])
        shard.iterator = answer.get("NextShardIterator")
        shard.ended = shard.iterator is None
        if records:
            shard.last_read = _sequence_number(records[-1])
            shaped = [stream_event_record(record, self.stream_arn) for record in records]
            # Records the filters leave out are done with (checkpointed) as they are read.
            shard.progress.add([r for r in shaped if passes(self.source.filters, r)], time.monotonic())
        return len(records)

    async def _invoke(self, shard: _Shard) -> int:
        batch = shard.progress.next_batch()
        request_id = str(uuid.uuid4())
        function_error = None
        try:
            result = await self.workers.invoke(self.source.function, {"Records": batch}, request_id=request_id)
        except InvocationError as error:
            log.warning("%s failed a batch of %d: %s", self.source.function, len(batch), error)
            succeeded, function_error = 0, "Unhandled"
        else:
            succeeded = self._succeeded(result, batch)
        discard = shard.progress.settle(batch, succeeded)
        if discard:
            self._give_up(shard, discard, request_id, function_error)
            await self._deliver_invocation_records()
        if succeeded < len(batch):
            await asyncio.sleep(self.retry_delay)
        return len(batch)

    def _succeeded(self, result: Any, batch: list[dict[str, Any]]) -> int:
        """How many records, from the batch's first, are done: those before the lowest failure reported."""
        if not self.source.report_item_failures:
            return len(batch)
        failed = failed_item_ids(result, {_sequence_number(record) for record in batch})
        return min((i for i, record in enumerate(batch) if _sequence_number(record) in failed), default=len(batch))

    def _give_up(self, shard: _Shard, discard: Discard, request_id: str, function_error: str | None) -> None:
        first, last = discard.records[0], discard.records[-1]
        log.warning(
            "%s: gave up on %d records of %s (%s to %s) after %d invocations",
            self.source.function,
            len(discard.records),
            shard.shard_id,
            _sequence_number(first),
            _sequence_number(last),
            discard.invocations,
        )
        if not self.source.on_failure_queue_url:
            return
        self._undelivered.append(
            {
                "requestContext": {
                    "requestId": request_id,
                    "functionArn": self.source.function_arn,
                    "condition": "RetryAttemptsExhausted",
                    "approximateInvokeCount": discard.invocations,
                },
                "responseContext": {
                    "statusCode": 200,
                    "executedVersion": "$LATEST",
                    **({"functionError": function_error} if function_error else {}),
                },
                "version": "1.0",
                "timestamp": dt.datetime.now(dt.UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z"),
                "DDBStreamBatchInfo": {
                    "shardId": shard.shard_id,
                    "startSequenceNumber": _sequence_number(first),
                    "endSequenceNumber": _sequence_number(last),
                    "approximateArrivalOfFirstRecord": _arrival(first),
                    "approximateArrivalOfLastRecord": _arrival(last),
                    "batchSize": len(discard.records),
                    "streamArn": self.stream_arn,
                },
            }
        )

    async def _deliver_invocation_records(self) -> None:
        while self._undelivered:
            await asyncio.to_thread(
                self.sqs.send_message,
                QueueUrl=self.source.on_failure_queue_url,
                MessageBody=json.dumps(self._undelivered[0]),
            )
            self._undelivered.pop(0)
