"""Fan-out and attempts.

`dispatch` turns one domain event into one delivery per subscribed endpoint (once, however often
the event arrives) whose integration is enabled and may still hold the event's scope. `attempt`
makes the next attempt of one delivery: checked again against its integration's entitlement
(enabled, the event's scope allowed, first-party for private events; a delivery no longer entitled
fails at once, unsent), signed, sent through the
SSRF-safe transport, logged, then succeeded, scheduled again, or failed; a 410 disables the endpoint
at once, and an endpoint failing for days is disabled when another delivery to it fails for good.
The owner hears of a disabled endpoint through a `webhook.endpoint.disabled` event.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from eckospace import timestamps
from eckospace.observability import logger
from eckospace.webhooks import catalogue, clock, queue, schedule, settings, signing, store, targets, transport

LEASE_SECONDS = 60
NOT_ENTITLED = "not entitled"  # how the delivery log names a delivery its owner may no longer receive
STALE_DISPATCH_SECONDS = 90


class DispatchInProgress(Exception):
    """Another dispatcher is fanning this event out right now; try again later."""


def dispatch(envelope: dict[str, Any]) -> int:
    """Deliveries created for the domain event `envelope`; 0 for a duplicate or an event no
    endpoint listens to."""
    event_type, event_id = envelope.get("type"), envelope.get("id")
    entry = catalogue.CATALOGUE.get(str(event_type))
    if entry is None or event_type in catalogue.NOT_SUBSCRIBABLE or not event_id:
        return 0
    listeners = store.subscribers(entry.name)
    if entry.audience == "owner":
        listeners = [(owner, endpoint) for owner, endpoint in listeners if owner == envelope.get("subject")]
    if not listeners:
        return 0
    now = clock.now()
    claimed = store.claim_event(str(event_id), now, STALE_DISPATCH_SECONDS)
    if claimed == store.DONE:
        return 0
    if claimed == store.IN_PROGRESS:
        raise DispatchInProgress(str(event_id))
    entitled = store.entitled_owners(
        {owner for owner, _ in listeners}, entry.scope, first_party_only=entry.first_party_only
    )
    listeners = [(owner, endpoint) for owner, endpoint in listeners if owner in entitled]
    created = int(envelope.get("created") or now)
    body = signing.body(entry.name, str(event_id), created, envelope.get("data") or {}).decode()
    deliveries = [
        store.Delivery(
            delivery_id=store.delivery_id(str(event_id), endpoint, created),
            endpoint_id=endpoint,
            owner=owner,
            event_id=str(event_id),
            event_type=entry.name,
            body=body,
            created=created,
            due=now,
        )
        for owner, endpoint in listeners
    ]
    if claimed == store.NEW:
        store.put_new_deliveries(deliveries)
    else:  # a dispatch that died half way: write what is missing, queue anything never attempted
        deliveries = [
            d
            for d in deliveries
            if store.put_delivery_if_new(d)
            or (
                (found := store.get_delivery(d.endpoint_id, d.delivery_id)) is not None
                and found.status == store.PENDING
                and found.next_attempt == 0
            )
        ]
    queue.send_all([d.message() for d in deliveries])
    store.finish_event(str(event_id))
    return len(deliveries)


def _disable_after_seconds() -> int:
    return int(settings.DISABLE_AFTER_DAYS() * 86400)


def attempt(message: dict[str, Any]) -> str:
    """Make the attempt `message` stands for; returns what happened (for logs and tests)."""
    now = clock.now()
    delivery, endpoint, held, entitlement = store.attempt_context(
        message["owner"], message["endpoint_id"], message["delivery_id"]
    )
    if delivery is None or delivery.status != store.PENDING or delivery.next_attempt != message.get("attempt"):
        return "duplicate"
    if refused := entitlement.refusal_for(delivery.event_type):  # checked at every attempt, before signing
        if not store.claim(delivery, now, LEASE_SECONDS):  # another worker has this attempt
            return "duplicate"
        store.record(replace(delivery, status=store.FAILED, reason=f"{NOT_ENTITLED}: {refused}"), delivery.next_attempt)
        logger().warning(
            "webhook delivery not entitled",
            extra={
                "delivery_id": delivery.delivery_id,
                "endpoint_id": delivery.endpoint_id,
                "event_type": delivery.event_type,
                "reason": refused,
            },
        )
        return "not entitled"
    if delivery.due > now:  # beyond SQS's longest delay: wait again
        queue.send(delivery.message(), schedule.sqs_delay(delivery.due, now))
        return "waiting"
    if endpoint is None or held is None or not endpoint.enabled:
        reason = "endpoint deleted" if endpoint is None or held is None else "endpoint disabled"
        store.record(replace(delivery, status=store.FAILED, reason=reason), delivery.next_attempt)
        return "cancelled"
    if not store.claim(delivery, now, LEASE_SECONDS):
        return "duplicate"
    body = delivery.body.encode()
    headers = signing.headers(held.live(now), delivery.delivery_id, now, body)
    outcome = transport.post(
        endpoint.url,
        body,
        headers,
        policy=targets.Policy.from_settings(),
        resolver=clock.resolver(),
        timeout=transport.TIMEOUT_SECONDS,
    )
    logged = {
        "attempt": delivery.next_attempt + 1,
        "at": now,
        "status_code": outcome.status,
        "latency_ms": outcome.latency_ms,
        "response": outcome.snippet,
    }
    if outcome.error:
        logged["error"] = outcome.error
    after = replace(delivery, next_attempt=delivery.next_attempt + 1, attempts=(*delivery.attempts, logged))
    log = logger()
    extra = {
        "delivery_id": delivery.delivery_id,
        "endpoint_id": endpoint.endpoint_id,
        "status_code": outcome.status,
        "latency_ms": outcome.latency_ms,
        "error": outcome.error,
    }
    if outcome.status is not None and 200 <= outcome.status < 300:
        store.record(replace(after, status=store.SUCCEEDED), delivery.next_attempt)
        if endpoint.failing_since is not None:
            store.mark_healthy(endpoint)
        log.info("webhook delivered", extra=extra)
        return "succeeded"
    if outcome.status == 410:
        store.record(replace(after, status=store.FAILED, reason="endpoint answered 410 Gone"), delivery.next_attempt)
        _disable(endpoint, "gone", now)
        log.info("webhook endpoint gone: disabled", extra=extra)
        return "gone"
    if outcome.blocked:
        store.record(replace(after, status=store.FAILED, reason="target refused"), delivery.next_attempt)
        log.warning("webhook target refused", extra=extra)
        return "blocked"
    if endpoint.failing_since is None:
        store.mark_failing(endpoint, now)
        endpoint = replace(endpoint, failing_since=now)
    wait = schedule.next_delay(delivery.retry_index, schedule.retry_after_seconds(outcome.retry_after, now))
    if wait is not None:
        due = now + wait
        store.record(replace(after, retry_index=delivery.retry_index + 1, due=due), delivery.next_attempt)
        queue.send({**delivery.message(), "attempt": after.next_attempt}, schedule.sqs_delay(due, now))
        log.info("webhook attempt failed: retrying", extra={**extra, "retry_in_s": wait})
        return "retrying"
    store.record(replace(after, status=store.FAILED, reason="every attempt failed"), delivery.next_attempt)
    log.info("webhook delivery failed for good", extra=extra)
    if endpoint.failing_since is not None and now - endpoint.failing_since >= _disable_after_seconds():
        _disable(endpoint, "failing", now)
    return "failed"


def _disable(endpoint: store.Endpoint, reason: str, now: int) -> None:
    from eckospace.events import DomainEvent, publish

    for _ in range(3):
        current = store.get_endpoint(endpoint.owner, endpoint.endpoint_id)
        if current is None or not current.enabled:
            return
        try:
            store.save_endpoint(
                current,
                replace(current, enabled=False, disabled_reason=reason, updated=now, version=current.version + 1),
            )
            break
        except store.VersionConflict:
            continue
    else:
        raise store.VersionConflict()
    publish(
        DomainEvent(
            type="webhook.endpoint.disabled",
            subject=endpoint.owner,
            id=f"evt_disabled_{endpoint.endpoint_id}_{now}",
            data={
                "endpoint_id": endpoint.endpoint_id,
                "url": endpoint.url,
                "reason": reason,
                "failing_since_at": timestamps.from_seconds(current.failing_since),
            },
        )
    )
