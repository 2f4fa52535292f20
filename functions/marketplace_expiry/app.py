"""Scheduled every five minutes: expires published listings whose time is up, and tells their
sellers 3 days before."""

from __future__ import annotations

from typing import Any

from eckospace.marketplace.expiry import sweep
from eckospace.observability import logger


def lambda_handler(event: dict[str, Any], context: Any) -> dict[str, int]:
    done = sweep()
    logger().info("listings expiry swept", extra=done)
    return done
