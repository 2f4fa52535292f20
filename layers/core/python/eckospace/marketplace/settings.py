"""The marketplace context's settings (see `eckospace.config`)."""

from __future__ import annotations

from eckospace.config import Setting, text

TABLE = Setting("ECKO_MARKETPLACE_TABLE", text)
DAILY_LISTINGS = Setting("ECKO_MARKETPLACE_DAILY_LISTINGS", int)  # new listings per person and UTC day
CONTACTS_PER_POSTING = Setting("ECKO_MARKETPLACE_CONTACTS_PER_POSTING", int)  # an asker's messages about one posting
DAILY_CONTACTS = Setting("ECKO_MARKETPLACE_DAILY_CONTACTS", int)  # an asker's messages a UTC day, about any
