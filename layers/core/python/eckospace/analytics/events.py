"""The events clients send, and the checks each one passes before it is queued.

A batch is `{"events": [...]}`, at most `MAX_EVENTS` events in at most `MAX_BATCH_BYTES`. Each event
is checked on its own, so one bad event is refused with its reasons while the good ones go on:

- `id`: the client's id for the event, unique per person; a retried event with the same id counts once.
- `type`: what happened (`TYPES`); it fixes what `object` may be.
- `object`: the id of the post, listing, job or person (profile) viewed, or holding the link clicked.
- `occurred_at`: when, as RFC 3339 with a zone, at most a day old and at most five minutes ahead.
- `url`: the link clicked (`link_click` only), http(s); only its scheme, host and path are kept,
  since a query string or fragment may carry someone's token.

The checks are plain Python: the ingest route answers without loading pydantic.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

MAX_EVENTS = 100
MAX_BATCH_BYTES = 64 * 1024
MAX_AGE_MS = 24 * 3600 * 1000
MAX_AHEAD_MS = 5 * 60 * 1000
MAX_URL_LENGTH = 2048

POST = re.compile(r"^pst_[0-9a-z]{26}$")
LISTING = re.compile(r"^lst_[0-9a-z]{26}$")
JOB = re.compile(r"^job_[0-9a-z]{26}$")
PERSON = re.compile(r"^[0-9a-f]{32}$")
CLIENT_ID = re.compile(r"^[A-Za-z0-9._:-]{1,64}$")

# type -> the objects it may be about
TYPES: dict[str, tuple[re.Pattern[str], ...]] = {
    "post_view": (POST,),
    "listing_view": (LISTING,),
    "job_view": (JOB,),
    "profile_view": (PERSON,),
    "link_click": (POST, LISTING, JOB, PERSON),
}
_OBJECT_TYPES = {POST: "post", LISTING: "listing", JOB: "job", PERSON: "profile"}
_FIELDS = {"id", "type", "object", "occurred_at", "url"}


@dataclass(frozen=True)
class Event:
    """An event that passed its checks, as it is queued."""

    id: str
    type: str
    object: str
    occurred_ms: int
    url: str | None = None

    def queued(self) -> dict[str, Any]:
        document: dict[str, Any] = {"id": self.id, "type": self.type, "object": self.object, "at": self.occurred_ms}
        if self.url is not None:
            document["url"] = self.url
        return document

    @classmethod
    def from_queue(cls, document: dict[str, Any]) -> Event:
        return cls(document["id"], document["type"], document["object"], int(document["at"]), document.get("url"))


def object_type(object_id: str) -> str:
    """`post`, `listing`, `job` or `profile`, for a well-formed object id."""
    return next(name for pattern, name in _OBJECT_TYPES.items() if pattern.match(object_id))


def _time_ms(value: Any, now_ms: int) -> tuple[int | None, str | None]:
    if not isinstance(value, str) or len(value) > 40:
        return None, "must be an RFC 3339 time with a zone, such as 2026-12-03T10:15:00Z"
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return None, "must be an RFC 3339 time with a zone, such as 2026-12-03T10:15:00Z"
    if moment.tzinfo is None:
        return None, "must say its zone (Z or an offset)"
    ms = int(moment.timestamp() * 1000)
    if ms < now_ms - MAX_AGE_MS:
        return None, "is more than 24 hours ago: too old to count"
    if ms > now_ms + MAX_AHEAD_MS:
        return None, "is in the future"
    return ms, None


def _kept_url(value: Any) -> tuple[str | None, str | None]:
    if not isinstance(value, str) or not 0 < len(value) <= MAX_URL_LENGTH:
        return None, f"must be a URL of at most {MAX_URL_LENGTH} characters"
    try:
        parts = urlsplit(value)
    except ValueError:
        return None, "is not a URL"
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return None, "must be an http or https URL"
    return f"{parts.scheme}://{parts.hostname.lower()}{parts.path or '/'}", None


def check(raw: Any, now_ms: int) -> tuple[Event | None, list[dict[str, str]]]:
    """The event, or None and what is wrong with it (`name`, `detail` per field)."""
    if not isinstance(raw, dict):
        return None, [{"name": "", "detail": "an event must be a JSON object"}]
    errors = [{"name": name, "detail": "is not a field of an event"} for name in sorted(set(raw) - _FIELDS)]
    client_id, kind, object_id = raw.get("id"), raw.get("type"), raw.get("object")
    if not isinstance(client_id, str) or not CLIENT_ID.match(client_id):
        errors.append({"name": "id", "detail": "must be 1 to 64 letters, digits or . _ : -"})
    if not isinstance(kind, str) or kind not in TYPES:
        errors.append({"name": "type", "detail": f"must be one of {', '.join(TYPES)}"})
    elif not isinstance(object_id, str) or not any(pattern.match(object_id) for pattern in TYPES[kind]):
        allowed = " or ".join(_OBJECT_TYPES[pattern] for pattern in TYPES[kind])
        errors.append({"name": "object", "detail": f"must be the id of a {allowed}"})
    occurred_ms, problem = _time_ms(raw.get("occurred_at"), now_ms)
    if problem:
        errors.append({"name": "occurred_at", "detail": problem})
    url = None
    if kind == "link_click":
        url, problem = _kept_url(raw.get("url"))
        if problem:
            errors.append({"name": "url", "detail": problem})
    elif "url" in raw:
        errors.append({"name": "url", "detail": "only a link_click has a url"})
    if errors:
        return None, errors
    assert isinstance(client_id, str) and isinstance(kind, str) and isinstance(object_id, str)
    assert occurred_ms is not None
    return Event(client_id, kind, object_id, occurred_ms, url), []


def sort_batch(events: list[Any], now_ms: int) -> tuple[list[Event], list[dict[str, Any]]]:
    """The batch's good events, and a refusal (`index`, `id`, `errors`) for each bad one: an id
    that came earlier in the same batch is a bad one."""
    accepted: list[Event] = []
    refused: list[dict[str, Any]] = []
    ids: set[str] = set()
    for index, raw in enumerate(events):
        event, errors = check(raw, now_ms)
        if event is not None and event.id in ids:
            event, errors = None, [{"name": "id", "detail": "repeats an earlier event of this batch"}]
        if event is None:
            client_id = raw.get("id") if isinstance(raw, dict) else None
            client_id = client_id if isinstance(client_id, str) and len(client_id) <= 64 else None
            refused.append({"index": index, "id": client_id, "errors": errors})
        else:
            ids.add(event.id)
            accepted.append(event)
    return accepted, refused
