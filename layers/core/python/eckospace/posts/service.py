"""Posts: create, read, edit and delete, with their hashtag entries, count shards and mention
notifications changed in the same transaction as the post.

Visibility: a draft, or a post a moderator hid, is its author's alone; to anyone else it does not
exist (404). Only the author edits or deletes a post: another user's visible post answers 403.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from eckospace.allowances import DailyAllowance, Quantity
from eckospace.errors import Conflict, DomainError, NotFound, NotPermitted, Unprocessable, VersionMismatch
from eckospace.posts import settings, store, text
from eckospace.posts.store import DRAFT, PUBLISHED, SHARDS, VISIBLE
from eckospace.preconditions import changed_meanwhile, if_match_hits

MAX_ATTACHMENTS = 10
# Drafts count too: what is limited is writing, published or not.
DAILY_POSTS = DailyAllowance("posts", (Quantity("posts", "used", "daily_limit", settings.DAILY_POSTS),))
POST_FIELDS = (
    "id",
    "author",
    "text",
    "status",
    "moderation",
    "hashtags",
    "mentions",
    "attachments",
    "created_ms",
    "updated_ms",
    "published_ms",
    "version",
    "reactions",
    "notified",
)


def etag(post: dict[str, Any]) -> str:
    """`"v<version>.<digest>"`: a representation's strong tag (If-None-Match on reads), whose version
    part is what If-Match compares (reactions are not edits: they never fail an If-Match). The digest
    covers the counts and, on reads, the reader's own reaction and bookmark."""
    counts = ",".join(f"{kind}={count}" for kind, count in sorted((post.get("reactions") or {}).items()) if count)
    state = f"{counts};{json.dumps(post.get('viewer'), sort_keys=True)}"
    return f'"v{post["version"]}.{hashlib.sha256(state.encode()).hexdigest()[:10]}"'


def not_found(post_id: str) -> NotFound:
    return NotFound(f"No post {post_id} that you can see.")


# ------------------------------------------------------------------------------------ reads
def load(post_id: str) -> dict[str, Any] | None:
    """The post as it is now (a consistent read: a post just published, or just hidden, is seen so)."""
    if not store.POST_ID.match(post_id):
        return None
    from eckospace import aws

    item = (
        aws.client("dynamodb")
        .get_item(TableName=store.table(), Key=store.post_key(post_id), ConsistentRead=True)
        .get("Item")
    )
    return store.from_item(item) if item else None


def read_post(post_id: str, viewer: str) -> dict[str, Any]:
    """The post with exact reaction counts and the reader's own reaction and bookmark: one
    BatchGetItem of the post, its count shards, the reader's reaction and bookmark."""
    if not store.POST_ID.match(post_id):
        raise not_found(post_id)
    from eckospace import aws

    keys = [
        store.post_key(post_id),
        *(store.shard_key(post_id, n) for n in range(SHARDS)),
        store.reaction_key(post_id, viewer),
        store.bookmark_key(viewer, post_id),
    ]
    items = aws.batch_get({store.table(): {"Keys": keys, "ConsistentRead": True}})[store.table()]
    by_kind: dict[str, list[dict[str, Any]]] = {}
    for item in items:
        by_kind.setdefault(item["sk"]["S"], []).append(item)
    post = store.from_item(by_kind["post"][0]) if "post" in by_kind else None
    if not store.visible_to(post, viewer):
        raise not_found(post_id)
    assert post is not None
    reaction = by_kind.get("reaction", [{}])[0].get("kind", {}).get("S")
    return store.view(post, store.counts_from_shards(by_kind.get("counter", []))) | {
        "viewer": {"reaction": reaction, "bookmarked": "bookmark" in by_kind}
    }


# ------------------------------------------------------------------------------------ writes
def _text_problem(problem: text.TextProblem) -> Unprocessable:
    return Unprocessable(f"text {problem}", errors=[{"in": "body", "name": "text", "detail": str(problem)}])


def _parse_text(raw: str, author: str) -> tuple[str, list[str], list[str]]:
    try:
        normalized = text.normalize_text(raw)
        return normalized, text.hashtags(normalized), text.mentions(normalized, author=author)
    except text.TextProblem as problem:
        raise _text_problem(problem) from None


