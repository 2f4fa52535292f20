"""Webhook state in DynamoDB.

The webhooks table (`ECKO_WEBHOOKS_TABLE`, keys `pk`, `sk`) holds:

- endpoints under their owner, `owner#<client id>` / `endpoint#<id>`: an endpoint is only ever
  read through its owner's partition, so another integration's endpoint is simply not found;
- subscriptions, `type#<event type>` / `endpoint#<id>`, one per enabled endpoint and event type,
  which is all the dispatcher reads to fan an event out;
- deliveries under their endpoint, `endpoint#<id>` / `delivery#<id>`, with every attempt; delivery
  ids start with the event's time, so the log reads newest first and "failed since" is a range;
- dispatch markers, `event#<id>` / `dispatch`, so a duplicate domain event fans out once.

Signing secrets live in a table of their own (`ECKO_WEBHOOK_SECRETS_TABLE`, key `endpoint_id`) that
only the functions which create, rotate or sign with them may touch.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field, replace
from typing import Any

from eckospace import aws, timestamps
from eckospace.webhooks import catalogue, settings

DELIVERY_TTL_SECONDS = 30 * 24 * 3600
MARKER_TTL_SECONDS = 7 * 24 * 3600
MAX_ATTEMPTS_KEPT = 30


def table() -> str:
    return settings.TABLE()


def secrets_table() -> str:
    return settings.SECRETS_TABLE()


def _dynamodb() -> Any:
    return aws.client("dynamodb")


# ------------------------------------------------------------------------------ endpoints
@dataclass(frozen=True)
class Endpoint:
    endpoint_id: str
    owner: str
    url: str
    event_types: tuple[str, ...]
    description: str = ""
    enabled: bool = True
    created: int = 0
    updated: int = 0
    version: int = 0
    failing_since: int | None = None
    disabled_reason: str | None = None

    def public(self) -> dict[str, Any]:
        return {
            "id": self.endpoint_id,
            "url": self.url,
            "description": self.description,
            "event_types": list(self.event_types),
            "enabled": self.enabled,
            "disabled_reason": self.disabled_reason,
            "failing_since_at": timestamps.from_seconds(self.failing_since),
            "created_at": timestamps.from_seconds(self.created),
            "updated_at": timestamps.from_seconds(self.updated),
        }

    def subscriptions(self) -> set[str]:
        return set(self.event_types) if self.enabled else set()


def endpoint_key(owner: str, endpoint_id: str) -> dict[str, Any]:
    return {"pk": {"S": f"owner#{owner}"}, "sk": {"S": f"endpoint#{endpoint_id}"}}


def _endpoint_item(endpoint: Endpoint) -> dict[str, Any]:
    item = {
        **endpoint_key(endpoint.owner, endpoint.endpoint_id),
        "endpoint_id": {"S": endpoint.endpoint_id},
        "owner": {"S": endpoint.owner},
        "url": {"S": endpoint.url},
        "description": {"S": endpoint.description},
        "event_types": {"L": [{"S": t} for t in endpoint.event_types]},
        "enabled": {"BOOL": endpoint.enabled},
        "created": {"N": str(endpoint.created)},
        "updated": {"N": str(endpoint.updated)},
        "version": {"N": str(endpoint.version)},
    }
    if endpoint.failing_since is not None:
        item["failing_since"] = {"N": str(endpoint.failing_since)}
    if endpoint.disabled_reason:
        item["disabled_reason"] = {"S": endpoint.disabled_reason}
    return item


def endpoint_from_item(item: dict[str, Any]) -> Endpoint:
    return Endpoint(
        endpoint_id=item["endpoint_id"]["S"],
        owner=item["owner"]["S"],
        url=item["url"]["S"],
        event_types=tuple(t["S"] for t in item["event_types"]["L"]),
        description=item["description"]["S"],
        enabled=item["enabled"]["BOOL"],
        created=int(item["created"]["N"]),
        updated=int(item["updated"]["N"]),
        version=int(item["version"]["N"]),
        failing_since=int(item["failing_since"]["N"]) if "failing_since" in item else None,
        disabled_reason=item.get("disabled_reason", {}).get("S"),
    )


def get_endpoint(owner: str, endpoint_id: str) -> Endpoint | None:
    found = _dynamodb().get_item(TableName=table(), Key=endpoint_key(owner, endpoint_id), ConsistentRead=True)
    return endpoint_from_item(found["Item"]) if "Item" in found else None


def list_endpoints(owner: str, *, limit: int, start: dict[str, Any] | None) -> tuple[list[Endpoint], Any]:
    options: dict[str, Any] = {"ExclusiveStartKey": start} if start else {}
    found = _dynamodb().query(
        TableName=table(),
        KeyConditionExpression="pk = :pk AND begins_with(sk, :prefix)",
        Limit=limit,
        ExpressionAttributeValues={":pk": {"S": f"owner#{owner}"}, ":prefix": {"S": "endpoint#"}},
        **options,
    )
    return [endpoint_from_item(item) for item in found.get("Items", [])], found.get("LastEvaluatedKey")


def _subscription_key(event_type: str, endpoint_id: str) -> dict[str, Any]:
    return {"pk": {"S": f"type#{event_type}"}, "sk": {"S": f"endpoint#{endpoint_id}"}}


class VersionConflict(Exception):
    """The endpoint changed since it was read."""


def save_endpoint(
    before: Endpoint | None,
    after: Endpoint | None,
    *,
    secret_put: dict[str, Any] | None = None,
    delete_secret: bool = False,
) -> None:
    """Write an endpoint change and its subscriptions in one transaction: `before` None creates,
    `after` None deletes. Raises VersionConflict when the stored endpoint is not `before`."""
    current = after or before
    assert current is not None
    writes: list[dict[str, Any]] = []
    if after is None:
        assert before is not None
        writes.append(
            {
                "Delete": {
                    "TableName": table(),
                    "Key": endpoint_key(before.owner, before.endpoint_id),
                    "ConditionExpression": "version = :v",
                    "ExpressionAttributeValues": {":v": {"N": str(before.version)}},
                }
            }
        )
    elif before is None:
        writes.append(
            {
                "Put": {
                    "TableName": table(),
                    "Item": _endpoint_item(after),
                    "ConditionExpression": "attribute_not_exists(pk)",
                }
            }
        )
    else:
        writes.append(
            {
                "Put": {
                    "TableName": table(),
                    "Item": _endpoint_item(after),
                    "ConditionExpression": "version = :v",
                    "ExpressionAttributeValues": {":v": {"N": str(before.version)}},
                }
            }
        )
    had = before.subscriptions() if before else set()
    has = after.subscriptions() if after else set()
    for event_type in sorted(has - had):
        writes.append(
            {
                "Put": {
                    "TableName": table(),
                    "Item": {
                        **_subscription_key(event_type, current.endpoint_id),
                        "owner": {"S": current.owner},
                        "endpoint_id": {"S": current.endpoint_id},
                    },
                }
            }
        )
    for event_type in sorted(had - has):
        writes.append({"Delete": {"TableName": table(), "Key": _subscription_key(event_type, current.endpoint_id)}})
    if secret_put is not None:
        writes.append({"Put": {"TableName": secrets_table(), "Item": secret_put}})
    if delete_secret:
        writes.append({"Delete": {"TableName": secrets_table(), "Key": {"endpoint_id": {"S": current.endpoint_id}}}})
    dynamodb = _dynamodb()
    try:
        dynamodb.transact_write_items(TransactItems=writes)
    except dynamodb.exceptions.TransactionCanceledException as exc:
        reasons = [r.get("Code") for r in exc.response.get("CancellationReasons", [])]
        if reasons and reasons[0] == "ConditionalCheckFailed":
            raise VersionConflict() from None
        raise


def mark_failing(endpoint: Endpoint, since: int) -> None:
    """Note when an endpoint started failing (kept until it next succeeds)."""
    _dynamodb().update_item(
        TableName=table(),
        Key=endpoint_key(endpoint.owner, endpoint.endpoint_id),
        UpdateExpression="SET failing_since = if_not_exists(failing_since, :t), version = version + :one",
        ConditionExpression="attribute_exists(pk)",
        ExpressionAttributeValues={":t": {"N": str(since)}, ":one": {"N": "1"}},
    )


def mark_healthy(endpoint: Endpoint) -> None:
    _dynamodb().update_item(
        TableName=table(),
        Key=endpoint_key(endpoint.owner, endpoint.endpoint_id),
        UpdateExpression="REMOVE failing_since SET version = version + :one",
        ConditionExpression="attribute_exists(pk)",
        ExpressionAttributeValues={":one": {"N": "1"}},
    )


def subscribers(event_type: str) -> list[tuple[str, str]]:
    """(owner, endpoint id) of every enabled endpoint subscribed to `event_type`."""
    paginator = _dynamodb().get_paginator("query")
    pages = paginator.paginate(
        TableName=table(),
        KeyConditionExpression="pk = :pk",
        ExpressionAttributeValues={":pk": {"S": f"type#{event_type}"}},
        ProjectionExpression="#o, endpoint_id",
        ExpressionAttributeNames={"#o": "owner"},
    )
    return [(item["owner"]["S"], item["endpoint_id"]["S"]) for page in pages for item in page.get("Items", [])]


# What is read of an integration to decide what it may receive: never its secrets (the functions'
# IAM policies allow these attributes and no others).
ENTITLEMENT_PROJECTION = "client_id, #s, allowed_scopes, first_party"
ENTITLEMENT_NAMES = {"#s": "status"}


def integrations_table() -> str:
    return settings.INTEGRATIONS_TABLE()


@dataclass(frozen=True)
class Entitlement:
    """What an integration may receive now: whether it exists and is enabled, the scopes it may
    hold and whether it is first-party."""

    client_id: str
    exists: bool = False
    active: bool = False
    allowed_scopes: frozenset[str] = frozenset()
    first_party: bool = False

    @classmethod
    def from_item(cls, client_id: str, item: dict[str, Any] | None) -> Entitlement:
        if not item:
            return cls(client_id)
        return cls(
            client_id,
            exists=True,
            active=item.get("status", {}).get("S") == "active",
            allowed_scopes=frozenset(s["S"] for s in item.get("allowed_scopes", {}).get("L", [])),
            first_party=item.get("first_party", {}).get("BOOL", False),
        )

    def refusal(self, scope: str | None, *, first_party_only: bool = False) -> str | None:
        """Why the integration may not receive an event needing `scope`, or None when it may."""
        if not self.exists:
            return "the integration no longer exists"
        if not self.active:
            return "the integration is disabled"
        if scope is not None and scope not in self.allowed_scopes:
            return f"the integration may no longer hold {scope}"
        if first_party_only and not self.first_party:
            return "the event goes to first-party integrations only"
        return None

    def refusal_for(self, event_type: str) -> str | None:
        """Why the integration may not receive `event_type` (its scope, its first-party rule)."""
        entry = catalogue.CATALOGUE.get(event_type)
        if entry is None:
            return f"{event_type} is not in the catalogue"
        return self.refusal(entry.scope, first_party_only=entry.first_party_only)


def entitled_owners(owners: set[str], scope: str | None, *, first_party_only: bool = False) -> set[str]:
    """The owners among `owners` whose integration is enabled, may still hold `scope`, and is
    first-party when the event demands it (an integration disabled, narrowed or no longer
    first-party stops receiving at once). Reads only the client id, the status, the allowed
    scopes and the first-party flag: never the integrations' secrets."""
    table_name = integrations_table()
    ordered = sorted(owners)
    entitled: set[str] = set()
    for start in range(0, len(ordered), 100):
        request = {
            table_name: {
                "Keys": [{"client_id": {"S": o}} for o in ordered[start : start + 100]],
                "ProjectionExpression": ENTITLEMENT_PROJECTION,
                "ExpressionAttributeNames": ENTITLEMENT_NAMES,
            }
        }
        for item in aws.batch_get(request)[table_name]:
            found = Entitlement.from_item(item["client_id"]["S"], item)
            if found.refusal(scope, first_party_only=first_party_only) is None:
                entitled.add(found.client_id)
    return entitled


