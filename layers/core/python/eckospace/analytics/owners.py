"""Whose object an event is about: a post's author, a listing's seller, a job's employer, or the
person whose profile it is. Owners never change, so each sandbox remembers those it has read.

A deployment without the module an object belongs to names no table for it (an empty setting):
its objects have no owner here, and their events are dropped. The keys are those of the posts,
marketplace and users stores, written here so analytics reads those tables without their settings.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from eckospace import aws
from eckospace.analytics import settings
from eckospace.analytics.events import object_type
from eckospace.marketplace.kinds import kind_of

_REMEMBERED = 50_000
_owners: dict[str, str] = {}


_OWNER_ATTRIBUTES = {"#a": "author", "#s": "seller", "#e": "employer"}


def _where(object_id: str) -> tuple[str, dict[str, Any]] | None:
    """(table, key) of an object, or None where its module is off."""
    kind = object_type(object_id)
    if kind == "profile":
        return settings.USERS_TABLE(), {"pk": {"S": f"user#{object_id}"}}
    table = settings.POSTS_TABLE() if kind == "post" else settings.MARKETPLACE_TABLE()
    return (table, {"pk": {"S": f"{kind}#{object_id}"}, "sk": {"S": kind}}) if table else None


def _owner(object_id: str, item: dict[str, Any]) -> str:
    kind = object_type(object_id)
    if kind == "profile":
        return object_id
    return str(item["author" if kind == "post" else kind_of(object_id).owner]["S"])


def owners_of(object_ids: Iterable[str]) -> dict[str, str]:
    """The owner of each of these objects that exists (one BatchGetItem for those not remembered)."""
    object_ids = list(object_ids)
    wanted = sorted({object_id for object_id in object_ids if object_id not in _owners})
    by_key: dict[str, str] = {}
    requests: dict[str, list[dict[str, Any]]] = {}
    for object_id in wanted:
        where = _where(object_id)
        if where:
            table, key = where
            requests.setdefault(table, []).append(key)
            by_key[key["pk"]["S"]] = object_id
    for _ in range(0, sum(len(keys) for keys in requests.values()), 100):
        chunk: dict[str, Any] = {}
        for table, keys in requests.items():  # the next 100 keys, across tables
            taken = keys[: 100 - sum(len(request["Keys"]) for request in chunk.values())]
            if taken:
                chunk[table] = {"Keys": taken, "ProjectionExpression": "pk, #a, #s, #e"}
                chunk[table]["ExpressionAttributeNames"] = _OWNER_ATTRIBUTES
                requests[table] = keys[len(taken) :]
        for items in aws.batch_get(chunk).values():
            for item in items:
                object_id = by_key[item["pk"]["S"]]
                if len(_owners) >= _REMEMBERED:
                    _owners.clear()
                _owners[object_id] = _owner(object_id, item)
    return {object_id: _owners[object_id] for object_id in object_ids if object_id in _owners}


def owner_of(object_id: str) -> str | None:
    return owners_of([object_id]).get(object_id)
