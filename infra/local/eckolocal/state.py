"""What the local stack keeps between runs, under `.eckospace/` (git-ignored).

- `dev-credentials.json`: where the API is, the demo API key and a Bearer token with every scope;
- `state/secrets.json`: the demo API key value and the signing key ring, so tokens stay valid and
  keys stay the same across restarts;
- `state/data.json`: the emulator's tables and buckets, saved on shutdown (and every minute) and
  loaded on start, because the embedded emulator keeps everything in memory.

`--fresh` (or `make dev FRESH=1`) starts from nothing.
"""

from __future__ import annotations

import base64
import json
import os
import shutil
from pathlib import Path
from typing import Any

from eckolocal.template import Template


class StateDir:
    def __init__(self, root: Path) -> None:
        self.root = root
        self.state = root / "state"

    def wipe(self) -> None:
        shutil.rmtree(self.state, ignore_errors=True)

    def _write(self, path: Path, value: Any) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        temporary = path.with_suffix(".tmp")
        with open(os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600), "w") as handle:
            json.dump(value, handle, indent=2)
        temporary.replace(path)

    def _read(self, path: Path) -> Any:
        return json.loads(path.read_text()) if path.exists() else None

    @property
    def credentials_path(self) -> Path:
        return self.root / "dev-credentials.json"

    def write_credentials(self, credentials: dict[str, Any]) -> None:
        self._write(self.credentials_path, credentials)

    def secrets(self) -> dict[str, Any]:
        return self._read(self.state / "secrets.json") or {}

    def save_secrets(self, secrets: dict[str, Any]) -> None:
        self._write(self.state / "secrets.json", secrets)

    def save_data(self, template: Template, session: Any) -> None:
        self._write(self.state / "data.json", export_data(template, session))

    def load_data(self, template: Template, session: Any) -> bool:
        data = self._read(self.state / "data.json")
        if data:
            import_data(template, session, data)
        return bool(data)


def export_data(template: Template, session: Any) -> dict[str, Any]:
    dynamodb, s3 = session.client("dynamodb"), session.client("s3")
    tables: dict[str, list[dict[str, Any]]] = {}
    for logical_id in template.of_type("AWS::DynamoDB::Table"):
        items: list[dict[str, Any]] = []
        for page in dynamodb.get_paginator("scan").paginate(TableName=template.physical_name(logical_id)):
            items.extend(page.get("Items", []))
        tables[logical_id] = items
    buckets: dict[str, list[dict[str, Any]]] = {}
    for logical_id in template.of_type("AWS::S3::Bucket"):
        name = template.physical_name(logical_id)
        objects = []
        for page in s3.get_paginator("list_objects_v2").paginate(Bucket=name):
            for entry in page.get("Contents", []):
                got = s3.get_object(Bucket=name, Key=entry["Key"])
                objects.append(
                    {
                        "key": entry["Key"],
                        "content_type": got.get("ContentType"),
                        "metadata": got.get("Metadata", {}),
                        "body": base64.b64encode(got["Body"].read()).decode(),
                    }
                )
        buckets[logical_id] = objects
    return {"tables": tables, "buckets": buckets}


def import_data(template: Template, session: Any, data: dict[str, Any]) -> None:
    dynamodb, s3 = session.client("dynamodb"), session.client("s3")
    for logical_id, items in data.get("tables", {}).items():
        if logical_id not in template.resources:
            continue  # a module switched off since: its data stays on disk, unused
        name = template.physical_name(logical_id)
        for start in range(0, len(items), 25):
            request = {name: [{"PutRequest": {"Item": item}} for item in items[start : start + 25]]}
            while request:
                request = dynamodb.batch_write_item(RequestItems=request).get("UnprocessedItems") or {}
    for logical_id, objects in data.get("buckets", {}).items():
        if logical_id not in template.resources:
            continue
        name = template.physical_name(logical_id)
        for obj in objects:
            s3.put_object(
                Bucket=name,
                Key=obj["key"],
                Body=base64.b64decode(obj["body"]),
                ContentType=obj.get("content_type") or "application/octet-stream",
                Metadata=obj.get("metadata") or {},
            )
