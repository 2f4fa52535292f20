"""The media context's settings (see `eckospace.config`)."""

from __future__ import annotations

from eckospace.config import Setting, text

TABLE = Setting("ECKO_MEDIA_TABLE", text)
BUCKET = Setting("ECKO_MEDIA_BUCKET", text)
DAILY_UPLOADS = Setting("ECKO_MEDIA_DAILY_UPLOADS", int)  # per person and UTC day
DAILY_UPLOAD_BYTES = Setting("ECKO_MEDIA_DAILY_BYTES", int)
CDN_DOMAIN = Setting("ECKO_MEDIA_CDN_DOMAIN", text)  # the CDN serving public images (a loopback port locally)
CDN_DISTRIBUTION = Setting("ECKO_MEDIA_CDN_DISTRIBUTION", text)  # its id, for cache invalidations
