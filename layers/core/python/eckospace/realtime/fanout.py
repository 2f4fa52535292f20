"""Delivery: an event reaches a channel's connections through the fan-out queue.

Publishing (`eckospace.realtime.broadcasting`) puts one message per channel and event on the
queue. The fan-out function reads a channel's subscribers with one Query and sends to them in parallel through the
WebSocket API's @connections. A connection API Gateway no longer has (410) is forgotten, as a
disconnect would; one that failed for a moment gets the event again in a message of its own, a
little later, so a failure never sends the event twice to those that already have it nor loses it
for the others. A worker that dies halfway has its message delivered again by SQS: at least once.
"""

from __future__ import annotations

import json
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from typing import Any

from eckospace import aws
from eckospace.realtime import settings, store
from eckospace.realtime.broadcasting import Delivery, publish
from eckospace.realtime.sending import ConnectionsApi, Sent

SEND_THREADS = 32
MAX_ATTEMPTS = 5


def connections_endpoint() -> str:
    """The WebSocket API's @connections endpoint: its https URL and stage."""
    endpoint = settings.API_ENDPOINT()
    for websocket, http in (("wss://", "https://"), ("ws://", "http://")):
        if endpoint.startswith(websocket):
            endpoint = http + endpoint[len(websocket) :]
    return f"{endpoint.rstrip('/')}/{settings.STAGE()}"


def management() -> Any:
    """A botocore client of the @connections API, for single calls (the welcome, a close)."""
    return aws.client("apigatewaymanagementapi", endpoint_url=connections_endpoint())


_senders: dict[str, ConnectionsApi] = {}


def sender() -> ConnectionsApi:
    """What fan-outs send with: many posts of one frame, from many threads."""
    endpoint = connections_endpoint()
    if endpoint not in _senders:
        _senders[endpoint] = ConnectionsApi(endpoint, pool=SEND_THREADS)
    return _senders[endpoint]


def gone(error: Exception) -> bool:
    return bool(getattr(error, "response", {}).get("Error", {}).get("Code") == "GoneException")


@dataclass
class Outcome:
    sent: int = 0
    pruned: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)


def deliver(delivery: Delivery, *, forget: Any) -> Outcome:
    """Send one delivery to its connections; `forget(connection_id)` cleans up a gone one."""
    if delivery.connections is not None:
        targets = delivery.connections
    else:
        targets = [
            s.connection_id
            for s in store.subscribers(delivery.channel)
            if s.socket_id != delivery.except_socket and s.since <= delivery.at
        ]
    outcome = Outcome()
    if not targets:
        return outcome
    data = delivery.text().encode()
    connections = sender()
    with ThreadPoolExecutor(max_workers=min(SEND_THREADS, len(targets))) as pool:
        results = list(zip(targets, pool.map(lambda target: connections.post(target, data), targets), strict=True))
    for connection_id, result in results:
        if result is Sent.SENT:
            outcome.sent += 1
        elif result is Sent.GONE:
            outcome.pruned.append(connection_id)
        else:
            outcome.failed.append(connection_id)
    for connection_id in outcome.pruned:
        forget(connection_id)
    if outcome.failed:
        from eckospace.observability import logger  # only on this rare path: it costs a cold start 25 ms

        logger().warning("realtime sends failed", extra={"channel": delivery.channel, "failed": len(outcome.failed)})
        _retry(delivery, outcome.failed)
    return outcome


def _retry(delivery: Delivery, connections: list[str]) -> None:
    if delivery.attempt >= MAX_ATTEMPTS:
        from eckospace.observability import logger

        logger().error(
            "realtime delivery abandoned",
            extra={"channel": delivery.channel, "event": delivery.event, "connections": len(connections)},
        )
        return
    publish([Delivery(**{**asdict(delivery), "connections": connections, "attempt": delivery.attempt + 1})])


def parse(body: str) -> Delivery:
    return Delivery(**json.loads(body))
