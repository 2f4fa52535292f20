"""SQS event sources: poll each queue a function consumes, as Lambda's event source mapping does.

Receives up to BatchSize messages (long polling), hands them to the function as one SQS event,
deletes what succeeded and leaves failures to become visible again after the visibility timeout;
the backend moves a message to its dead-letter queue once maxReceiveCount is passed. With
`ReportBatchItemFailures` only the listed messages are retried; an answer naming unknown messages,
an error or a timeout fails the whole batch, as on AWS.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from dataclasses import dataclass
from typing import Any

from eckolocal.template import REGION, Template
from eckolocal.workers import InvocationError, Workers

log = logging.getLogger("eckolocal.sqs")


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
    for logical_id, spec in template.functions().items():
        for event in spec.events.values():
            if event.get("Type") != "SQS":
                continue
            props = event["Properties"]  # resolved in the function's own stack: Queue is an ARN
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


def failed_message_ids(result: Any, batch_ids: set[str]) -> set[str]:
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


class SqsPoller:
    def __init__(self, source: SqsSource, workers: Workers, sqs: Any) -> None:
        self.source = source
        self.workers = workers
        self.sqs = sqs
        self._task: asyncio.Task[None] | None = None

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
        failed = failed_message_ids(result, batch_ids) if self.source.report_item_failures else set()
        done = [m for m in messages if m["MessageId"] not in failed]
        for start in range(0, len(done), 10):
            chunk = done[start : start + 10]
            await asyncio.to_thread(
                self.sqs.delete_message_batch,
                QueueUrl=self.source.queue_url,
                Entries=[{"Id": str(i), "ReceiptHandle": m["ReceiptHandle"]} for i, m in enumerate(chunk)],
            )
        return len(messages)

    async def run(self) -> None:
        while True:
            try:
                await self.poll_once()
            except asyncio.CancelledError:
                raise
            except Exception:  # the backend hiccupped: back off, keep polling
                log.exception("polling %s failed", self.source.queue_url)
                await asyncio.sleep(1.0)

    def start(self) -> None:
        self._task = asyncio.get_running_loop().create_task(self.run())

    async def stop(self) -> None:
        if self._task:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
