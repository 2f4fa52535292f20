"""Reports of posts and the moderators' decisions on them (the reports themselves, the queue and
their resolution are `eckospace.moderation`'s).

A user reports a post they can see. A moderator's decision hides, restores or removes the post
(feed, trending, hashtag entries and the count shards' `open` flag follow in the same transaction),
resolves every open report of the post with it, and publishes `moderation.decided`, with
`post.moderated` for the post's author and `report.resolved` for each reporter.
"""

from __future__ import annotations

from typing import Any

from eckospace.errors import Conflict, NotFound
from eckospace.events import DomainEvent, stable_event_id
from eckospace.moderation import reports
from eckospace.moderation.reports import Subject
from eckospace.posts import store
from eckospace.posts.service import change_operations, load, not_found
from eckospace.posts.store import HIDDEN, VISIBLE, Cancelled


def report_post(post_id: str, reporter: str, *, reason: str, note: str | None) -> dict[str, Any]:
    if not store.visible_to(load(post_id), reporter):
        raise not_found(post_id)
    return reports.file_report(Subject.post(post_id), reporter, reason=reason, note=note)


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


def decide(post_id: str, moderator: str, *, action: str, reason: str) -> dict[str, Any]:
    if not store.POST_ID.match(post_id):
        raise NotFound(f"No post {post_id}.")
    author, changed = _apply(post_id, action)
    # A decision that changed the post tells its author, once per version it changed: the event's id
    # comes from that version, so a retry publishing it again is deduplicated by its consumers.
    facts = []
    if changed is not None:
        facts.append(
            DomainEvent(
                "post.moderated",
                {"post_id": post_id, "author": author, "action": action, "reason": reason},
                subject=post_id,
                id=stable_event_id(f"post.moderated:{post_id}:{changed}"),
            )
        )
    return reports.decide(Subject.post(post_id), moderator, action=action, reason=reason, facts=facts)
