"""The local stack's realtime page, `/_local/realtime`: Laravel Echo and pusher-js in a browser
(`infra/local/web/realtime.html`), following a user's private channel with the token and API key
given in the URL fragment. The stack fills in its public realtime settings (app key, WebSocket host
and port, auth endpoint), never the app secret, and serves the libraries' browser bundles from
`infra/local/web`, installed with `npm ci` on first use; without npm the page answers 503.
"""

from __future__ import annotations

import asyncio
import functools
import json
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from eckolocal.gateway import HttpAnswer, Request
from eckolocal.npm import NpmError, ensure_installed

WEB_DIR = Path(__file__).resolve().parents[1] / "web"
PAGE_PATH = "/_local/realtime"
# Served path -> the browser bundle in infra/local/web/node_modules.
SCRIPTS = {
    f"{PAGE_PATH}/pusher.min.js": "pusher-js/dist/web/pusher.min.js",
    f"{PAGE_PATH}/echo.iife.js": "laravel-echo/dist/echo.iife.js",
}

Handler = Callable[[Request], Awaitable[HttpAnswer]]


class RealtimePage:
    """The page and its scripts, for the gateway's local routes."""

    def __init__(self, realtime: dict[str, Any]) -> None:
        public = {
            "key": realtime["key"],
            "wsHost": realtime["ws_host"],
            "wsPort": realtime["ws_port"],
            "authEndpoint": realtime["auth_endpoint"],
        }
        self.settings = json.dumps(public).replace("<", "\\u003c")  # safe inside <script>
        self._installing = asyncio.Lock()

    def routes(self) -> dict[str, Handler]:
        routes: dict[str, Handler] = {PAGE_PATH: self.page}
        for path, bundle in SCRIPTS.items():
            routes[path] = functools.partial(self.script, WEB_DIR / "node_modules" / bundle)
        return routes

    async def page(self, request: Request) -> HttpAnswer:
        return await self._answer("text/html", self._html)

    def _html(self) -> bytes:
        """The page, with the stack's public realtime settings in it."""
        return (WEB_DIR / "realtime.html").read_text().replace("{{settings}}", self.settings).encode()

    async def script(self, bundle: Path, request: Request) -> HttpAnswer:
        return await self._answer("text/javascript", bundle.read_bytes)

    async def _answer(self, media_type: str, body: Callable[[], bytes]) -> HttpAnswer:
        """`body()` once the bundles are installed (one `npm ci` at a time); else a 503 saying why."""
        async with self._installing:
            try:
                await asyncio.to_thread(ensure_installed, WEB_DIR, "the realtime page's pusher-js and Laravel Echo")
            except NpmError as error:
                message = f"The realtime page is unavailable: {error}\n"
                return HttpAnswer(503, [("Content-Type", "text/plain; charset=utf-8")], message.encode())
        return HttpAnswer(200, [("Content-Type", f"{media_type}; charset=utf-8")], body())
