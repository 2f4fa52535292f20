"""The marketplace search's settings (see `eckospace.config`)."""

from __future__ import annotations

from eckospace.config import Setting, text

BUCKET = Setting("ECKO_MARKETPLACE_SEARCH_BUCKET", text)  # holds each kind's index snapshot (versioned)
QUEUE = Setting("ECKO_MARKETPLACE_SEARCH_QUEUE", text)  # FIFO: listings and jobs whose index entry may have changed
