"""Translation catalogues in DynamoDB: one item per locale, messages kept as one JSON string so a
read is a single cheap attribute, not a large map to unmarshal."""

from __future__ import annotations

import hashlib
import json
import time
from dataclasses import dataclass
from typing import Any

from eckospace import aws
from eckospace.translations import settings


@dataclass(frozen=True)
class Catalogue:
    locale: str
    direction: str
    version: str
    messages_json: str


def _table_name() -> str:
    return settings.TABLE()


def _from_item(item: dict[str, Any]) -> Catalogue:
    return Catalogue(
        locale=item["locale"]["S"],
        direction=item["direction"]["S"],
        version=item["version"]["S"],
        messages_json=item["messages"]["S"],
    )


def get_catalogues(locales: list[str]) -> dict[str, Catalogue]:
    """The stored catalogues among `locales`, in one BatchGetItem."""
    if not locales:
        return {}
    table = _table_name()
    items = aws.batch_get({table: {"Keys": [{"locale": {"S": locale}} for locale in locales]}})[table]
    return {catalogue.locale: catalogue for catalogue in map(_from_item, items)}


def put_catalogue(locale: str, direction: str, messages: dict[str, str]) -> Catalogue:
    messages_json = json.dumps(messages, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    version = hashlib.sha256(f"{direction}\n{messages_json}".encode()).hexdigest()[:16]
    aws.client("dynamodb").put_item(
        TableName=_table_name(),
        Item={
            "locale": {"S": locale},
            "direction": {"S": direction},
            "version": {"S": version},
            "messages": {"S": messages_json},
            "updated_at": {"N": str(int(time.time()))},
        },
    )
    return Catalogue(locale=locale, direction=direction, version=version, messages_json=messages_json)
