"""The posts context's settings (see `eckospace.config`)."""

from __future__ import annotations

from eckospace.config import Setting, text

TABLE = Setting("ECKO_POSTS_TABLE", text)
DAILY_POSTS = Setting("ECKO_POSTS_DAILY_LIMIT", int)  # per person and UTC day, drafts included
