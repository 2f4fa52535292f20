"""The endpoints API: what an integration may do with its own webhook endpoints and deliveries.

Every operation takes the caller's owner id (the integration's client id) and finds endpoints only
under it, so another integration's endpoint or delivery is a 404, exactly like one that never
existed.
"""

from __future__ import annotations

import secrets as random
import uuid
from dataclasses import replace
from typing import Any

from eckospace import timestamps
from eckospace.cursors import decode_cursor, encode_cursor
from eckospace.errors import Conflict, MissingScope, NotFound, NotPermitted, Unprocessable
from eckospace.webhooks import catalogue, clock, queue, settings, signing, store, targets

MAX_OVERLAP_SECONDS = 7 * 24 * 3600
MAX_ENDPOINTS_PER_OWNER = 20


def _policy() -> targets.Policy:
    return targets.Policy.from_settings()


def _checked_url(url: str) -> str:
    try:
        targets.check_url(url, _policy(), clock.resolver())
    except targets.TargetRefused as refused:
        raise Unprocessable(
            f"This URL cannot receive webhooks: {refused}.",
            errors=[{"in": "body", "name": "url", "detail": str(refused)}],
        ) from None
    return url


def _checked_types(event_types: list[str], scopes: frozenset[str], owner: str) -> tuple[str, ...]:
    unknown = sorted({t for t in event_types if t not in catalogue.CATALOGUE or t in catalogue.NOT_SUBSCRIBABLE})
    if unknown:
        raise Unprocessable(
            f"Unknown or unsubscribable event types: {', '.join(unknown)}; see GET /api/webhooks/event-types.",
            errors=[{"in": "body", "name": "event_types", "detail": f"unknown: {', '.join(unknown)}"}],
        )
    if not event_types:
        raise Unprocessable(
            "Subscribe to at least one event type.",
            errors=[{"in": "body", "name": "event_types", "detail": "is empty"}],
        )
    missing = sorted({scope for t in event_types if (scope := catalogue.CATALOGUE[t].scope) is not None} - scopes)
    if missing:
        needing = sorted(t for t in event_types if catalogue.CATALOGUE[t].scope in missing)
        raise MissingScope(
            tuple(missing), f"Subscribing to {', '.join(needing)} needs a token with the scope(s): {' '.join(missing)}."
        )
    private = sorted(t for t in set(event_types) if catalogue.CATALOGUE[t].first_party_only)
    if private and not store.is_first_party(owner):
        raise NotPermitted(
            f"{', '.join(private)} carry users' private wallet and payment data and are delivered to "
            "first-party integrations only; the platform's operators decide which those are.",
            first_party_only=private,
        )
    return tuple(sorted(set(event_types)))


def _found(owner: str, endpoint_id: str) -> store.Endpoint:
    endpoint = store.get_endpoint(owner, endpoint_id) if endpoint_id.startswith("ep_") else None
    if endpoint is None:
        raise NotFound("No such webhook endpoint.")
    return endpoint


def overlap_seconds(requested: int | None) -> int:
    seconds = settings.SECRET_OVERLAP_SECONDS() if requested is None else requested
    return max(0, min(MAX_OVERLAP_SECONDS, seconds))


# ------------------------------------------------------------------------------ endpoints
def create_endpoint(
    owner: str, scopes: frozenset[str], *, url: str, event_types: list[str], description: str = "", enabled: bool = True
) -> dict[str, Any]:
    types = _checked_types(event_types, scopes, owner)
    _checked_url(url)
    existing, _ = store.list_endpoints(owner, limit=MAX_ENDPOINTS_PER_OWNER, start=None)
    if len(existing) >= MAX_ENDPOINTS_PER_OWNER:
        raise Conflict(f"An integration may have at most {MAX_ENDPOINTS_PER_OWNER} webhook endpoints.")
    now = clock.now()
    endpoint = store.Endpoint(
        endpoint_id="ep_" + random.token_hex(12),
        owner=owner,
        url=url,
        event_types=types,
        description=description,
        enabled=enabled,
        created=now,
        updated=now,
        version=1,
    )
    secret = signing.new_secret()
    store.save_endpoint(None, endpoint, secret_put=store.secrets_item(endpoint.endpoint_id, store.Secrets(secret)))
    return {**endpoint.public(), "secret": secret}


