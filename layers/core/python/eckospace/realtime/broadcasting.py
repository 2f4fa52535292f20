"""Broadcasting: how anything puts an event on realtime channels.

Every event is one message per channel on the realtime fan-out queue, which the fan-out function
delivers to the channel's connections (`eckospace.realtime.fanout`). Other contexts (chat,
notifications) call `broadcast()`; this module needs nothing of the realtime context but the
queue, so their functions carry only `ECKO_REALTIME_FANOUT_QUEUE`. An empty value means realtime is
switched off: `broadcast()` then sends nothing.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass, field
from typing import Any

from eckospace import aws
from eckospace.config import Setting
from eckospace.realtime.protocol import frame

FANOUT_QUEUE = Setting("ECKO_REALTIME_FANOUT_QUEUE", str)  # empty: realtime is off
SQS_BATCH = 10


@dataclass(frozen=True)
class Delivery:
    channel: str
    event: str
    data: str  # as it goes out: a JSON document's text, or whatever string the publisher sent
    except_socket: str | None = None  # the connection that caused it (socket_id exclusion)
    user_id: str | None = None  # the member who sent a client event on a presence channel
    connections: list[str] | None = field(default=None)  # a retry: only these
    # An eviction: this user's connections leave the channel, and only they get the event. The
    # fan-out function does it, so the realtime table stays the realtime context's alone.
    evict: str | None = None
    attempt: int = 1
    # When it was published (epoch ms): a connection that subscribed later does not get it (it
    # would hear of a presence member its subscription_succeeded already listed).
    at: int = field(default_factory=lambda: int(time.time() * 1000))

    def text(self) -> str:
        return frame(self.event, self.data, channel=self.channel, user_id=self.user_id)


def publish(deliveries: list[Delivery]) -> None:
    """Queue the deliveries; raises when SQS would not take one (nothing is half-published for the
    caller to guess about: it may publish again)."""
    queue = FANOUT_QUEUE()
    if not queue:
        return
    sqs = aws.client("sqs")
    for start in range(0, len(deliveries), SQS_BATCH):
        chunk = deliveries[start : start + SQS_BATCH]
        entries = [
            {
                "Id": str(index),
                "MessageBody": json.dumps(asdict(delivery), separators=(",", ":")),
                **({"DelaySeconds": min(2 ** (delivery.attempt - 1), 60)} if delivery.attempt > 1 else {}),
            }
            for index, delivery in enumerate(chunk)
        ]
        answer = sqs.send_message_batch(QueueUrl=queue, Entries=entries)
        if answer.get("Failed"):
            retry = [entry for entry in entries if entry["Id"] in {f["Id"] for f in answer["Failed"]}]
            again = sqs.send_message_batch(QueueUrl=queue, Entries=retry)
            if again.get("Failed"):
                raise RuntimeError(f"SQS refused {len(again['Failed'])} realtime deliveries")


def broadcast(
    channels: Iterable[str], event: str, payload: Mapping[str, Any], *, except_socket: str | None = None
) -> None:
    """Send `event` with `payload` (as JSON) to each channel's subscribers. `except_socket` is the
    `X-Socket-Id` of the connection that caused it, which does not get its own echo. Raises when
    the queue refuses: the caller decides whether that fails its request."""
    data = json.dumps(payload, separators=(",", ":"), default=str)
    publish([Delivery(channel, event, data, except_socket=except_socket) for channel in dict.fromkeys(channels)])


def evict(user_id: str, channels: Iterable[str], event: str, payload: Mapping[str, Any]) -> None:
    """Take `user_id`'s connections out of `channels` (someone who may no longer hear them), and
    tell each of those connections with `event` on the channel, since the protocol has no
    unsubscribe from the server. Raises when the queue refuses."""
    data = json.dumps(payload, separators=(",", ":"), default=str)
    publish([Delivery(channel, event, data, evict=user_id) for channel in dict.fromkeys(channels)])
