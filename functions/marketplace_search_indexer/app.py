"""Search indexer: the search queue (FIFO, a message group per kind, so one batch of a kind at a
time). The postings a batch names are applied to their kind's index in one commit each, published
as its next generation (`eckospace.marketplace.search.index`). A message that names no posting
fails alone, with those of its group after it (FIFO order); if a commit fails the whole batch is
retried, which is harmless since each posting is indexed as it is when read."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.utilities.batch import SqsFifoPartialProcessor

from eckospace.marketplace.search.feed import posting_to_index
from eckospace.marketplace.search.index import apply

processor = SqsFifoPartialProcessor(skip_group_on_error=True)


def lambda_handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    changed: list[str] = []
    with processor(records=event["Records"], handler=lambda record: changed.append(posting_to_index(record.body))):
        processor.process()
    apply(changed)
    return processor.response()
