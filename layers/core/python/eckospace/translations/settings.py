"""The translations context's settings (see `eckospace.config`)."""

from __future__ import annotations

from eckospace.config import Setting, text

TABLE = Setting("ECKO_TRANSLATIONS_TABLE", text)
CACHE_SECONDS = Setting("ECKO_TRANSLATIONS_CACHE_SECONDS", float)  # how long a warm function keeps a catalogue
