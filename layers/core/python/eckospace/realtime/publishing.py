"""The events API, as Pusher's server libraries call it: publish events and ask about channels.

Requests are authenticated by their signature (`eckospace.realtime.signatures`), checked before
anything in the body is looked at; then the body is validated whole, so a request either publishes
every event it carries or none.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from eckospace import aws
from eckospace.errors import InvalidInput, NotFound, TooLarge
from eckospace.realtime import settings, store
from eckospace.realtime.broadcasting import Delivery, publish
from eckospace.realtime.channels import Channel, InvalidChannel, Kind
from eckospace.realtime.protocol import EVENT_NAME_MAX, SOCKET_ID
from eckospace.realtime.signatures import verify_request

DATA_MAX_BYTES = 10 * 1024
CHANNELS_MAX = 100
BATCH_MAX = 10


class EventRequest(BaseModel):
    """`POST /apps/{app_id}/events`: one event to one or more channels."""

    model_config = ConfigDict(extra="ignore")

    name: str = Field(min_length=1, max_length=EVENT_NAME_MAX, description="The event name clients bind to")
    data: str = Field(description="The payload, as a string (most libraries send JSON text); at most 10 KB")
    channels: list[str] | None = Field(default=None, min_length=1, max_length=CHANNELS_MAX)
    channel: str | None = Field(default=None, description="One channel, instead of `channels`")
    socket_id: str | None = Field(default=None, description="A connection not to send it to (`toOthers()`)")
    info: str | None = Field(default=None, description="Accepted and ignored")

    @model_validator(mode="after")
    def _one_target(self) -> EventRequest:
        if (self.channels is None) == (self.channel is None):
            raise ValueError("give either channels or channel")
        return self

    @property
    def targets(self) -> list[str]:
        """Each channel once, however often it was named."""
        return list(dict.fromkeys(self.channels)) if self.channels is not None else [self.channel or ""]


class BatchEvent(BaseModel):
    model_config = ConfigDict(extra="ignore")

    name: str = Field(min_length=1, max_length=EVENT_NAME_MAX)
    data: str
    channel: str
    socket_id: str | None = None
    info: str | None = None


class BatchRequest(BaseModel):
    """`POST /apps/{app_id}/batch_events`: up to ten events, each to one channel."""

    model_config = ConfigDict(extra="ignore")

    batch: list[BatchEvent] = Field(min_length=1, max_length=BATCH_MAX)


def _check_app(app_id: str) -> None:
    if app_id != settings.APP_ID():
        raise NotFound(f"Unknown app: {app_id[:64]}")


def authenticate(app_id: str | None, method: str, path: str, query: Mapping[str, str], body: bytes) -> None:
    if app_id is not None:
        _check_app(app_id)
    verify_request(method, path, query, body)


def _parsed(model: type[BaseModel], body: bytes) -> Any:
    try:
        return model.model_validate_json(body)
    except ValidationError as error:
        errors = [
            {"in": "body", "name": ".".join(str(part) for part in issue["loc"]) or "body", "detail": issue["msg"]}
            for issue in error.errors()
        ]
        raise InvalidInput("The request body is not a valid events request.", errors=errors) from None


def _delivery(name: str, data: str, channel: str, socket_id: str | None) -> Delivery:
    try:
        Channel.parse(channel)
    except InvalidChannel as error:
        raise InvalidInput(str(error), errors=[{"in": "body", "name": "channels", "detail": str(error)}]) from None
    if socket_id is not None and not SOCKET_ID.match(socket_id):
        raise InvalidInput("socket_id must look like 123.456", errors=[{"in": "body", "name": "socket_id"}])
    if len(data.encode()) > DATA_MAX_BYTES:
        raise TooLarge(f"Event data is at most {DATA_MAX_BYTES} bytes; this one is {len(data.encode())}.")
    return Delivery(channel, name, data, except_socket=socket_id)


def publish_event(body: bytes) -> None:
    request: EventRequest = _parsed(EventRequest, body)
    publish([_delivery(request.name, request.data, channel, request.socket_id) for channel in request.targets])


def publish_batch(body: bytes) -> None:
    request: BatchRequest = _parsed(BatchRequest, body)
    publish([_delivery(event.name, event.data, event.channel, event.socket_id) for event in request.batch])


# ------------------------------------------------------------------ channel queries
def _info(raw: str | None) -> set[str]:
    wanted = {part.strip() for part in (raw or "").split(",") if part.strip()}
    unknown = wanted - {"user_count", "subscription_count"}
    if unknown:
        raise InvalidInput(f"Unknown info attribute(s): {', '.join(sorted(unknown))}")
    return wanted


def _named(name: str) -> Channel:
    try:
        channel = Channel.parse(name)
    except InvalidChannel as error:
        raise InvalidInput(str(error)) from None
    return channel


def _member_counts(channels: list[str]) -> dict[str, int]:
    counts: dict[str, int] = {}
    table = settings.TABLE()
    for start in range(0, len(channels), 100):
        keys = [{"pk": {"S": f"p#{name}"}, "sk": {"S": "#"}} for name in channels[start : start + 100]]
        for item in aws.batch_get({table: {"Keys": keys}})[table]:
            counts[item["pk"]["S"][2:]] = int(item.get("members", {}).get("N", "0"))
    return counts


def channels(filter_by_prefix: str | None, info: str | None) -> dict[str, Any]:
    wanted = _info(info)
    if "user_count" in wanted and not (filter_by_prefix or "").startswith("presence-"):
        raise InvalidInput("user_count is only for presence channels: filter_by_prefix=presence-")
    occupied = store.occupied_channels(filter_by_prefix or "")
    counts = _member_counts(list(occupied)) if "user_count" in wanted else {}
    answer: dict[str, Any] = {}
    for name, subscriptions in sorted(occupied.items()):
        answer[name] = {}
        if "user_count" in wanted:
            answer[name]["user_count"] = counts.get(name, 0)
        if "subscription_count" in wanted:
            answer[name]["subscription_count"] = subscriptions
    return {"channels": answer}


def channel(name: str, info: str | None) -> dict[str, Any]:
    found = _named(name)
    wanted = _info(info)
    if "user_count" in wanted and found.kind is not Kind.PRESENCE:
        raise InvalidInput("user_count is only for presence channels")
    subscriptions = store.subscription_count(name)
    answer: dict[str, Any] = {"occupied": subscriptions > 0}
    if "user_count" in wanted:
        answer["user_count"] = _member_counts([name]).get(name, 0)
    if "subscription_count" in wanted:
        answer["subscription_count"] = subscriptions
    return answer


def users(name: str) -> dict[str, Any]:
    if _named(name).kind is not Kind.PRESENCE:
        raise InvalidInput("Only presence channels have users")
    return {"users": [{"id": user_id} for user_id in store.members(name)]}
