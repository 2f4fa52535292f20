"""Chat: direct and group conversations, their messages, read state, inboxes and blocks."""
