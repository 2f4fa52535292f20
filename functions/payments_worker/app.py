"""The payments worker: applies verified Stripe events from the payments queue to the wallet ledger,
each effect exactly once, reporting partial batch failures so only failed events are retried."""

from __future__ import annotations

import json
from typing import Any

from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response

from eckospace.events import publish
from eckospace.payments import ledger
from eckospace.payments.stripe_effects import domain_events_for, effects_for
from eckospace.payments.topups import payment_owner

processor = BatchProcessor(event_type=EventType.SQS)


def apply_event(record: Any) -> None:
    event = json.loads(record.body)
    effects = effects_for(event, find_user=payment_owner)
    for effect in effects:
        ledger.apply(effect)
    for fact in domain_events_for(event, effects):
        publish(fact)


def lambda_handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    return process_partial_response(event=event, record_handler=apply_event, processor=processor, context=context)
