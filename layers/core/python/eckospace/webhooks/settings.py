"""The webhooks context's settings (see `eckospace.config`)."""

from __future__ import annotations

from eckospace.config import Setting, flag, numbers, text

TABLE = Setting("ECKO_WEBHOOKS_TABLE", text)
SECRETS_TABLE = Setting("ECKO_WEBHOOK_SECRETS_TABLE", text)
INTEGRATIONS_TABLE = Setting("ECKO_INTEGRATIONS_TABLE", text)  # identity's: what each owner may receive
DELIVERIES_QUEUE_URL = Setting("ECKO_WEBHOOK_DELIVERIES_QUEUE_URL", text)
ALLOWED_PORTS = Setting("ECKO_WEBHOOKS_ALLOWED_PORTS", numbers)
ALLOW_LOOPBACK = Setting("ECKO_WEBHOOKS_ALLOW_LOOPBACK", flag)  # local development only
REFUSED_LOOPBACK_PORTS = Setting("ECKO_WEBHOOKS_REFUSED_LOOPBACK_PORTS", numbers)  # the local stack's own services
SECRET_OVERLAP_SECONDS = Setting("ECKO_WEBHOOKS_SECRET_OVERLAP_SECONDS", int)  # unless a rotation asks otherwise
DISABLE_AFTER_DAYS = Setting("ECKO_WEBHOOKS_DISABLE_AFTER_DAYS", float)
