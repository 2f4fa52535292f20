"""The realtime table: connections, subscriptions, presence members and occupied channels.

Items (`pk`, `sk`):
- `c#{connection}`, `c`: a connection (its socket id, how many channels it is in, its client-event
  counter); `c#{connection}`, `s#{channel}`: a channel it is in (the member's user id for user-bound
  channels), so a disconnect finds them with one Query;
- `s#{channel}`, `c#{connection}`: a subscriber, with its socket id: a fan-out is one Query;
- `p#{channel}`, `u#{user}`: a presence member (its info, and how many of its connections are in);
  `p#{channel}`, `#`: how many members the channel has;
- `channels`, `{channel}`: an occupied channel and its subscription count (the events API's
  channel queries);
- `u#{user}`, `c#{connection}`: a connection bound to a user (the connections-per-user limit).

Everything expires (`expires_at`, the table's TTL) a little after API Gateway's 2 hour limit on a
connection, so state left behind by a `$disconnect` that never came goes away by itself.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from eckospace import aws
from eckospace.items import attribute, from_item, to_item
from eckospace.realtime import settings

CONNECTION_SECONDS = 2 * 3600 + 600  # API Gateway's maximum connection duration, and a margin
OCCUPIED = "channels"


class ConnectionGone(Exception):
    """The connection is not (or no longer) recorded."""


class ChannelLimit(Exception):
    """The connection is in as many channels as it may be."""


class PresenceFull(Exception):
    """The presence channel has as many members as it may have."""


@dataclass(frozen=True)
class Subscriber:
    connection_id: str
    socket_id: str
    since: int  # when it subscribed, in epoch milliseconds


def _db() -> Any:
    return aws.client("dynamodb")


def _key(pk: str, sk: str) -> dict[str, Any]:
    return {"pk": {"S": pk}, "sk": {"S": sk}}


def _expiry(now: float | None = None) -> int:
    return int((now or time.time()) + CONNECTION_SECONDS)


def _cancelled_reasons(error: Exception) -> list[str]:
    response = getattr(error, "response", {}) or {}
    return [reason.get("Code", "None") for reason in response.get("CancellationReasons", [])]


# ------------------------------------------------------------------ connections
def record_connection(connection_id: str, socket_id: str, *, now: float | None = None) -> None:
    _db().put_item(
        TableName=settings.TABLE(),
        Item=to_item(
            {"pk": f"c#{connection_id}", "sk": "c", "socket_id": socket_id, "channels": 0, "expires_at": _expiry(now)}
        ),
    )


def connection(connection_id: str) -> dict[str, Any] | None:
    item = _db().get_item(TableName=settings.TABLE(), Key=_key(f"c#{connection_id}", "c"), ConsistentRead=True)
    return from_item(item["Item"]) if "Item" in item else None


def connection_items(connection_id: str) -> list[dict[str, Any]]:
    """The connection and the channels it is in."""
    items: list[dict[str, Any]] = []
    query: dict[str, Any] = {
        "TableName": settings.TABLE(),
        "KeyConditionExpression": "pk = :pk",
        "ExpressionAttributeValues": {":pk": {"S": f"c#{connection_id}"}},
        "ConsistentRead": True,
    }
    while True:
        page = _db().query(**query)
        items += [from_item(item) for item in page.get("Items", [])]
        if "LastEvaluatedKey" not in page:
            return items
        query["ExclusiveStartKey"] = page["LastEvaluatedKey"]


def delete_connection(connection_id: str) -> None:
    _db().delete_item(TableName=settings.TABLE(), Key=_key(f"c#{connection_id}", "c"))


def count_client_event(connection_id: str, per_second: int, *, now: float | None = None) -> bool:
    """Count a client event against the connection's allowance for this second; False when spent."""
    second = int(now or time.time())
    table, key = settings.TABLE(), _key(f"c#{connection_id}", "c")
    try:  # the first event of a new second starts the count again
        _db().update_item(
            TableName=table,
            Key=key,
            UpdateExpression="SET events_second = :s, events = :one",
            ConditionExpression="attribute_exists(pk) AND (attribute_not_exists(events_second) OR events_second <> :s)",
            ExpressionAttributeValues={":s": {"N": str(second)}, ":one": {"N": "1"}},
        )
        return True
    except _db().exceptions.ConditionalCheckFailedException:
        pass  # this second has begun already
    try:
        _db().update_item(
            TableName=table,
            Key=key,
            UpdateExpression="ADD events :one",
            ConditionExpression="events_second = :s AND events < :max",
            ExpressionAttributeValues={":s": {"N": str(second)}, ":one": {"N": "1"}, ":max": {"N": str(per_second)}},
        )
        return True
    except _db().exceptions.ConditionalCheckFailedException:
        return False


