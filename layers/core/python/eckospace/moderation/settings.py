"""The moderation context's settings (see `eckospace.config`)."""

from __future__ import annotations

from eckospace.config import Setting, text

TABLE = Setting("ECKO_POSTS_TABLE", text)  # reports of every kind are kept in the posts table: one queue
DAILY_REPORTS = Setting("ECKO_REPORTS_DAILY_LIMIT", int)  # per person and UTC day, posts and messages together
