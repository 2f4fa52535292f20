"""Invoked by $connect: sends pusher:connection_established (or the refusal) once the connection
accepts messages."""

from __future__ import annotations

from typing import Any

from eckospace.realtime.connections import welcome


def lambda_handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    return {"sent": welcome(event)}
