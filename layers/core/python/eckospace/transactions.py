"""TransactWriteItems with labelled operations, for every context that writes several items at once:
`Cancelled` says which operation's condition failed."""

from __future__ import annotations

from typing import Any

Operation = tuple[str, dict[str, Any]]


class Cancelled(Exception):
    """A transaction DynamoDB cancelled: the label of the first operation that failed a condition
    (None if none did) and every operation's reason code, in order."""

    def __init__(self, failed: str | None, codes: list[str], labels: list[str]) -> None:
        super().__init__(f"transaction cancelled: {failed or codes}")
        self.failed = failed
        self.codes = codes
        self.labels = labels

    @property
    def conflicted(self) -> bool:
        return "TransactionConflict" in self.codes

    def code_of(self, label: str) -> str | None:
        return self.codes[self.labels.index(label)] if label in self.labels else None


def transact(operations: list[Operation]) -> None:
    """One TransactWriteItems of labelled operations; `Cancelled` says which condition failed.
    A client request token makes botocore's own retries of the call idempotent."""
    import uuid

    from eckospace import aws

    client = aws.client("dynamodb")
    labels = [label for label, _ in operations]
    try:
        client.transact_write_items(
            TransactItems=[operation for _, operation in operations], ClientRequestToken=uuid.uuid4().hex
        )
    except client.exceptions.TransactionCanceledException as exc:
        codes = [reason.get("Code") or "None" for reason in exc.response.get("CancellationReasons", [])]
        failed = next(
            (label for label, code in zip(labels, codes, strict=False) if code == "ConditionalCheckFailed"), None
        )
        raise Cancelled(failed, codes, labels) from None
