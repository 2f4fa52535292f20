"""Realtime in a real browser: the local stack's page (`/_local/realtime`) runs Laravel Echo and
pusher-js in headless Chromium, joins the user's private channel with the token from its URL
fragment, and shows what the official `pusher` library broadcasts; the app secret never reaches it."""

from __future__ import annotations

import json
import uuid
from pathlib import Path
from urllib.parse import urlencode

from tests.support.realtime_clients import BrowserPage
from tests.support.tokens import mint

CHROMIUM = Path("/usr/bin/chromium")


def test_a_private_channel_in_a_browser_hears_a_broadcast_and_never_sees_the_secret(
    stack, realtime, keyring, api_key, server
):
    assert CHROMIUM.exists(), "make test installs Debian's chromium"
    user = f"u{uuid.uuid4().hex[:10]}"
    token = mint(keyring, ["realtime:read"], subject=user)
    fragment = urlencode({"token": token, "api_key": api_key, "event": "wallet.updated"})
    page = BrowserPage(stack.url(f"/_local/realtime#{fragment}"))
    try:
        served = page.wait_for(lambda m: m["type"] == "page", timeout=120)  # the first one installs the bundles
        assert served["status"] == 200, served["source"]
        page.connected()
        subscribed = page.wait_for(lambda m: m["type"] == "subscribed")
        assert subscribed["channel"] == f"private-users.{user}"
        page.wait_for(lambda m: m["type"] == "page_state" and m["state"] == "subscribed")
        data = {"balance": 1200, "currency": "EUR", "note": f"for {user}"}
        assert server.trigger(f"private-users.{user}", "wallet.updated", data) == {}
        heard = page.wait_for(lambda m: m["type"] == "event")
        assert heard == {"type": "event", "channel": f"private-users.{user}", "event": "wallet.updated", "data": data}
        seen = page.drain(0.5)
    finally:
        page.close()
    assert [m for m in seen if m["type"] == "event"] == [heard]
    assert not [m for m in seen if m["type"] in ("pageerror", "console", "error")]
    auth = [m for m in seen if m["type"] == "request" and m["url"] == realtime["auth_endpoint"]]
    assert auth and auth[0]["method"] == "POST"
    assert auth[0]["headers"]["authorization"] == f"Bearer {token}" and auth[0]["headers"]["x-api-key"] == api_key
    secret = realtime["secret"]
    assert secret not in served["source"]
    sent = [m for m in seen if m["type"] in ("request", "websocket", "frame")]
    assert sent and not [m for m in sent if secret in json.dumps(m)]