def entitlement(client_id: str) -> Entitlement:
    """One integration's entitlement, read consistently (a change takes effect at once)."""
    found = _dynamodb().get_item(
        TableName=integrations_table(),
        Key={"client_id": {"S": client_id}},
        ProjectionExpression=ENTITLEMENT_PROJECTION,
        ExpressionAttributeNames=ENTITLEMENT_NAMES,
        ConsistentRead=True,
    )
    return Entitlement.from_item(client_id, found.get("Item"))


def is_first_party(client_id: str) -> bool:
    found = aws.client("dynamodb").get_item(
        TableName=integrations_table(),
        Key={"client_id": {"S": client_id}},
        ProjectionExpression="client_id, first_party",
    )
    first_party: bool = found.get("Item", {}).get("first_party", {}).get("BOOL", False)
    return first_party


# ------------------------------------------------------------------------------ secrets
@dataclass(frozen=True)
class Secrets:
    current: str
    previous: str | None = None
    previous_expires_at: int | None = None

    def live(self, now: int) -> list[str]:
        if self.previous and self.previous_expires_at and now < self.previous_expires_at:
            return [self.current, self.previous]
        return [self.current]


def secrets_item(endpoint_id: str, held: Secrets) -> dict[str, Any]:
    item = {"endpoint_id": {"S": endpoint_id}, "secret": {"S": held.current}}
    if held.previous and held.previous_expires_at:
        item["previous_secret"] = {"S": held.previous}
        item["previous_expires_at"] = {"N": str(held.previous_expires_at)}
    return item


