"""Real realtime clients for tests: Laravel Echo and pusher-js from npm, run by Node
(`tests/e2e/realtime/client.mjs`), or the local stack's realtime page in headless Chromium
(`tests/e2e/realtime/browser.mjs`); driven by JSON lines, and what they see read back."""

from __future__ import annotations

import json
import queue
import subprocess
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

CLIENTS = Path(__file__).resolve().parents[1] / "e2e" / "realtime"

Seen = dict[str, Any]


class NodeScript:
    """One of the Node scripts in tests/e2e/realtime, in its own process: commands go in as JSON
    lines on stdin, what it sees comes out as JSON lines on stdout; closing stdin ends it."""

    def __init__(self, script: str, *args: str) -> None:
        self.process = subprocess.Popen(
            ["node", str(CLIENTS / script), *args],
            cwd=CLIENTS,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        self.seen: list[Seen] = []
        self._lines: queue.Queue[Seen] = queue.Queue()
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            if line.strip():
                self._lines.put(json.loads(line))

    def send(self, op: str, **fields: Any) -> None:
        assert self.process.stdin is not None
        self.process.stdin.write(json.dumps({"op": op, **fields}) + "\n")
        self.process.stdin.flush()

    def wait_for(self, predicate: Callable[[Seen], bool], timeout: float = 15.0) -> Seen:
        """The first message (seen before or arriving within `timeout`) that `predicate` accepts."""
        for message in self.seen:
            if predicate(message):
                return message
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                message = self._lines.get(timeout=max(0.0, deadline - time.monotonic()))
            except queue.Empty:
                break
            self.seen.append(message)
            if predicate(message):
                return message
        stderr = ""
        if self.process.poll() is not None and self.process.stderr is not None:
            stderr = self.process.stderr.read()
        raise AssertionError(f"not seen within {timeout} s; saw {self.seen}{stderr}")

    def connected(self, timeout: float = 15.0) -> str:
        """Wait for the connection; its socket id."""
        state = self.wait_for(lambda m: m["type"] == "state" and m["current"] == "connected", timeout)
        return str(state["socket_id"])

    def drain(self, seconds: float) -> list[Seen]:
        """What arrives within `seconds` (to show something did not)."""
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            try:
                self.seen.append(self._lines.get(timeout=max(0.0, deadline - time.monotonic())))
            except queue.Empty:
                break
        return self.seen

    def close(self) -> None:
        if self.process.poll() is None:
            assert self.process.stdin is not None
            self.process.stdin.close()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


class EchoClient(NodeScript):
    """Laravel Echo with pusher-js in Node (client.mjs), sent commands such as `listen`."""

    def __init__(self, realtime: dict[str, Any], *, token: str | None = None, api_key: str | None = None) -> None:
        config = {
            "key": realtime["key"],
            "wsHost": realtime["ws_host"],
            "wsPort": realtime["ws_port"],
            "authEndpoint": realtime["auth_endpoint"],
            "bearerToken": token,
            "headers": {"x-api-key": api_key} if api_key else {},
        }
        super().__init__("client.mjs", json.dumps(config))


class BrowserPage(NodeScript):
    """A page opened in headless Chromium (browser.mjs): what it logs, requests and sends."""

    def __init__(self, url: str) -> None:
        super().__init__("browser.mjs", url)
