"""Reports and moderation decisions.

A user reports a post they can see, for a reason from a fixed list; while a report is open the same
user cannot open another on the same post (409), and nobody files more than their daily allowance of
reports (429). Reports are kept once decided: they are the post's moderation history. Open reports
form the moderation queue, oldest first. A moderator's decision hides, restores or removes the post
(feed, trending, hashtag entries and the count shards' `open` flag follow in the same transaction),
resolves every open report of the post with it, and publishes `moderation.decided`, with
`post.moderated` for the post's author and `report.resolved` for each reporter.
"""

from __future__ import annotations

from typing import Any

from eckospace import timestamps
from eckospace.allowances import DailyAllowance, Quantity
from eckospace.errors import Conflict, NotFound
from eckospace.events import DomainEvent, publish, publish_all, stable_event_id
from eckospace.posts import settings, store
from eckospace.posts.discovery import REPORT_PK, REPORT_POSITION, REPORT_SK, query_page
from eckospace.posts.service import change_operations, load, not_found
from eckospace.posts.store import HIDDEN, VISIBLE, Cancelled

REASONS = ("spam", "harassment", "hate", "violence", "sexual", "misinformation", "other")
ACTIONS = ("hide", "restore", "remove")
OPEN, RESOLVED = "open", "resolved"
DAILY_REPORTS = DailyAllowance("reports", (Quantity("reports", "used", "daily_limit", settings.DAILY_REPORTS),))


def _report_view(report: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": report["id"],
        "object": "report",
        "post_id": report["post_id"],
        "reporter": report["reporter"],
        "reason": report["reason"],
        "note": report.get("note"),
        "status": report["status"],
        "created_at": timestamps.from_ms(report["created_ms"]),
        "decision": report.get("decision"),
    }


def report_post(post_id: str, reporter: str, *, reason: str, note: str | None) -> dict[str, Any]:
    """File a report, kept for good (decided reports stay as the post's moderation history). One
    transaction: the report, the marker that allows one open report per person and post, and the
    reporter's daily allowance."""
    if not store.visible_to(load(post_id), reporter):
        raise not_found(post_id)
    ms = store.now_ms()
    report_id = store.new_id("rpt", ms)
    report = {
        "pk": f"report#{report_id}",
        "sk": "report",
        "type": "report",
        "id": report_id,
        "post_id": post_id,
        "reporter": reporter,
        "reason": reason,
        "note": note or None,
        "status": OPEN,
        "created_ms": ms,
        "gsi2pk": "reports#open",
        "gsi2sk": store.sort_key(ms, report_id),
        "gsi1pk": f"post-reports#{post_id}",
        "gsi1sk": store.sort_key(ms, report_id),
    }
    table, now = store.table(), ms / 1000
    try:
        store.transact(
            [
                (
                    "marker",
                    {
                        "Put": {
                            "TableName": table,
                            "ConditionExpression": "attribute_not_exists(pk)",
                            "Item": {**store.open_report_marker(post_id, reporter), "report_id": {"S": report_id}},
                        }
                    },
                ),
                ("report", {"Put": {"TableName": table, "Item": store.to_item(report)}}),
                (
                    "allowance",
                    DAILY_REPORTS.transaction_item(table, store.allowance_key(DAILY_REPORTS, reporter, now), now),
                ),
            ]
        )
    except Cancelled as cancelled:
        if cancelled.failed == "marker":
            raise Conflict("You already have an open report on this post; moderators will decide on it.") from None
        if cancelled.failed == "allowance":
            raise DAILY_REPORTS.exhausted(now) from None
        raise Conflict("The report could not be filed; retry.", retry_after=1) from None
    publish(
        DomainEvent("post.reported", {"report_id": report_id, "post_id": post_id, "reason": reason}, subject=post_id)
    )
    return _report_view(report)


def open_reports(*, limit: int, cursor: str | None) -> dict[str, Any]:
    items, next_cursor = query_page(
        {
            "IndexName": store.BY_AUTHOR,
            "KeyConditionExpression": "gsi2pk = :p",
            "ExpressionAttributeValues": {":p": {"S": "reports#open"}},
            "ScanIndexForward": True,
        },
        listing="moderation-reports",
        scope="open",
        cursor=cursor,
        limit=limit,
        fixed={"gsi2pk": "reports#open"},
        strings={"pk": REPORT_PK, "sk": REPORT_SK, "gsi2sk": REPORT_POSITION},
    )
    return {"data": [_report_view(store.from_item(item)) for item in items], "next_cursor": next_cursor}


