"""The chat context's settings (see `eckospace.config`)."""

from __future__ import annotations

from eckospace.config import Setting

# Empty where the chat module is switched off: the realtime channel rule then admits nobody.
TABLE = Setting("ECKO_CHAT_TABLE", str)
SENDS_PER_MINUTE = Setting("ECKO_CHAT_SENDS_PER_MINUTE", int)  # per person, across conversations