def secrets_from_item(item: dict[str, Any]) -> Secrets:
    return Secrets(
        current=item["secret"]["S"],
        previous=item.get("previous_secret", {}).get("S"),
        previous_expires_at=int(item["previous_expires_at"]["N"]) if "previous_expires_at" in item else None,
    )


def get_secrets(endpoint_id: str) -> Secrets | None:
    found = _dynamodb().get_item(
        TableName=secrets_table(), Key={"endpoint_id": {"S": endpoint_id}}, ConsistentRead=True
    )
    return secrets_from_item(found["Item"]) if "Item" in found else None


# ------------------------------------------------------------------------------ deliveries
PENDING, SUCCEEDED, FAILED = "pending", "succeeded", "failed"


def delivery_id(event_id: str, endpoint_id: str, created: int) -> str:
    """Deterministic for (event, endpoint); sorts by the event's time."""
    digest = hashlib.sha256(f"{event_id}\x00{endpoint_id}".encode()).hexdigest()[:24]
    return f"dlv_{created:010d}{digest}"


@dataclass(frozen=True)
class Delivery:
    delivery_id: str
    endpoint_id: str
    owner: str
    event_id: str
    event_type: str
    body: str
    created: int
    status: str = PENDING
    next_attempt: int = 0  # attempts made so far (the number the next one gets)
    retry_index: int = 0  # where in the retry schedule the next attempt is
    due: int = 0
    lease_until: int = 0
    attempts: tuple[dict[str, Any], ...] = field(default_factory=tuple)
    reason: str | None = None

    def public(self) -> dict[str, Any]:
        return {
            "id": self.delivery_id,
            "endpoint_id": self.endpoint_id,
            "event_id": self.event_id,
            "event_type": self.event_type,
            "status": self.status,
            "created_at": timestamps.from_seconds(self.created),
            "next_attempt_at": timestamps.from_seconds(self.due) if self.status == PENDING else None,
            "reason": self.reason,
            "attempts": [attempt_view(a) for a in self.attempts],
        }

    def message(self) -> dict[str, Any]:
        return {
            "owner": self.owner,
            "endpoint_id": self.endpoint_id,
            "delivery_id": self.delivery_id,
            "attempt": self.next_attempt,
        }


