"""The identity context's settings (see `eckospace.config`)."""

from __future__ import annotations

from eckospace.config import Setting, text

TOKEN_ISSUER = Setting("ECKO_TOKEN_ISSUER", text)  # the `iss` of the access tokens the platform mints
TOKEN_AUDIENCE = Setting("ECKO_TOKEN_AUDIENCE", text)
ACCESS_TOKEN_SECONDS = Setting("ECKO_ACCESS_TOKEN_SECONDS", int)
SESSION_MAX_DAYS = Setting("ECKO_SESSION_MAX_DAYS", int)  # a session's absolute lifetime from sign-in
SIGNING_KEYS_SECRET = Setting("ECKO_SIGNING_KEYS_SECRET", text)  # a Secrets Manager secret
JWKS_PARAMETER = Setting("ECKO_JWKS_PARAMETER", text)  # an SSM parameter
INTEGRATIONS_TABLE = Setting("ECKO_INTEGRATIONS_TABLE", text)
REVOKED_TOKENS_TABLE = Setting("ECKO_REVOKED_TOKENS_TABLE", text)
SESSIONS_TABLE = Setting("ECKO_SESSIONS_TABLE", text)
USERS_TABLE = Setting("ECKO_USERS_TABLE", text)
SIGN_IN_STATES_TABLE = Setting("ECKO_SIGN_IN_STATES_TABLE", text)
SIGN_IN_REDIRECT_URI = Setting("ECKO_SIGN_IN_REDIRECT_URI", text)
SIGN_IN_COMPLETE_URL = Setting("ECKO_SIGN_IN_COMPLETE_URL", text)  # the front end page given the sign-in code
GOOGLE_DISCOVERY_URL = Setting("ECKO_GOOGLE_DISCOVERY_URL", text)
GOOGLE_CLIENT_ID = Setting("ECKO_GOOGLE_CLIENT_ID", text)
GOOGLE_CLIENT_SECRET = Setting("ECKO_GOOGLE_CLIENT_SECRET", text)  # a Secrets Manager secret
