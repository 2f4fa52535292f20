"""Search indexer: the search queue (FIFO, one message group, so one batch at a time). The listings
a batch names are applied to the index in one commit, published as its next generation
(`eckospace.marketplace.search.index`). A message that names no listing fails alone, with those
after it (FIFO order); if the commit fails the whole batch is retried, which is harmless since each
listing is indexed as it is when read."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.utilities.batch import SqsFifoPartialProcessor

from eckospace.marketplace.search.feed import listing_to_index
from eckospace.marketplace.search.index import apply

processor = SqsFifoPartialProcessor()


def lambda_handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    changed: list[str] = []
    with processor(records=event["Records"], handler=lambda record: changed.append(listing_to_index(record.body))):
        processor.process()
    apply(changed)
    return processor.response()
