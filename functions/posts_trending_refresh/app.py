"""Scheduled every minute: folds recent reactions into posts' counts and trending scores."""

from __future__ import annotations

from typing import Any

from eckospace.observability import logger
from eckospace.posts.trending import refresh


def lambda_handler(event: dict[str, Any], context: Any) -> dict[str, int]:
    done = refresh()
    logger().info("trending refreshed", extra=done)
    return done