def list_endpoints(owner: str, *, limit: int, cursor: str | None) -> dict[str, Any]:
    listing, scope = "webhook-endpoints", owner
    found, last = store.list_endpoints(owner, limit=limit, start=decode_cursor(cursor, listing=listing, scope=scope))
    return {"data": [e.public() for e in found], "next_cursor": encode_cursor(last, listing=listing, scope=scope)}


def get_endpoint(owner: str, endpoint_id: str) -> dict[str, Any]:
    return _found(owner, endpoint_id).public()


def _rechecked_types(endpoint: store.Endpoint, scopes: frozenset[str], owner: str) -> None:
    """An endpoint's current event types, checked again as at creation (a new URL or a re-enabled
    endpoint must not keep receiving what its integration may no longer subscribe to)."""
    try:
        _checked_types(list(endpoint.event_types), scopes, owner)
    except NotPermitted as refused:
        refused.detail = (
            f"{refused.detail} This endpoint subscribes to them: drop them from `event_types` in the same request."
        )
        raise


def update_endpoint(owner: str, scopes: frozenset[str], endpoint_id: str, changes: dict[str, Any]) -> dict[str, Any]:
    if "event_types" in changes:
        changes["event_types"] = _checked_types(changes["event_types"], scopes, owner)
    if "url" in changes:
        _checked_url(changes["url"])
    rechecked = "event_types" in changes
    for _ in range(3):  # the worker may note a failure between our read and write
        before = _found(owner, endpoint_id)
        if not rechecked and ("url" in changes or (changes.get("enabled") and not before.enabled)):
            _rechecked_types(before, scopes, owner)
            rechecked = True
        after = replace(before, **changes, updated=clock.now(), version=before.version + 1)
        if changes.get("enabled") and not before.enabled:  # re-enabled: a fresh start
            after = replace(after, failing_since=None, disabled_reason=None)
        try:
            store.save_endpoint(before, after)
            return after.public()
        except store.VersionConflict:
            continue
    raise Conflict("The endpoint changed while it was being updated; retry.", retry_after=1)


def delete_endpoint(owner: str, endpoint_id: str) -> None:
    for _ in range(3):
        before = _found(owner, endpoint_id)
        try:
            store.save_endpoint(before, None, delete_secret=True)
            return
        except store.VersionConflict:
            continue
    raise Conflict("The endpoint changed while it was being deleted; retry.", retry_after=1)


def rotate_secret(owner: str, endpoint_id: str, *, overlap: int | None = None) -> dict[str, Any]:
    """A new signing secret, shown once; the current one keeps signing alongside it for the overlap."""
    endpoint = _found(owner, endpoint_id)
    held = store.get_secrets(endpoint.endpoint_id)
    if held is None:
        raise NotFound("No such webhook endpoint.")
    now = clock.now()
    keep = overlap_seconds(overlap)
    fresh = signing.new_secret()
    rotated = store.Secrets(
        current=fresh, previous=held.current if keep else None, previous_expires_at=now + keep if keep else None
    )
    after = replace(endpoint, updated=now, version=endpoint.version + 1)
    try:
        store.save_endpoint(endpoint, after, secret_put=store.secrets_item(endpoint.endpoint_id, rotated))
    except store.VersionConflict:
        raise Conflict("The endpoint changed while its secret was rotated; retry.", retry_after=1) from None
    return {
        "id": endpoint.endpoint_id,
        "secret": fresh,
        "previous_secret_expires_at": timestamps.from_seconds(rotated.previous_expires_at),
    }


