"""The listing search's settings (see `eckospace.config`)."""

from __future__ import annotations

from eckospace.config import Setting, text

BUCKET = Setting("ECKO_MARKETPLACE_SEARCH_BUCKET", text)  # holds the index snapshot (versioned)
QUEUE = Setting("ECKO_MARKETPLACE_SEARCH_QUEUE", text)  # FIFO: listings whose index entry may have changed
