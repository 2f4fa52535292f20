"""The one catalogue of OAuth scopes. Routes may only require scopes listed here."""

from __future__ import annotations

AREAS = {
    "translations": "app translations",
    "posts": "posts, bookmarks, reactions, mentions and reports",
    "media": "media uploads and documents",
    "wallet": "the caller's wallet and ledger",
    "payments": "payments and top-ups",
    "marketplace": "marketplace listings and saved items",
    "jobs": "job posts and applications",
    "chat": "chat conversations and messages",
    "notifications": "notifications",
    "realtime": "realtime channels (authorizations to join private and presence channels)",
    "webhooks": "outgoing webhook subscriptions",
    "analytics": "analytics events and reports on the caller's own posts, listings, jobs and profile",
    "platform_analytics": "platform-wide analytics reports (operators)",
    "ads": "ad campaigns",
    "moderation": "moderation queues and decisions",
    "review": "the marketplace and jobs review queues and decisions",
    "admin": "platform administration",
}

SCOPES: dict[str, str] = {
    f"{area}:{access}": f"{'Read' if access == 'read' else 'Create and change'} {what}"
    for area, what in AREAS.items()
    for access in ("read", "write")
}


def unknown_scopes(scopes: list[str] | tuple[str, ...] | set[str]) -> list[str]:
    return sorted(scope for scope in scopes if scope not in SCOPES)


# What a signed-in person's session may do: everything a member does, but neither moderation, nor
# review, nor administration, nor platform-wide figures (those come with roles).
USER_SCOPES: frozenset[str] = frozenset(
    scope for scope in SCOPES if scope.split(":")[0] not in {"moderation", "review", "admin", "platform_analytics"}
)