def attempt_view(logged: dict[str, Any]) -> dict[str, Any]:
    """An attempt as the delivery log shows it (stored with `at` in epoch seconds)."""
    return {
        "attempt": logged["attempt"],
        "attempted_at": timestamps.from_seconds(logged["at"]),
        "status_code": logged.get("status_code"),
        "latency_ms": logged.get("latency_ms", 0),
        "response": logged.get("response", ""),
        "error": logged.get("error"),
    }


def delivery_key(endpoint_id: str, delivery: str) -> dict[str, Any]:
    return {"pk": {"S": f"endpoint#{endpoint_id}"}, "sk": {"S": f"delivery#{delivery}"}}


def delivery_item(d: Delivery) -> dict[str, Any]:
    item = {
        **delivery_key(d.endpoint_id, d.delivery_id),
        "delivery_id": {"S": d.delivery_id},
        "endpoint_id": {"S": d.endpoint_id},
        "owner": {"S": d.owner},
        "event_id": {"S": d.event_id},
        "event_type": {"S": d.event_type},
        "body": {"S": d.body},
        "created": {"N": str(d.created)},
        "status": {"S": d.status},
        "next_attempt": {"N": str(d.next_attempt)},
        "retry_index": {"N": str(d.retry_index)},
        "due": {"N": str(d.due)},
        "attempts": {"S": json.dumps(list(d.attempts), separators=(",", ":"))},
        "expires_at": {"N": str(d.created + DELIVERY_TTL_SECONDS)},
    }
    if d.reason:
        item["reason"] = {"S": d.reason}
    return item


