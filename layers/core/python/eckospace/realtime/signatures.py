"""The app's HMAC-SHA256 signatures, as Pusher defines them.

- Channel authorizations (`POST /broadcasting/auth` signs, `pusher:subscribe` verifies):
  `key:hex(HMAC(secret, "socket_id:channel"))`, with `:channel_data` appended for presence.
- Events API requests (server libraries sign, the API verifies): the query carries `auth_key`,
  `auth_timestamp` (within 600 s), `auth_version` `1.0`, `body_md5` and `auth_signature`, the HMAC
  of `"METHOD\\npath\\n"` followed by every other query parameter as `k=v`, sorted and `&`-joined.

The secrets are a key ring (`eckospace.keyrings`): the active one signs, every one listed
verifies, so a rotation drops neither a connected client nor a server that has not yet learned
the new secret.
"""

from __future__ import annotations

import hashlib
import hmac
import time
from collections.abc import Mapping

from eckospace.errors import NotAuthenticated
from eckospace.keyrings import KeyRing, current_ring
from eckospace.realtime import settings

TIMESTAMP_WINDOW_SECONDS = 600


class AppSecrets(KeyRing):
    """The app secrets (`infra/scripts/key_rings.py rotate realtime-app-secrets`)."""

    kid_prefix = "s"


class SignatureRejected(NotAuthenticated):
    slug = "invalid-signature"
    title = "Invalid signature"


def app_secrets() -> AppSecrets:
    return current_ring(AppSecrets, settings.APP_SECRETS())


def _hmac(secret: str, message: str) -> str:
    return hmac.new(secret.encode(), message.encode(), hashlib.sha256).hexdigest()


def _channel_message(socket_id: str, channel: str, channel_data: str | None) -> str:
    return f"{socket_id}:{channel}" if channel_data is None else f"{socket_id}:{channel}:{channel_data}"


def channel_auth(socket_id: str, channel: str, channel_data: str | None = None) -> str:
    """The `auth` a client subscribes with: the app key and the active secret's signature."""
    return f"{settings.APP_KEY()}:{_hmac(app_secrets().signing, _channel_message(socket_id, channel, channel_data))}"


def channel_auth_valid(auth: str, socket_id: str, channel: str, channel_data: str | None = None) -> bool:
    key, _, signature = auth.partition(":")
    if not hmac.compare_digest(key, settings.APP_KEY()):
        return False
    message = _channel_message(socket_id, channel, channel_data)
    return any(hmac.compare_digest(signature, _hmac(secret, message)) for secret in app_secrets().keys.values())


def verify_request(method: str, path: str, query: Mapping[str, str], body: bytes, *, now: float | None = None) -> None:
    """Raise `SignatureRejected` unless an events API request is signed by a holder of an app secret."""
    required = ("auth_key", "auth_timestamp", "auth_version", "auth_signature")
    missing = [name for name in required if not query.get(name)]
    if missing:
        raise SignatureRejected(f"Missing {', '.join(missing)}: sign the request with the app key and secret.")
    if not hmac.compare_digest(query["auth_key"], settings.APP_KEY()):
        raise SignatureRejected("Unknown auth_key.")
    if query["auth_version"] != "1.0":
        raise SignatureRejected("Unsupported auth_version: 1.0 is the only one.")
    try:
        timestamp = int(query["auth_timestamp"])
    except ValueError:
        raise SignatureRejected("auth_timestamp must be epoch seconds.") from None
    if abs((now if now is not None else time.time()) - timestamp) > TIMESTAMP_WINDOW_SECONDS:
        raise SignatureRejected(
            "Timestamp expired: auth_timestamp must be within 600 seconds of the server's time; check your clock."
        )
    # Libraries differ on body_md5 for an empty body (some sign it, some do not): check what was sent.
    if body or "body_md5" in query:
        if not hmac.compare_digest(query.get("body_md5", ""), hashlib.md5(body).hexdigest()):  # noqa: S324
            raise SignatureRejected("body_md5 does not match the body.")
    signed = "&".join(f"{name}={query[name]}" for name in sorted(query) if name != "auth_signature")
    message = f"{method.upper()}\n{path}\n{signed}"
    secrets = app_secrets().keys.values()
    if not any(hmac.compare_digest(query["auth_signature"], _hmac(secret, message)) for secret in secrets):
        raise SignatureRejected("Invalid signature: you should have sent HmacSHA256Hex of the string to sign.")
