"""The moderation queue: open reports of posts and chat messages, oldest first."""

from __future__ import annotations

import re
from typing import Any

from eckospace.items import from_item
from eckospace.moderation.reports import QUEUE, report_view
from eckospace.posts.discovery import query_page
from eckospace.posts.store import BY_AUTHOR

REPORT_PK, REPORT_SK = re.compile(r"^report#rpt_[0-9a-z]{26}$"), re.compile(r"^report$")
REPORT_POSITION = re.compile(r"^\d{13}#rpt_[0-9a-z]{26}$")


def open_reports(*, limit: int, cursor: str | None) -> dict[str, Any]:
    items, next_cursor = query_page(
        {
            "IndexName": BY_AUTHOR,
            "KeyConditionExpression": "gsi2pk = :p",
            "ExpressionAttributeValues": {":p": {"S": QUEUE}},
            "ScanIndexForward": True,
        },
        listing="moderation-reports",
        scope="open",
        cursor=cursor,
        limit=limit,
        fixed={"gsi2pk": QUEUE},
        strings={"pk": REPORT_PK, "sk": REPORT_SK, "gsi2sk": REPORT_POSITION},
    )
    return {"data": [report_view(from_item(item)) for item in items], "next_cursor": next_cursor}
