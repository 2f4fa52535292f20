"""The wallet ledger: double-entry, in minor units, each effect applied exactly once.

Table `ECKO_WALLETS_TABLE` (pk, sk):
- `account#<account>` / `balance`: the account's balance (and its currency);
- `account#<account>` / `entry#<ms>#<effect>`: one entry; an account's entries sum to its balance;
- `effect#<effect id>` / `effect`: the marker that makes an effect happen once.

An effect (a top-up credited, a refund debited or given back, a dispute held or released) moves an
amount between a user's wallet (`user:<id>:<currency>`) and a platform account
(`platform:<name>:<currency>`) in one DynamoDB transaction: marker, both balances, both entries.
Replaying it finds the marker and changes nothing. A wallet never goes negative, except through a
dispute hold.

An effect may draw on an earlier one (a refund on the top-up it gives back): the transaction also
adds what it takes to that effect's `drawn`, on condition that `drawn` stays within what the caller
read as the limit, so together draws never exceed the amount drawn on, even when applied at once.
An effect can also be voided before it happens (`void`): its marker is written with nothing moved,
so it never happens afterwards (a refund that failed before its debit was seen).
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

from eckospace import aws
from eckospace.payments import settings


class InsufficientFunds(Exception):
    """The wallet holds less than the debit: not applied (the message is retried, then dead-lettered)."""


class DrawRefused(Exception):
    """What the effect draws on changed since it was read (another draw came first): read it again."""


@dataclass(frozen=True)
class Effect:
    id: str  # deterministic from the Stripe object, e.g. "topup:pi_123", so replays collide
    kind: str  # topup, refund, refund_reversal, dispute_hold, dispute_release
    user_id: str
    amount: int  # minor units; positive credits the user's wallet, negative debits it
    currency: str
    counterpart: str  # the platform account on the other side: stripe, disputes
    may_go_negative: bool = False
    draws_on: str | None = None  # the effect this one draws on (a refund: "topup:pi_123"); -amount is drawn
    draw_limit: int | None = None  # a debit applies only while the drawn-on effect's `drawn` is at most this


def wallet_account(user_id: str, currency: str) -> str:
    return f"user:{user_id}:{currency.lower()}"


def table() -> str:
    return settings.WALLETS_TABLE()


def _balance_update(account: str, amount: int, currency: str, *, guard: bool) -> dict[str, Any]:
    update: dict[str, Any] = {
        "TableName": table(),
        "Key": {"pk": {"S": f"account#{account}"}, "sk": {"S": "balance"}},
        "UpdateExpression": "ADD balance :amount SET currency = :currency",
        "ExpressionAttributeValues": {":amount": {"N": str(amount)}, ":currency": {"S": currency.lower()}},
    }
    if guard and amount < 0:
        update["ConditionExpression"] = "balance >= :needed"
        update["ExpressionAttributeValues"][":needed"] = {"N": str(-amount)}
    return {"Update": update}


def _entry(account: str, effect: Effect, amount: int, now_ms: int) -> dict[str, Any]:
    return {
        "Put": {
            "TableName": table(),
            "Item": {
                "pk": {"S": f"account#{account}"},
                "sk": {"S": f"entry#{now_ms:015d}#{effect.id}"},
                "amount": {"N": str(amount)},
                "currency": {"S": effect.currency.lower()},
                "kind": {"S": effect.kind},
                "effect_id": {"S": effect.id},
                "created_ms": {"N": str(now_ms)},
            },
        }
    }


def _marker_key(effect_id: str) -> dict[str, Any]:
    return {"pk": {"S": f"effect#{effect_id}"}, "sk": {"S": "effect"}}


def _draw(effect: Effect, drawn_on: str) -> dict[str, Any]:
    """Add what `effect` takes (-amount; a credit gives back) to the drawn-on effect's `drawn`."""
    update: dict[str, Any] = {
        "TableName": table(),
        "Key": _marker_key(drawn_on),
        "UpdateExpression": "ADD drawn :drawn",
        "ConditionExpression": "attribute_exists(pk)",
        "ExpressionAttributeValues": {":drawn": {"N": str(-effect.amount)}},
    }
    if effect.amount < 0:
        if effect.draw_limit is None:
            raise ValueError(f"{effect.id}: a draw needs the limit it was computed against")
        update["ConditionExpression"] = "attribute_exists(pk) AND (attribute_not_exists(drawn) OR drawn <= :limit)"
        update["ExpressionAttributeValues"][":limit"] = {"N": str(effect.draw_limit)}
    return {"Update": update}