# ------------------------------------------------------------------ subscriptions
def subscribe(
    connection_id: str,
    socket_id: str,
    channel: str,
    *,
    user_id: str | None,
    max_channels: int,
    now: float | None = None,
) -> bool:
    """Put the connection in the channel; False when it already was. Raises `ConnectionGone` or
    `ChannelLimit`."""
    table, expires = settings.TABLE(), _expiry(now)
    membership = {
        "pk": f"c#{connection_id}",
        "sk": f"s#{channel}",
        "socket_id": socket_id,
        "user_id": user_id,
        "expires_at": expires,
    }
    subscriber = {
        "pk": f"s#{channel}",
        "sk": f"c#{connection_id}",
        "socket_id": socket_id,
        "since": int((now or time.time()) * 1000),
        "expires_at": expires,
    }
    try:
        _db().transact_write_items(
            TransactItems=[
                {
                    "Update": {
                        "TableName": table,
                        "Key": _key(f"c#{connection_id}", "c"),
                        "UpdateExpression": "ADD channels :one",
                        "ConditionExpression": "attribute_exists(pk) AND channels < :max",
                        "ExpressionAttributeValues": {":one": {"N": "1"}, ":max": {"N": str(max_channels)}},
                    }
                },
                {
                    "Put": {
                        "TableName": table,
                        "Item": to_item(membership),
                        "ConditionExpression": "attribute_not_exists(pk)",
                    }
                },
                {"Put": {"TableName": table, "Item": to_item(subscriber)}},
                {
                    "Update": {
                        "TableName": table,
                        "Key": _key(OCCUPIED, channel),
                        "UpdateExpression": "ADD subscriptions :one SET expires_at = :expires",
                        "ExpressionAttributeValues": {":one": {"N": "1"}, ":expires": {"N": str(expires)}},
                    }
                },
            ]
        )
        return True
    except _db().exceptions.TransactionCanceledException as error:
        reasons = _cancelled_reasons(error)
        if len(reasons) > 1 and reasons[1] == "ConditionalCheckFailed":
            return False
        if reasons and reasons[0] == "ConditionalCheckFailed":
            if connection(connection_id) is None:
                raise ConnectionGone(connection_id) from None
            raise ChannelLimit(channel) from None
        raise


def membership(connection_id: str, channel: str) -> dict[str, Any] | None:
    item = _db().get_item(
        TableName=settings.TABLE(), Key=_key(f"c#{connection_id}", f"s#{channel}"), ConsistentRead=True
    )
    return from_item(item["Item"]) if "Item" in item else None


def unsubscribe(connection_id: str, channel: str) -> bool:
    """Take the connection out of the channel; False when it was not in it."""
    try:
        _db().transact_write_items(TransactItems=_leaving(connection_id, channel, connection_recorded=True))
    except _db().exceptions.TransactionCanceledException as error:
        reasons = _cancelled_reasons(error)
        if reasons and reasons[0] == "ConditionalCheckFailed":
            return False
        if len(reasons) <= 2 or reasons[2] != "ConditionalCheckFailed":
            raise
        # The connection's record went first: leave its count alone.
        _db().transact_write_items(TransactItems=_leaving(connection_id, channel, connection_recorded=False))
    _forget_if_vacant(channel)
    return True


