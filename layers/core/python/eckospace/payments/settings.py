"""The payments context's settings (see `eckospace.config`)."""

from __future__ import annotations

from eckospace.config import Setting, items, text

WALLETS_TABLE = Setting("ECKO_WALLETS_TABLE", text)
WALLET_CURRENCIES = Setting("ECKO_WALLET_CURRENCIES", items)  # ISO 4217 codes, lower case
STRIPE_API_BASE = Setting("ECKO_STRIPE_API_BASE", text)  # Stripe itself, or a local emulator
STRIPE_API_KEY_SECRET = Setting("ECKO_STRIPE_API_KEY_SECRET", text)  # a Secrets Manager secret
STRIPE_WEBHOOK_SECRETS = Setting("ECKO_STRIPE_WEBHOOK_SECRETS", text)  # a secret: {"current": ..., "previous": ...}
STRIPE_EVENTS_TABLE = Setting("ECKO_STRIPE_EVENTS_TABLE", text)
PAYMENTS_QUEUE_URL = Setting("ECKO_PAYMENTS_QUEUE_URL", text)