def delivery_from_item(item: dict[str, Any]) -> Delivery:
    return Delivery(
        delivery_id=item["delivery_id"]["S"],
        endpoint_id=item["endpoint_id"]["S"],
        owner=item["owner"]["S"],
        event_id=item["event_id"]["S"],
        event_type=item["event_type"]["S"],
        body=item.get("body", {}).get("S", ""),
        created=int(item["created"]["N"]),
        status=item["status"]["S"],
        next_attempt=int(item["next_attempt"]["N"]),
        retry_index=int(item["retry_index"]["N"]),
        due=int(item["due"]["N"]),
        lease_until=int(item.get("lease_until", {}).get("N", "0")),
        attempts=tuple(json.loads(item.get("attempts", {}).get("S", "[]"))),
        reason=item.get("reason", {}).get("S"),
    )


def put_delivery_if_new(d: Delivery) -> bool:
    dynamodb = _dynamodb()
    try:
        dynamodb.put_item(TableName=table(), Item=delivery_item(d), ConditionExpression="attribute_not_exists(pk)")
    except dynamodb.exceptions.ConditionalCheckFailedException:
        return False
    return True


def put_new_deliveries(deliveries: list[Delivery]) -> None:
    """Deliveries no one else can have written (their event's dispatch marker is ours): batched."""
    for start in range(0, len(deliveries), 25):
        request = {table(): [{"PutRequest": {"Item": delivery_item(d)}} for d in deliveries[start : start + 25]]}
        for attempt in range(6):
            left = _dynamodb().batch_write_item(RequestItems=request).get("UnprocessedItems") or {}
            if not left:
                break
            request = left
            import time

            time.sleep(0.05 * 2**attempt)
        else:
            raise RuntimeError("DynamoDB left deliveries unwritten after retries")


def get_delivery(endpoint_id: str, delivery: str, *, with_body: bool = True) -> Delivery | None:
    found = _dynamodb().get_item(TableName=table(), Key=delivery_key(endpoint_id, delivery), ConsistentRead=True)
    return delivery_from_item(found["Item"]) if "Item" in found else None


