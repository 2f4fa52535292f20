"""Settings: environment variables the template gives each function, read with no default in code.

Each bounded context declares its settings once, in `eckospace/<context>/settings.py` (a piece
every context shares, such as the cursor keys, declares its own beside its code): a `Setting`
names the variable and how to read it. Defaults live only in the template, which gives every
function each variable of every settings module its code imports (tests/infra checks it).

A setting is read on first use and kept: a missing one fails the request that needs it (a
deployment fault, so a 5xx and a log line), never the cold start, and a tool that uses one store
needs only that store's variable. Tests that change the environment call `forget_settings()`.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Generic, TypeVar, cast

T = TypeVar("T")


class MissingSetting(RuntimeError):
    """A setting the function needs is not in its environment, or unreadable (a deployment fault)."""


@dataclass(frozen=True)
class Setting(Generic[T]):
    variable: str
    parse: Callable[[str], T]

    def __call__(self) -> T:
        if self not in _read:
            raw = os.environ.get(self.variable)
            if raw is None:
                raise MissingSetting(f"environment variable {self.variable} is not set")
            try:
                _read[self] = self.parse(raw)
            except ValueError as error:
                raise MissingSetting(f"environment variable {self.variable}={raw!r}: {error}") from None
        return cast(T, _read[self])

    def provide(self, value: str) -> None:
        """Set the variable as the template would, for a tool that runs the layer outside Lambda."""
        os.environ[self.variable] = value
        _read.pop(self, None)


_read: dict[Setting[Any], Any] = {}


def forget_settings() -> None:
    """Read every setting from the environment again on next use."""
    _read.clear()


def text(raw: str) -> str:
    if not raw:
        raise ValueError("empty")
    return raw


def flag(raw: str) -> bool:
    if raw.lower() not in ("true", "false"):
        raise ValueError("neither true nor false")
    return raw.lower() == "true"


def items(raw: str) -> tuple[str, ...]:
    """Items separated by commas or spaces; none is an empty tuple."""
    return tuple(raw.replace(",", " ").split())


def numbers(raw: str) -> tuple[int, ...]:
    return tuple(int(item) for item in items(raw))


# Variables Lambda itself sets in its sandbox (never the template): code run elsewhere, by tests
# or tools, has none of them, so these alone are read with a fallback.
def function_name() -> str:
    return os.environ.get("AWS_LAMBDA_FUNCTION_NAME", "unknown")


def runtime_api_port() -> int | None:
    """The loopback port of Lambda's runtime API (`AWS_LAMBDA_RUNTIME_API` is host:port)."""
    port = os.environ.get("AWS_LAMBDA_RUNTIME_API", "").rpartition(":")[2]
    return int(port) if port.isdigit() else None
