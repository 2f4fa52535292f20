"""The platform context's settings (see `eckospace.config`)."""

from __future__ import annotations

from eckospace.config import Setting, items

MODULES = Setting("ECKO_MODULES", items)  # each module's switch: "payments=true,posts=false"