def apply(effect: Effect) -> bool:
    """Apply the effect once: True if this call applied it, False if it already had been."""
    client = aws.client("dynamodb")
    wallet = wallet_account(effect.user_id, effect.currency)
    platform = f"platform:{effect.counterpart}:{effect.currency.lower()}"
    now_ms = int(time.time() * 1000)
    marker = {
        **_marker_key(effect.id),
        "kind": {"S": effect.kind},
        "amount": {"N": str(effect.amount)},
        "user_id": {"S": effect.user_id},
        "currency": {"S": effect.currency.lower()},
        "created_ms": {"N": str(now_ms)},
    }
    if effect.draws_on:
        marker["draws_on"] = {"S": effect.draws_on}
    items = [
        {"Put": {"TableName": table(), "ConditionExpression": "attribute_not_exists(pk)", "Item": marker}},
        _balance_update(wallet, effect.amount, effect.currency, guard=not effect.may_go_negative),
        _entry(wallet, effect, effect.amount, now_ms),
        _balance_update(platform, -effect.amount, effect.currency, guard=False),
        _entry(platform, effect, -effect.amount, now_ms),
    ]
    if effect.draws_on:
        items.append(_draw(effect, effect.draws_on))
    try:
        client.transact_write_items(TransactItems=items)
    except client.exceptions.TransactionCanceledException as exc:
        reasons = [reason.get("Code") for reason in exc.response.get("CancellationReasons", [])]
        if reasons and reasons[0] == "ConditionalCheckFailed":
            return False  # the marker exists: applied before
        if len(reasons) > 1 and reasons[1] == "ConditionalCheckFailed":
            raise InsufficientFunds(f"{effect.id}: the wallet holds less than {-effect.amount}") from None
        if len(reasons) > 5 and reasons[5] == "ConditionalCheckFailed":
            raise DrawRefused(f"{effect.id}: {effect.draws_on} changed since it was read") from None
        raise
    return True


def void(effect_id: str, kind: str) -> bool:
    """Make sure the effect never happens: True if this call voided it, False if its marker existed
    (applied, or voided before)."""
    client = aws.client("dynamodb")
    try:
        client.put_item(
            TableName=table(),
            ConditionExpression="attribute_not_exists(pk)",
            Item={
                **_marker_key(effect_id),
                "kind": {"S": kind},
                "amount": {"N": "0"},
                "voided": {"BOOL": True},
                "created_ms": {"N": str(int(time.time() * 1000))},
            },
        )
    except client.exceptions.ConditionalCheckFailedException:
        return False
    return True


def record(effect_id: str) -> dict[str, Any] | None:
    """An effect's marker as applied (or voided): kind, amount, user_id, currency, voided, draws_on,
    and what later effects drew on it (`drawn`). Markers written before these were recorded lack
    user_id, currency and draws_on."""
    found = aws.client("dynamodb").get_item(TableName=table(), Key=_marker_key(effect_id), ConsistentRead=True)
    item = found.get("Item")
    if not item:
        return None
    return {
        "id": effect_id,
        "kind": item["kind"]["S"],
        "amount": int(item["amount"]["N"]),
        "user_id": item.get("user_id", {}).get("S"),
        "currency": item.get("currency", {}).get("S"),
        "voided": item.get("voided", {}).get("BOOL", False),
        "draws_on": item.get("draws_on", {}).get("S"),
        "drawn": int(item.get("drawn", {}).get("N", "0")),
    }


def is_applied(effect_id: str) -> bool:
    found = aws.client("dynamodb").get_item(
        TableName=table(), Key={"pk": {"S": f"effect#{effect_id}"}, "sk": {"S": "effect"}}, ConsistentRead=True
    )
    return "Item" in found


def balance(account: str) -> tuple[int, str | None]:
    found = aws.client("dynamodb").get_item(
        TableName=table(), Key={"pk": {"S": f"account#{account}"}, "sk": {"S": "balance"}}, ConsistentRead=True
    )
    item = found.get("Item")
    return (int(item["balance"]["N"]), item["currency"]["S"]) if item else (0, None)


def entries(account: str, *, limit: int, start: dict[str, Any] | None = None) -> tuple[list[dict[str, Any]], Any]:
    """Newest first: (entries, the key to continue from or None)."""
    request: dict[str, Any] = {
        "TableName": table(),
        "KeyConditionExpression": "pk = :pk AND begins_with(sk, :entry)",
        "ExpressionAttributeValues": {":pk": {"S": f"account#{account}"}, ":entry": {"S": "entry#"}},
        "ScanIndexForward": False,
        "Limit": limit,
    }
    if start:
        request["ExclusiveStartKey"] = start
    page = aws.client("dynamodb").query(**request)
    found = [
        {
            "effect_id": item["effect_id"]["S"],
            "kind": item["kind"]["S"],
            "amount": int(item["amount"]["N"]),
            "currency": item["currency"]["S"],
            "created_ms": int(item["created_ms"]["N"]),
        }
        for item in page.get("Items", [])
    ]
    return found, page.get("LastEvaluatedKey")
