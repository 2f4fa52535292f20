"""Notifications: what happened that concerns a user (mentions, reactions to their posts,
moderation, wallet movements), read and marked read through the API, pushed over realtime."""