def send_test(owner: str, endpoint_id: str) -> dict[str, Any]:
    endpoint = _found(owner, endpoint_id)
    if not endpoint.enabled:
        raise Conflict("The endpoint is disabled; enable it before sending a test event.")
    now = clock.now()
    event_id = f"evt_{uuid.uuid4().hex}"
    data = {"endpoint_id": endpoint.endpoint_id, "message": "This is a test event from EckoSpace."}
    delivery = store.Delivery(
        delivery_id=store.delivery_id(event_id, endpoint.endpoint_id, now),
        endpoint_id=endpoint.endpoint_id,
        owner=owner,
        event_id=event_id,
        event_type="webhook.test",
        body=signing.body("webhook.test", event_id, now, data).decode(),
        created=now,
        due=now,
    )
    store.put_delivery_if_new(delivery)
    queue.send(delivery.message())
    return {"delivery_id": delivery.delivery_id, "event_id": event_id, "status": store.PENDING}


# ------------------------------------------------------------------------------ deliveries
def list_deliveries(
    owner: str, endpoint_id: str, *, limit: int, cursor: str | None, status: str | None
) -> dict[str, Any]:
    endpoint = _found(owner, endpoint_id)
    listing, scope = "webhook-deliveries", (owner, endpoint.endpoint_id, status or "")
    found, last = store.list_deliveries(
        endpoint.endpoint_id, limit=limit, start=decode_cursor(cursor, listing=listing, scope=scope), status=status
    )
    return {"data": [d.public() for d in found], "next_cursor": encode_cursor(last, listing=listing, scope=scope)}


def redeliver(owner: str, endpoint_id: str, delivery: str) -> dict[str, Any]:
    endpoint = _found(owner, endpoint_id)
    found = store.get_delivery(endpoint.endpoint_id, delivery) if delivery.startswith("dlv_") else None
    if found is None or found.owner != owner:
        raise NotFound("No such delivery.")
    if not endpoint.enabled:
        raise Conflict("The endpoint is disabled; enable it before redelivering.")
    if refused := store.entitlement(owner).refusal_for(found.event_type):
        raise NotPermitted(
            f"This integration may no longer receive {found.event_type} ({refused}): it cannot be redelivered.",
            not_entitled=[found.event_type],
        )
    restarted = store.restart(found, clock.now())
    if restarted is None:
        raise Conflict("This delivery is still being attempted.", retry_after=5)
    queue.send(restarted.message())
    return {"delivery_id": restarted.delivery_id, "status": store.PENDING}


REDELIVER_PAGE = 100
MAX_REDELIVERED = 1000


def redeliver_failed(owner: str, endpoint_id: str, since: int) -> dict[str, Any]:
    """Queue again every failed delivery of the endpoint whose event happened at or after `since`,
    but those of event types the integration may no longer receive: they stay failed, counted in
    `not_entitled`."""
    endpoint = _found(owner, endpoint_id)
    if not endpoint.enabled:
        raise Conflict("The endpoint is disabled; enable it before redelivering.")
    entitlement = store.entitlement(owner)
    now = clock.now()
    restarted: list[dict[str, Any]] = []
    refused: dict[str, int] = {}
    start = None
    while len(restarted) < MAX_REDELIVERED:
        page, start = store.list_deliveries(
            endpoint.endpoint_id, limit=REDELIVER_PAGE, start=start, status=store.FAILED, since=since
        )
        for failed in page:
            if entitlement.refusal_for(failed.event_type):
                refused[failed.event_type] = refused.get(failed.event_type, 0) + 1
                continue
            again = store.restart(failed, now)
            if again is not None:
                restarted.append(again.message())
        if not start:
            break
    queue.send_all(restarted)
    return {
        "redelivered": len(restarted),
        "since_at": timestamps.from_seconds(since),
        "not_entitled": {"deliveries": sum(refused.values()), "event_types": sorted(refused)},
    }
