"""A user's own wallet: balances per currency and the ledger entries behind them."""

from __future__ import annotations

from typing import Any

from eckospace import aws, timestamps
from eckospace.cursors import decode_cursor, encode_cursor
from eckospace.errors import InvalidInput
from eckospace.payments import ledger, settings


def currencies() -> list[str]:
    return [currency.lower() for currency in settings.WALLET_CURRENCIES()]


def balances(user_id: str) -> dict[str, Any]:
    """Every currency's balance in one read (0 where the wallet has never held that currency)."""
    table = ledger.table()
    keys = [{"pk": {"S": f"account#{ledger.wallet_account(user_id, c)}"}, "sk": {"S": "balance"}} for c in currencies()]
    found = {item["currency"]["S"]: int(item["balance"]["N"]) for item in aws.batch_get({table: {"Keys": keys}})[table]}
    return {"balances": [{"currency": c, "balance": found.get(c, 0)} for c in currencies()]}


def ledger_page(user_id: str, currency: str, *, limit: int, cursor: str | None) -> dict[str, Any]:
    if currency not in currencies():
        raise InvalidInput(
            f"currency must be one of {', '.join(currencies())}.",
            errors=[{"in": "query", "name": "currency", "detail": "is not a wallet currency"}],
        )
    account = ledger.wallet_account(user_id, currency)
    scope = (user_id, currency)
    entries, last_key = ledger.entries(
        account, limit=limit, start=decode_cursor(cursor, listing="wallet-ledger", scope=scope)
    )
    return {
        "data": [entry_view(entry) for entry in entries],
        "next_cursor": encode_cursor(last_key, listing="wallet-ledger", scope=scope),
    }


def entry_view(entry: dict[str, Any]) -> dict[str, Any]:
    """A ledger entry as the API shows it (stored with `created_ms`)."""
    return {
        "effect_id": entry["effect_id"],
        "kind": entry["kind"],
        "amount": entry["amount"],
        "currency": entry["currency"],
        "created_at": timestamps.from_ms(entry["created_ms"]),
    }
