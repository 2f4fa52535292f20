"""The media context's settings (see `eckospace.config`)."""

from __future__ import annotations

from eckospace.config import Setting, text

TABLE = Setting("ECKO_MEDIA_TABLE", text)
BUCKET = Setting("ECKO_MEDIA_BUCKET", text)
DAILY_UPLOADS = Setting("ECKO_MEDIA_DAILY_UPLOADS", int)  # per person and UTC day
DAILY_UPLOAD_BYTES = Setting("ECKO_MEDIA_DAILY_BYTES", int)
