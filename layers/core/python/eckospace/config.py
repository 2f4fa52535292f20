"""Configuration read lazily from the function's environment.

Nothing here runs at import time: a function reads its settings on first use, so a missing
variable fails the request that needs it (with a 5xx and a log line) rather than the cold start,
and tests can change the environment between cases with `settings.cache_clear()`.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from functools import cache


class MissingSetting(RuntimeError):
    """A setting the function needs is not in its environment (a deployment fault)."""


@dataclass(frozen=True)
class Settings:
    environment: str
    service: str
    token_issuer: str
    token_audience: str

    @staticmethod
    def require(name: str) -> str:
        """An environment variable this function cannot work without."""
        value = os.environ.get(name)
        if not value:
            raise MissingSetting(f"environment variable {name} is not set")
        return value


@cache
def settings() -> Settings:
    return Settings(
        environment=os.environ.get("ECKO_ENV", "dev"),
        service=os.environ.get("POWERTOOLS_SERVICE_NAME", "eckospace"),
        token_issuer=os.environ.get("ECKO_TOKEN_ISSUER", "https://api.eckospace.local"),
        token_audience=os.environ.get("ECKO_TOKEN_AUDIENCE", "eckospace-api"),
    )
