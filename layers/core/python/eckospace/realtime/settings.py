"""The realtime context's settings (see `eckospace.config`)."""

from __future__ import annotations

from eckospace.config import Setting, text

TABLE = Setting("ECKO_REALTIME_TABLE", text)  # connections, subscriptions, presence members
APP_ID = Setting("ECKO_REALTIME_APP_ID", text)  # public: server libraries publish to /apps/{app_id}
APP_KEY = Setting("ECKO_REALTIME_APP_KEY", text)  # public: clients connect to /app/{key}
APP_SECRETS = Setting("ECKO_REALTIME_APP_SECRETS", text)  # the Secrets Manager key ring that signs
API_ENDPOINT = Setting("ECKO_REALTIME_API_ENDPOINT", text)  # wss://{api}.execute-api.{region}.amazonaws.com
STAGE = Setting("ECKO_REALTIME_STAGE", text)
WELCOME_FUNCTION = Setting("ECKO_REALTIME_WELCOME_FUNCTION", text)
ACTIVITY_TIMEOUT = Setting("ECKO_REALTIME_ACTIVITY_TIMEOUT", int)  # seconds of silence before a client pings
CONNECTIONS_PER_USER = Setting("ECKO_REALTIME_CONNECTIONS_PER_USER", int)
CHANNELS_PER_CONNECTION = Setting("ECKO_REALTIME_CHANNELS_PER_CONNECTION", int)
CLIENT_EVENTS_PER_SECOND = Setting("ECKO_REALTIME_CLIENT_EVENTS_PER_SECOND", int)
PRESENCE_MEMBERS = Setting("ECKO_REALTIME_PRESENCE_MEMBERS", int)