def _apply(post_id: str, action: str) -> tuple[str, int | None]:
    """(the post's author, the version the decision changed, or None when it changed nothing)."""
    for _ in range(3):
        post = load(post_id)
        if post is None:
            raise NotFound(f"No post {post_id}.")
        if action == "remove":
            operations = change_operations(post, None)
        else:
            wanted = HIDDEN if action == "hide" else VISIBLE
            if post["moderation"] == wanted:
                return post["author"], None
            operations = change_operations(post, post | {"moderation": wanted, "version": post["version"] + 1})
        try:
            store.transact(operations)
            return post["author"], post["version"]
        except Cancelled as cancelled:
            if cancelled.failed != "post" and not cancelled.conflicted:
                raise
    raise Conflict("The post kept changing; retry the decision.", retry_after=1)


def _resolve_reports(post_id: str, action: str, reason: str, moderator: str, ms: int) -> list[dict[str, str]]:
    """The reports this decision resolved: each one's id and reporter."""
    from eckospace import aws

    client = aws.client("dynamodb")
    resolved: list[dict[str, str]] = []
    start = None
    while True:
        request: dict[str, Any] = {
            "TableName": store.table(),
            "IndexName": store.LISTINGS,
            "KeyConditionExpression": "gsi1pk = :p",
            "FilterExpression": "#status = :open",
            "ExpressionAttributeNames": {"#status": "status"},
            "ExpressionAttributeValues": {":p": {"S": f"post-reports#{post_id}"}, ":open": {"S": OPEN}},
        }
        if start:
            request["ExclusiveStartKey"] = start
        page = client.query(**request)
        for item in page.get("Items", []):
            try:  # the report is resolved and its reporter may report the post again
                store.transact(
                    [
                        (
                            "report",
                            {
                                "Update": {
                                    "TableName": store.table(),
                                    "Key": {"pk": item["pk"], "sk": item["sk"]},
                                    "UpdateExpression": (
                                        "SET #status = :resolved, decision = :decision REMOVE gsi2pk, gsi2sk"
                                    ),
                                    "ConditionExpression": "#status = :open",
                                    "ExpressionAttributeNames": {"#status": "status"},
                                    "ExpressionAttributeValues": {
                                        ":resolved": {"S": RESOLVED},
                                        ":open": {"S": OPEN},
                                        ":decision": store.attribute(
                                            {
                                                "action": action,
                                                "reason": reason,
                                                "by": moderator,
                                                "decided_at": timestamps.from_ms(ms),
                                            }
                                        ),
                                    },
                                }
                            },
                        ),
                        (
                            "marker",
                            {
                                "Delete": {
                                    "TableName": store.table(),
                                    "Key": store.open_report_marker(post_id, item["reporter"]["S"]),
                                }
                            },
                        ),
                    ]
                )
                resolved.append({"report_id": item["id"]["S"], "reporter": item["reporter"]["S"]})
            except Cancelled as cancelled:
                if cancelled.failed != "report":  # already resolved by a concurrent decision: fine
                    raise
        start = page.get("LastEvaluatedKey")
        if not start:
            return resolved


def decide(post_id: str, moderator: str, *, action: str, reason: str) -> dict[str, Any]:
    if not store.POST_ID.match(post_id):
        raise NotFound(f"No post {post_id}.")
    author, changed = _apply(post_id, action)
    ms = store.now_ms()
    resolved = _resolve_reports(post_id, action, reason, moderator, ms)
    count = len(resolved)
    decision = {
        "object": "moderation_decision",
        "post_id": post_id,
        "action": action,
        "reason": reason,
        "report_count": count,
        "decided_at": timestamps.from_ms(ms),
    }
    # A decision that changed the post tells its author (once per version it changed), and each
    # report it resolved tells its reporter (once per report): ids from those causes, so a retry
    # publishing them again is deduplicated by their consumers.
    facts = [
        DomainEvent(
            "moderation.decided",
            {"post_id": post_id, "action": action, "reason": reason, "report_count": count},
            subject=post_id,
        )
    ]
    if changed is not None:
        facts.append(
            DomainEvent(
                "post.moderated",
                {"post_id": post_id, "author": author, "action": action, "reason": reason},
                subject=post_id,
                id=stable_event_id(f"post.moderated:{post_id}:{changed}"),
            )
        )
    facts += [
        DomainEvent(
            "report.resolved",
            {"post_id": post_id, "action": action, **report},
            subject=report["report_id"],
            id=stable_event_id(f"report.resolved:{report['report_id']}"),
        )
        for report in resolved
    ]
    publish_all(facts)
    return decision
