"""The SSRF-safe sender: one POST to a checked address, never a redirect followed.

The host is resolved once, here; every address is checked (`targets.resolve`); the connection goes
to the first checked address itself, so no second lookup can rebind the name to another address.
TLS still verifies the certificate against the URL's host name (`server_hostname` and
`assert_hostname`), and the `Host` header names it. At most a short snippet of the answer is read.
"""

from __future__ import annotations

import socket
import time
from dataclasses import dataclass
from typing import Any

from eckospace.webhooks.targets import Policy, Resolver, TargetRefused, parse, resolve

TIMEOUT_SECONDS = 15.0
SNIPPET_BYTES = 256
USER_AGENT = "EckoSpace-Webhooks/1.0"


@dataclass(frozen=True)
class Outcome:
    status: int | None  # the HTTP status, or None when no answer came
    latency_ms: int
    snippet: str = ""
    retry_after: str | None = None
    error: str | None = None  # "timeout", "connection", "refused: ..." when no answer came
    blocked: bool = False  # the target was refused before any connection


def _open_pool(scheme: str, address: str, port: int, host: str, timeout: float) -> Any:
    """A connection pool to the checked address, verifying TLS against the URL's host name."""
    import urllib3

    options: dict[str, Any] = {"timeout": urllib3.Timeout(total=timeout), "retries": False, "maxsize": 1}
    if scheme == "https":
        import ssl

        return urllib3.HTTPSConnectionPool(
            address,
            port,
            server_hostname=host,
            assert_hostname=host,
            cert_reqs="CERT_REQUIRED",
            ssl_minimum_version=ssl.TLSVersion.TLSv1_2,
            **options,
        )
    return urllib3.HTTPConnectionPool(address, port, **options)


def post(
    url: str,
    body: bytes,
    headers: dict[str, str],
    *,
    policy: Policy,
    resolver: Resolver = socket.getaddrinfo,
    timeout: float = TIMEOUT_SECONDS,
) -> Outcome:
    started = time.monotonic()

    def elapsed() -> int:
        return int((time.monotonic() - started) * 1000)

    try:
        target = parse(url, policy)
        addresses = resolve(target, policy, resolver)
    except TargetRefused as refused:
        return Outcome(status=None, latency_ms=elapsed(), error=f"refused: {refused}", blocked=True)
    import urllib3

    host_header = target.host if ":" not in target.host else f"[{target.host}]"
    default_port = 443 if target.scheme == "https" else 80
    if target.port != default_port:
        host_header += f":{target.port}"
    sent = {**headers, "Host": host_header, "User-Agent": USER_AGENT, "Content-Type": "application/json"}
    pool = _open_pool(target.scheme, str(addresses[0]), target.port, target.host, timeout)
    try:
        response = pool.urlopen(
            "POST",
            target.path,
            body=body,
            headers=sent,
            redirect=False,
            retries=False,
            preload_content=False,
            assert_same_host=False,
        )
        try:
            snippet = response.read(SNIPPET_BYTES, decode_content=False) or b""
        except urllib3.exceptions.HTTPError:
            snippet = b""
        finally:
            response.release_conn()
        return Outcome(
            status=response.status,
            latency_ms=elapsed(),
            snippet=snippet.decode("utf-8", errors="replace")[:SNIPPET_BYTES],
            retry_after=response.headers.get("Retry-After"),
        )
    except urllib3.exceptions.NewConnectionError as exc:  # refused or unreachable (a subclass of timeouts)
        return Outcome(status=None, latency_ms=elapsed(), error=f"connection: {type(exc.__cause__ or exc).__name__}")
    except (urllib3.exceptions.TimeoutError, TimeoutError):
        return Outcome(status=None, latency_ms=elapsed(), error="timeout")
    except urllib3.exceptions.SSLError as exc:
        return Outcome(status=None, latency_ms=elapsed(), error=f"tls: {type(exc).__name__}")
    except (urllib3.exceptions.HTTPError, OSError) as exc:
        return Outcome(status=None, latency_ms=elapsed(), error=f"connection: {type(exc).__name__}")
    finally:
        pool.close()
