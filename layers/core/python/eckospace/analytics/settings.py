"""The analytics context's settings (see `eckospace.config`)."""

from __future__ import annotations

from eckospace.config import Setting, text

TABLE = Setting("ECKO_ANALYTICS_TABLE", text)  # counters, distinct-people markers and seen events
QUEUE = Setting("ECKO_ANALYTICS_QUEUE", text)  # accepted batches, for the aggregator
EVENTS_BUCKET = Setting("ECKO_ANALYTICS_EVENTS_BUCKET", text)  # raw events, date-partitioned
VISITOR_KEYS_SECRET = Setting("ECKO_ANALYTICS_VISITOR_KEYS_SECRET", text)  # a key ring (eckospace.keyrings)
MINIMUM_CROWD = Setting("ECKO_ANALYTICS_MINIMUM_CROWD", int)  # fewer distinct people than this: hidden
# Where owners are found (eckospace/analytics/owners.py): posts and marketplace are empty where that module is off.
USERS_TABLE = Setting("ECKO_USERS_TABLE", text)
POSTS_TABLE = Setting("ECKO_POSTS_TABLE", str)
MARKETPLACE_TABLE = Setting("ECKO_MARKETPLACE_TABLE", str)
