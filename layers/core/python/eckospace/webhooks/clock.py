"""The time and the name resolver webhooks use, replaceable so tests drive them (hours of retry
schedule without sleeping, host names that resolve where a test says)."""

from __future__ import annotations

import socket
import time
from collections.abc import Callable
from typing import Any

_now: Callable[[], float] = time.time
_resolver: Callable[..., Any] = socket.getaddrinfo


def now() -> int:
    return int(_now())


def resolver() -> Callable[..., Any]:
    return _resolver


def use(*, clock: Callable[[], float] | None = None, resolve: Callable[..., Any] | None = None) -> None:
    global _now, _resolver
    if clock is not None:
        _now = clock
    if resolve is not None:
        _resolver = resolve


def reset() -> None:
    global _now, _resolver
    _now, _resolver = time.time, socket.getaddrinfo