def _attachments(author: str, media_ids: list[str], kept: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """What the post keeps of each media it attaches: those it had as they are, the others from one
    read; another user's media is refused exactly as a missing one is (422): nothing leaks."""
    from eckospace.media.attachments import checked_summaries

    return checked_summaries(author, media_ids, most=MAX_ATTACHMENTS, holder="post", kept=kept)


def _attached_ids(post: dict[str, Any] | None) -> list[str]:
    return [attachment["id"] for attachment in (post or {}).get("attachments", [])]


def _media_operations(old: dict[str, Any] | None, new: dict[str, Any] | None) -> list[tuple[str, dict[str, Any]]]:
    """The attached media's side of the change: newly attached ones checked to be the author's and
    ready, and each made readable through the post while, and only while, the post is public."""
    before, after = _attached_ids(old), _attached_ids(new)
    if not before and not after:
        return []
    from eckospace.media.attachments import attach_operations

    post = new or old
    assert post is not None
    return attach_operations(
        f"post:{post['id']}",
        owner=post["author"],
        before=before,
        after=after,
        public_before=store.is_public(old),
        public_after=store.is_public(new),
    )


def _record(post: dict[str, Any]) -> dict[str, Any]:
    return {name: post.get(name) for name in POST_FIELDS}


def _post_item(post: dict[str, Any]) -> dict[str, Any]:
    return {"pk": f"post#{post['id']}", "sk": "post", "type": "post", **_record(post), **store.index_attributes(post)}


def _tag_entries(post: dict[str, Any] | None) -> dict[tuple[str, str], str]:
    if not store.is_public(post):
        return {}
    assert post is not None
    entries = {}
    for tag in post.get("hashtags", []):
        key = store.tag_key(tag, post["published_ms"], post["id"])
        entries[(key["pk"]["S"], key["sk"]["S"])] = tag
    return entries


def change_operations(old: dict[str, Any] | None, new: dict[str, Any] | None) -> list[tuple[str, dict[str, Any]]]:
    """The writes that take a post from `old` to `new` (None: absent) in one transaction: the post
    (conditional on the version read), its hashtag entries, its shards' `open` flag, and the mention
    notifications it now owes."""
    table = store.table()
    post_id = (new or old or {})["id"]
    operations: list[tuple[str, dict[str, Any]]] = []
    notifications = _notification_operations(new) if new is not None else []  # updates new["notified"]
    if old is None and new is not None:
        operations.append(
            (
                "post",
                {
                    "Put": {
                        "TableName": table,
                        "Item": store.to_item(_post_item(new)),
                        "ConditionExpression": "attribute_not_exists(pk)",
                    }
                },
            )
        )
        operations += [
            (
                f"shard:{n}",
                {
                    "Put": {
                        "TableName": table,
                        "Item": {
                            **store.shard_key(post_id, n),
                            "post_id": {"S": post_id},
                            "open": {"BOOL": store.is_public(new)},
                        },
                        "ConditionExpression": "attribute_not_exists(pk)",
                    }
                },
            )
            for n in range(SHARDS)
        ]
    elif old is not None and new is None:
        operations.append(
            (
                "post",
                {
                    "Delete": {
                        "TableName": table,
                        "Key": store.post_key(post_id),
                        "ConditionExpression": "#v = :v",
                        "ExpressionAttributeNames": {"#v": "version"},
                        "ExpressionAttributeValues": {":v": {"N": str(old["version"])}},
                    }
                },
            )
        )
        operations += [
            (f"shard:{n}", {"Delete": {"TableName": table, "Key": store.shard_key(post_id, n)}}) for n in range(SHARDS)
        ]
    elif old is not None and new is not None:
        operations.append(
            (
                "post",
                store.update_operation(
                    store.post_key(post_id),
                    _post_item(old),
                    _post_item(new),
                    condition="#v = :v",
                    names={"#v": "version"},
                    values={":v": {"N": str(old["version"])}},
                    skip=("reactions",),
                ),
            )
        )
        if store.is_public(old) != store.is_public(new):
            operations += [
                (
                    f"shard:{n}",
                    {
                        "Update": {
                            "TableName": table,
                            "Key": store.shard_key(post_id, n),
                            "UpdateExpression": "SET #open = :open",
                            "ConditionExpression": "attribute_exists(pk)",
                            "ExpressionAttributeNames": {"#open": "open"},
                            "ExpressionAttributeValues": {":open": {"BOOL": store.is_public(new)}},
                        }
                    },
                )
                for n in range(SHARDS)
            ]
    old_entries, new_entries = _tag_entries(old), _tag_entries(new)
    for pk, sk in old_entries.keys() - new_entries.keys():
        operations.append((f"tag:{pk}", {"Delete": {"TableName": table, "Key": {"pk": {"S": pk}, "sk": {"S": sk}}}}))
    for pk, sk in new_entries:
        assert new is not None
        operations.append(
            (
                f"tag:{pk}",
                {
                    "Put": {
                        "TableName": table,
                        "Item": {
                            "pk": {"S": pk},
                            "sk": {"S": sk},
                            "type": {"S": "tag"},
                            "post_id": {"S": post_id},
                            "post": store.attribute(
                                {k: v for k, v in _record(new).items() if v is not None and k != "notified"}
                            ),
                        },
                    }
                },
            )
        )
    return operations + _media_operations(old, new) + notifications


def _notification_operations(post: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    """A mention notification for each user the post mentions and has not notified before, once it is
    published, shaped as every notification (`eckospace.notifications.store`), unless the user
    switched mentions off (one BatchGetItem of their preferences); `notified` (written in the same
    transaction) keeps a retry or a later edit from notifying twice. Mutates `post["notified"]`."""
    if post["status"] != PUBLISHED or post["moderation"] != VISIBLE:
        return []
    notified = list(post.get("notified") or [])
    owed = [user for user in post.get("mentions", []) if user not in notified]
    post["notified"] = notified + owed
    if not owed:
        return []
    from eckospace.notifications import store as notifications

    off = notifications.off_for(owed)
    ms = store.now_ms()
    operations = []
    for user in owed:
        if "mention" in off[user]:
            continue
        mention = notifications.record(
            user,
            "mention",
            cause=post["id"],
            at_ms=ms,
            actor=post["author"],
            subject={"object": "post", "id": post["id"]},
            data={},
        )
        operations += notifications.create_operations(mention)
    return operations


def _write(
    operations: list[tuple[str, dict[str, Any]]], *, conflict: DomainError, allowance: DomainError | None = None
) -> None:
    from eckospace.media.attachments import transact_attached

    transact_attached(operations, holder="post", changed=conflict, allowance=allowance)


def create_post(author: str, *, text_value: str, attachments: list[str], status: str) -> dict[str, Any]:
    body, tags, mentioned = _parse_text(text_value, author)
    summaries = _attachments(author, attachments, [])
    ms = store.now_ms()
    post = {
        "id": store.new_id("pst", ms),
        "author": author,
        "text": body,
        "status": status,
        "moderation": VISIBLE,
        "hashtags": tags,
        "mentions": mentioned,
        "attachments": summaries,
        "created_ms": ms,
        "updated_ms": ms,
        "published_ms": ms if status == PUBLISHED else None,
        "version": 1,
        "reactions": {},
        "notified": [],
    }
    now = ms / 1000
    allowance = (
        "allowance",
        DAILY_POSTS.transaction_item(store.table(), store.allowance_key(DAILY_POSTS, author, now), now),
    )
    operations = [allowance, *change_operations(None, post)]
    _write(
        operations,
        conflict=Conflict("The post could not be created; retry.", retry_after=1),
        allowance=DAILY_POSTS.exhausted(now),
    )
    return store.view(post)


def _owned(post_id: str, user: str) -> dict[str, Any]:
    post = load(post_id)
    if not store.visible_to(post, user):
        raise not_found(post_id)
    assert post is not None
    if post["author"] != user:
        raise NotPermitted("Only its author can change or delete a post.")
    return post


def update_post(post_id: str, editor: str, changes: dict[str, Any], *, if_match: str | None = None) -> dict[str, Any]:
    post = _owned(post_id, editor)
    new = dict(post)
    if changes.get("text") is not None:
        new["text"], new["hashtags"], new["mentions"] = _parse_text(changes["text"], editor)
    if changes.get("attachments") is not None:
        new["attachments"] = _attachments(editor, changes["attachments"], post.get("attachments", []))
    # RFC 9110 §13.2.2: a request that fails without its preconditions gets that answer, not a 412
    if if_match and not if_match_hits(if_match, post["version"]):
        raise VersionMismatch(f"The post is at version {post['version']}; If-Match named another.")
    if changes.get("status") is not None:
        new["status"] = changes["status"]
        if new["status"] == PUBLISHED and not new.get("published_ms"):
            new["published_ms"] = store.now_ms()  # kept if it goes back to draft: republishing is not bumping
    if all(new.get(name) == post.get(name) for name in ("text", "attachments", "status")):
        return store.view(post)
    new |= {"updated_ms": store.now_ms(), "version": post["version"] + 1}
    _write(change_operations(post, new), conflict=changed_meanwhile("post", if_match))
    return store.view(new)


def delete_post(post_id: str, user: str) -> None:
    post = _owned(post_id, user)
    _write(
        change_operations(post, None),
        conflict=Conflict("The post changed meanwhile; retry.", retry_after=1),
    )


__all__ = ["DRAFT", "PUBLISHED", "create_post", "delete_post", "read_post", "update_post"]
