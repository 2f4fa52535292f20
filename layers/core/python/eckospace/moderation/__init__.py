"""Moderation: reports of posts and chat messages in one queue, and the decisions that resolve them."""
