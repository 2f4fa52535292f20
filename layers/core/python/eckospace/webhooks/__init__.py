"""Outgoing webhooks: integrations register HTTPS endpoints for catalogued events; deliveries are
signed (Standard Webhooks), sent through SQS with retries, and never reach private networks."""