def attempt_context(
    owner: str, endpoint_id: str, delivery: str
) -> tuple[Delivery | None, Endpoint | None, Secrets | None, Entitlement]:
    """The delivery, its endpoint, its secrets and its owner's entitlement, all in one read."""
    request = {
        table(): {
            "Keys": [delivery_key(endpoint_id, delivery), endpoint_key(owner, endpoint_id)],
            "ConsistentRead": True,
        },
        secrets_table(): {"Keys": [{"endpoint_id": {"S": endpoint_id}}], "ConsistentRead": True},
        integrations_table(): {
            "Keys": [{"client_id": {"S": owner}}],
            "ConsistentRead": True,
            "ProjectionExpression": ENTITLEMENT_PROJECTION,
            "ExpressionAttributeNames": ENTITLEMENT_NAMES,
        },
    }
    found = aws.batch_get(request)
    d = e = s = None
    for item in found.get(table(), []):
        if item["sk"]["S"].startswith("delivery#"):
            d = delivery_from_item(item)
        else:
            e = endpoint_from_item(item)
    for item in found.get(secrets_table(), []):
        s = secrets_from_item(item)
    integration = next(iter(found.get(integrations_table(), [])), None)
    return d, e, s, Entitlement.from_item(owner, integration)


def claim(d: Delivery, now: int, lease_seconds: int) -> bool:
    """Take the delivery's next attempt for `lease_seconds`; False when someone else has it, or
    the attempt was already made (an SQS duplicate)."""
    dynamodb = _dynamodb()
    try:
        dynamodb.update_item(
            TableName=table(),
            Key=delivery_key(d.endpoint_id, d.delivery_id),
            UpdateExpression="SET lease_until = :lease",
            ConditionExpression="#s = :pending AND next_attempt = :n AND (attribute_not_exists(lease_until) "
            "OR lease_until < :now)",
            ExpressionAttributeNames={"#s": "status"},
            ExpressionAttributeValues={
                ":lease": {"N": str(now + lease_seconds)},
                ":pending": {"S": PENDING},
                ":n": {"N": str(d.next_attempt)},
                ":now": {"N": str(now)},
            },
        )
    except dynamodb.exceptions.ConditionalCheckFailedException:
        return False
    return True


def record(d: Delivery, expected_attempt: int) -> None:
    """Store the delivery after an attempt (or a decision), releasing the lease."""
    dynamodb = _dynamodb()
    values = {
        ":s": {"S": d.status},
        ":n": {"N": str(d.next_attempt)},
        ":r": {"N": str(d.retry_index)},
        ":due": {"N": str(d.due)},
        ":a": {"S": json.dumps(list(d.attempts[-MAX_ATTEMPTS_KEPT:]), separators=(",", ":"))},
        ":expected": {"N": str(expected_attempt)},
    }
    expression = "SET #s = :s, next_attempt = :n, retry_index = :r, due = :due, attempts = :a REMOVE lease_until"
    if d.reason:
        values[":reason"] = {"S": d.reason}
        expression = expression.replace(" REMOVE", ", reason = :reason REMOVE")
    else:
        expression += ", reason"
    dynamodb.update_item(
        TableName=table(),
        Key=delivery_key(d.endpoint_id, d.delivery_id),
        UpdateExpression=expression,
        ConditionExpression="next_attempt = :expected",
        ExpressionAttributeNames={"#s": "status"},
        ExpressionAttributeValues=values,
    )


def restart(d: Delivery, now: int) -> Delivery | None:
    """Queue a finished delivery again (a redelivery): None when it is still pending."""
    dynamodb = _dynamodb()
    try:
        dynamodb.update_item(
            TableName=table(),
            Key=delivery_key(d.endpoint_id, d.delivery_id),
            UpdateExpression="SET #s = :pending, retry_index = :zero, due = :now REMOVE reason, lease_until",
            ConditionExpression="#s <> :pending AND next_attempt = :n",
            ExpressionAttributeNames={"#s": "status"},
            ExpressionAttributeValues={
                ":pending": {"S": PENDING},
                ":zero": {"N": "0"},
                ":now": {"N": str(now)},
                ":n": {"N": str(d.next_attempt)},
            },
        )
    except dynamodb.exceptions.ConditionalCheckFailedException:
        return None
    return replace(d, status=PENDING, retry_index=0, due=now, reason=None)


