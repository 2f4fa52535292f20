"""The notifications context's settings (see `eckospace.config`)."""

from __future__ import annotations

from eckospace.config import Setting, text

TABLE = Setting("ECKO_NOTIFICATIONS_TABLE", text)