def _leaving(connection_id: str, channel: str, *, connection_recorded: bool) -> list[dict[str, Any]]:
    """The writes that take a connection out of a channel: its membership (which must exist while
    the connection's record does), the channel's subscriber, the connection's channel count (while
    recorded) and the channel's occupancy."""
    table, minus = settings.TABLE(), {":minus": {"N": "-1"}}
    membership: dict[str, Any] = {"TableName": table, "Key": _key(f"c#{connection_id}", f"s#{channel}")}
    if connection_recorded:
        membership["ConditionExpression"] = "attribute_exists(pk)"
    items: list[dict[str, Any]] = [
        {"Delete": membership},
        {"Delete": {"TableName": table, "Key": _key(f"s#{channel}", f"c#{connection_id}")}},
    ]
    if connection_recorded:
        count = {
            "TableName": table,
            "Key": _key(f"c#{connection_id}", "c"),
            "UpdateExpression": "ADD channels :minus",
            "ConditionExpression": "attribute_exists(pk)",
            "ExpressionAttributeValues": minus,
        }
        items.append({"Update": count})
    occupancy = {
        "TableName": table,
        "Key": _key(OCCUPIED, channel),
        "UpdateExpression": "ADD subscriptions :minus",
        "ExpressionAttributeValues": minus,
    }
    return [*items, {"Update": occupancy}]


def _forget_if_vacant(channel: str) -> None:
    try:
        _db().delete_item(
            TableName=settings.TABLE(),
            Key=_key(OCCUPIED, channel),
            ConditionExpression="subscriptions <= :zero",
            ExpressionAttributeValues={":zero": {"N": "0"}},
        )
    except _db().exceptions.ConditionalCheckFailedException:
        pass  # still occupied


def subscribers(channel: str) -> Iterator[Subscriber]:
    """The channel's connections, a page of DynamoDB's at a time (one Query for most channels)."""
    query: dict[str, Any] = {
        "TableName": settings.TABLE(),
        "KeyConditionExpression": "pk = :pk",
        "ExpressionAttributeValues": {":pk": {"S": f"s#{channel}"}},
        "ProjectionExpression": "sk, socket_id, since",
    }
    while True:
        page = _db().query(**query)
        for item in page.get("Items", []):
            yield Subscriber(item["sk"]["S"].removeprefix("c#"), item["socket_id"]["S"], int(item["since"]["N"]))
        if "LastEvaluatedKey" not in page:
            return
        query["ExclusiveStartKey"] = page["LastEvaluatedKey"]


def occupied_channels(prefix: str = "") -> dict[str, int]:
    """Occupied channel -> its subscription count, for names starting with `prefix`."""
    query: dict[str, Any] = {
        "TableName": settings.TABLE(),
        "KeyConditionExpression": "pk = :pk AND begins_with(sk, :prefix)",
        "ExpressionAttributeValues": {":pk": {"S": OCCUPIED}, ":prefix": {"S": prefix}},
    }
    found: dict[str, int] = {}
    while True:
        page = _db().query(**query)
        for item in page.get("Items", []):
            count = int(item.get("subscriptions", {}).get("N", "0"))
            if count > 0:
                found[item["sk"]["S"]] = count
        if "LastEvaluatedKey" not in page:
            return found
        query["ExclusiveStartKey"] = page["LastEvaluatedKey"]


def subscription_count(channel: str) -> int:
    item = _db().get_item(TableName=settings.TABLE(), Key=_key(OCCUPIED, channel))
    return max(0, int(item.get("Item", {}).get("subscriptions", {}).get("N", "0")))


# ------------------------------------------------------------------ presence
def join_presence(channel: str, user_id: str, user_info: Any, *, max_members: int, now: float | None = None) -> bool:
    """Count one more connection of the user in the channel; True when it is the user's first.
    Raises `PresenceFull` (and counts nothing) when a new member would be one too many."""
    table, expires = settings.TABLE(), _expiry(now)
    answer = _db().update_item(
        TableName=table,
        Key=_key(f"p#{channel}", f"u#{user_id}"),
        UpdateExpression="ADD connections :one SET user_info = :info, expires_at = :expires",
        ExpressionAttributeValues={
            ":one": {"N": "1"},
            ":info": attribute(user_info),
            ":expires": {"N": str(expires)},
        },
        ReturnValues="UPDATED_NEW",
    )
    if int(answer["Attributes"]["connections"]["N"]) != 1:
        return False
    try:
        _db().update_item(
            TableName=table,
            Key=_key(f"p#{channel}", "#"),
            UpdateExpression="ADD members :one SET expires_at = :expires",
            ConditionExpression="attribute_not_exists(members) OR members < :max",
            ExpressionAttributeValues={
                ":one": {"N": "1"},
                ":max": {"N": str(max_members)},
                ":expires": {"N": str(expires)},
            },
        )
    except _db().exceptions.ConditionalCheckFailedException:
        leave_presence(channel, user_id, counted_member=False)
        raise PresenceFull(channel) from None
    return True


