"""Payments and wallets: Stripe webhooks in, the payments queue, the wallet ledger."""
