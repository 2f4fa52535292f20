"""Realtime: the Pusher Channels protocol (version 7) on an API Gateway WebSocket API."""