def leave_presence(channel: str, user_id: str, *, counted_member: bool = True) -> bool:
    """Count one connection of the user fewer in the channel; True when it was the user's last."""
    table = settings.TABLE()
    try:
        answer = _db().update_item(
            TableName=table,
            Key=_key(f"p#{channel}", f"u#{user_id}"),
            UpdateExpression="ADD connections :minus",
            ConditionExpression="attribute_exists(pk)",
            ExpressionAttributeValues={":minus": {"N": "-1"}},
            ReturnValues="UPDATED_NEW",
        )
    except _db().exceptions.ConditionalCheckFailedException:
        return False  # not a member
    if int(answer["Attributes"]["connections"]["N"]) > 0:
        return False
    try:
        _db().delete_item(
            TableName=table,
            Key=_key(f"p#{channel}", f"u#{user_id}"),
            ConditionExpression="connections <= :zero",
            ExpressionAttributeValues={":zero": {"N": "0"}},
        )
    except _db().exceptions.ConditionalCheckFailedException:
        return False  # the user came back in meanwhile
    if counted_member:
        _db().update_item(
            TableName=table,
            Key=_key(f"p#{channel}", "#"),
            UpdateExpression="ADD members :minus",
            ExpressionAttributeValues={":minus": {"N": "-1"}},
        )
    return True


def members(channel: str) -> dict[str, Any]:
    """The presence channel's members: user id -> user info."""
    query: dict[str, Any] = {
        "TableName": settings.TABLE(),
        "KeyConditionExpression": "pk = :pk AND begins_with(sk, :member)",
        "ExpressionAttributeValues": {":pk": {"S": f"p#{channel}"}, ":member": {"S": "u#"}},
        "ConsistentRead": True,
    }
    found: dict[str, Any] = {}
    while True:
        page = _db().query(**query)
        for item in page.get("Items", []):
            record = from_item(item)
            found[record["sk"].removeprefix("u#")] = record.get("user_info")
        if "LastEvaluatedKey" not in page:
            return found
        query["ExclusiveStartKey"] = page["LastEvaluatedKey"]


# ------------------------------------------------------------------ connections per user
def bind_to_user(connection_id: str, user_id: str, *, max_connections: int, now: float | None = None) -> bool:
    """Count the connection as one of the user's; False when the user already has as many as allowed."""
    moment = now or time.time()
    table = settings.TABLE()
    mine = _key(f"u#{user_id}", f"c#{connection_id}")
    if "Item" in _db().get_item(TableName=table, Key=mine, ConsistentRead=True):
        return True
    counted = _db().query(
        TableName=table,
        KeyConditionExpression="pk = :pk",
        FilterExpression="expires_at > :now",  # TTL deletes expired items only eventually
        ExpressionAttributeValues={":pk": {"S": f"u#{user_id}"}, ":now": {"N": str(int(moment))}},
        Select="COUNT",
        ConsistentRead=True,
    )
    if counted["Count"] >= max_connections:
        return False
    _db().put_item(TableName=table, Item={**mine, "expires_at": {"N": str(_expiry(moment))}})
    return True


def user_connections(user_id: str) -> list[str]:
    """The connections bound to a user (by their private or presence subscriptions)."""
    answer = _db().query(
        TableName=settings.TABLE(),
        KeyConditionExpression="pk = :pk",
        ExpressionAttributeValues={":pk": {"S": f"u#{user_id}"}},
        ProjectionExpression="sk",
        ConsistentRead=True,
    )
    return [item["sk"]["S"].removeprefix("c#") for item in answer.get("Items", [])]


def unbind_from_user(connection_id: str, user_id: str) -> None:
    _db().delete_item(TableName=settings.TABLE(), Key=_key(f"u#{user_id}", f"c#{connection_id}"))