_LIST_PROJECTION = (
    "delivery_id, endpoint_id, #o, event_id, event_type, created, #s, next_attempt, retry_index, due, attempts, reason"
)


def list_deliveries(
    endpoint_id: str, *, limit: int, start: dict[str, Any] | None, status: str | None = None, since: int | None = None
) -> tuple[list[Delivery], Any]:
    values: dict[str, Any] = {":pk": {"S": f"endpoint#{endpoint_id}"}}
    if since is None:
        condition = "pk = :pk AND begins_with(sk, :prefix)"
        values[":prefix"] = {"S": "delivery#"}
    else:
        condition = "pk = :pk AND sk BETWEEN :low AND :high"
        values[":low"] = {"S": f"delivery#dlv_{max(0, since):010d}"}
        values[":high"] = {"S": "delivery#dlv_~"}
    options: dict[str, Any] = {"ExclusiveStartKey": start} if start else {}
    if status:
        options["FilterExpression"] = "#s = :status"
        values[":status"] = {"S": status}
    found = _dynamodb().query(
        TableName=table(),
        KeyConditionExpression=condition,
        ScanIndexForward=since is not None,
        Limit=limit,
        ProjectionExpression=_LIST_PROJECTION,
        ExpressionAttributeNames={"#o": "owner", "#s": "status"},
        ExpressionAttributeValues=values,
        **options,
    )
    return [delivery_from_item(item) for item in found.get("Items", [])], found.get("LastEvaluatedKey")


# ------------------------------------------------------------------------------ dispatch markers
NEW, DONE, IN_PROGRESS, STALE = "new", "done", "in-progress", "stale"


def claim_event(event_id: str, now: int, stale_after: int) -> str:
    """NEW when this dispatch is the first for the event, DONE when one finished, IN_PROGRESS when one
    is under way, STALE when one started long ago and never finished (taken over now)."""
    dynamodb = _dynamodb()
    key = {"pk": {"S": f"event#{event_id}"}, "sk": {"S": "dispatch"}}
    try:
        dynamodb.put_item(
            TableName=table(),
            Item={
                **key,
                "status": {"S": "dispatching"},
                "claimed_at": {"N": str(now)},
                "expires_at": {"N": str(now + MARKER_TTL_SECONDS)},
            },
            ConditionExpression="attribute_not_exists(pk)",
        )
        return NEW
    except dynamodb.exceptions.ConditionalCheckFailedException:
        pass
    found = dynamodb.get_item(TableName=table(), Key=key, ConsistentRead=True).get("Item", {})
    if found.get("status", {}).get("S") == "dispatched":
        return DONE
    claimed_at = int(found.get("claimed_at", {}).get("N", "0"))
    if claimed_at >= now - stale_after:
        return IN_PROGRESS
    try:  # take over a dispatch that died half way (only one taker wins)
        dynamodb.update_item(
            TableName=table(),
            Key=key,
            UpdateExpression="SET claimed_at = :now",
            ConditionExpression="#s = :dispatching AND claimed_at = :seen",
            ExpressionAttributeNames={"#s": "status"},
            ExpressionAttributeValues={
                ":now": {"N": str(now)},
                ":dispatching": {"S": "dispatching"},
                ":seen": {"N": str(claimed_at)},
            },
        )
    except dynamodb.exceptions.ConditionalCheckFailedException:
        return IN_PROGRESS
    return STALE


def finish_event(event_id: str) -> None:
    _dynamodb().update_item(
        TableName=table(),
        Key={"pk": {"S": f"event#{event_id}"}, "sk": {"S": "dispatch"}},
        UpdateExpression="SET #s = :done",
        ExpressionAttributeNames={"#s": "status"},
        ExpressionAttributeValues={":done": {"S": "dispatched"}},
    )
