"""The posts table (`ECKO_POSTS_TABLE`): its items, keys and indexes, and the item codec.

Items (pk / sk):
- `post#<id>` / `post`: a post. Always on `ByAuthor` (`gsi2pk=author#<user>`, `gsi2sk=<created_ms>#<id>`);
  while published and visible also on `Listings` (`gsi1pk=feed`, `gsi1sk=<published_ms>#<id>`) and
  `Trending` (`trend_pk=trending`, `trend_score`).
- `tag#<tag>` / `<published_ms>#<id>`: a copy of a public post's view under each of its hashtags,
  written and removed in the transaction that changes the post.
- `counter#<post>#<n>` / `counter`, n in 0..7: reaction count shards, separate partition keys so a
  popular post's writes spread over partitions; `open` only while the post is published and visible.
  A shard a reaction touched carries `touched_pk=touched#<n>`, `touched_sk=<post>` (sparse `Touched`
  index) until the trending refresher has folded it into the post.
- `reaction#<post>#<user>` / `reaction`: one user's reaction to a post.
- `bookmark#<user>#<post>` / `bookmark`: on `Listings` as `bookmarks#<user>`.
- `report#<post>#<reporter>` / `report`: while open, on `ByAuthor` as `reports#open` (the moderation
  queue) and on `Listings` as `post-reports#<post>`.

Mention notifications go to the notifications table, shaped as every notification
(`eckospace.notifications.store`).
"""

from __future__ import annotations

import re
import secrets
from typing import Any

from eckospace import items, timestamps

# Time-ordered ids and their sort keys, shared with every context, re-exported for the posts modules.
from eckospace.ids import new_id as new_id
from eckospace.ids import now_ms as now_ms
from eckospace.ids import sort_key as sort_key

# The posts modules' item codec, re-exported.
from eckospace.items import attribute as attribute
from eckospace.items import from_item as from_item
from eckospace.items import to_item as to_item
from eckospace.items import value as value
from eckospace.posts import settings

# Transactions, shared with every context, re-exported for the posts modules.
from eckospace.transactions import Cancelled as Cancelled
from eckospace.transactions import transact as transact

SHARDS = 8
REACTION_TYPES = ("like", "love", "laugh", "wow", "sad", "celebrate")
PUBLISHED, DRAFT = "published", "draft"
VISIBLE, HIDDEN = "visible", "hidden"

LISTINGS, BY_AUTHOR, TRENDING, TOUCHED = "Listings", "ByAuthor", "Trending", "Touched"

POST_ID = re.compile(r"^pst_[0-9a-z]{26}$")


def table() -> str:
    return settings.TABLE()


def random_shard() -> int:
    return secrets.randbelow(SHARDS)


# ------------------------------------------------------------------------------------ keys
def post_key(post_id: str) -> dict[str, Any]:
    return {"pk": {"S": f"post#{post_id}"}, "sk": {"S": "post"}}


def shard_key(post_id: str, shard: int) -> dict[str, Any]:
    return {"pk": {"S": f"counter#{post_id}#{shard}"}, "sk": {"S": "counter"}}


def tag_key(tag: str, published_ms: int, post_id: str) -> dict[str, Any]:
    return {"pk": {"S": f"tag#{tag}"}, "sk": {"S": f"{published_ms:013d}#{post_id}"}}


def reaction_key(post_id: str, user: str) -> dict[str, Any]:
    return {"pk": {"S": f"reaction#{post_id}#{user}"}, "sk": {"S": "reaction"}}


def bookmark_key(user: str, post_id: str) -> dict[str, Any]:
    return {"pk": {"S": f"bookmark#{user}#{post_id}"}, "sk": {"S": "bookmark"}}


def report_key(report_id: str) -> dict[str, Any]:
    return {"pk": {"S": f"report#{report_id}"}, "sk": {"S": "report"}}


def open_report_marker(post_id: str, reporter: str) -> dict[str, Any]:
    """Held while `reporter` has an open report on the post: one open report per person and post."""
    return {"pk": {"S": f"report-open#{post_id}#{reporter}"}, "sk": {"S": "marker"}}


def allowance_key(allowance: Any, person: str, now: float) -> dict[str, Any]:
    return {"pk": {"S": allowance.key_value(person, now)}, "sk": {"S": "allowance"}}


# ------------------------------------------------------------------------------------ posts
def is_public(post: dict[str, Any] | None) -> bool:
    if not post:
        return False
    return bool(post["status"] == PUBLISHED and post["moderation"] == VISIBLE)


def visible_to(post: dict[str, Any] | None, viewer: str) -> bool:
    if not post:
        return False
    return bool(post["author"] == viewer or is_public(post))


def counts_from_shards(shards: list[dict[str, Any]]) -> dict[str, int]:
    counts = dict.fromkeys(REACTION_TYPES, 0)
    for shard in shards:
        for kind in REACTION_TYPES:
            counts[kind] += int(shard.get(f"r_{kind}", {"N": "0"})["N"])
    return counts


def view(post: dict[str, Any], counts: dict[str, int] | None = None) -> dict[str, Any]:
    """What callers see of a post, attachments with where to fetch them (no backend call). `counts`:
    exact counts (one post read with its shards); listings show the counts the trending refresher
    last folded in (at most a minute or so behind)."""
    from eckospace.media.attachments import attachment_view

    reactions = dict.fromkeys(REACTION_TYPES, 0) | (counts if counts is not None else post.get("reactions") or {})
    return {
        "id": post["id"],
        "object": "post",
        "author": post["author"],
        "text": post["text"],
        "status": post["status"],
        "moderation": post["moderation"],
        "hashtags": post.get("hashtags", []),
        "mentions": post.get("mentions", []),
        "attachments": [attachment_view(summary, public=is_public(post)) for summary in post.get("attachments", [])],
        "reactions": reactions,
        "reaction_count": sum(reactions.values()),
        "created_at": timestamps.from_ms(post["created_ms"]),
        "updated_at": timestamps.from_ms(post["updated_ms"]),
        "published_at": timestamps.from_ms(post.get("published_ms")),
        "version": post["version"],
    }


def hot_score(total_reactions: int, published_ms: int) -> float:
    """Reddit's "hot" ranking: log10 of the reactions plus the publication time in units of 45000 s
    (12.5 h). An hour-old post needs ten times the reactions of a post published 12.5 hours later to
    rank level with it. Scores never change with the clock, only with reactions, so they can be
    indexed: newer posts simply start higher."""
    import math

    return round(math.log10(max(total_reactions, 1)) + (published_ms / 1000) / 45000, 7)


def index_attributes(post: dict[str, Any]) -> dict[str, Any]:
    """The index attributes a post carries in its current state (absent ones are removed)."""
    found: dict[str, Any] = {
        "gsi2pk": f"author#{post['author']}",
        "gsi2sk": sort_key(post["created_ms"], post["id"]),
        "gsi1pk": None,
        "gsi1sk": None,
        "trend_pk": None,
    }
    if is_public(post):
        total = sum((post.get("reactions") or {}).values())
        found |= {
            "gsi1pk": "feed",
            "gsi1sk": sort_key(post["published_ms"], post["id"]),
            "trend_pk": "trending",
            "trend_score": hot_score(total, post["published_ms"]),
        }
    return found


# ------------------------------------------------------------------------------------ writes
def update_operation(key: dict[str, Any], old: dict[str, Any], new: dict[str, Any], **options: Any) -> dict[str, Any]:
    """An Update of a posts table item (`eckospace.items.update_operation` takes the same `options`)."""
    return items.update_operation(table(), key, old, new, **options)
