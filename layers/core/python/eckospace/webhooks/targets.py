"""Which URLs an endpoint may have and which addresses a delivery may connect to (SSRF safety).

A target is HTTPS on an allowed port (443 and 8443 by default). Its host is resolved by us and
every address it resolves to must be globally routable: loopback, private, link-local (the cloud
metadata service at 169.254.169.254 among them), unique-local, multicast, reserved, shared (CGNAT)
and unspecified addresses are refused, and addresses that wrap an IPv4 address (IPv4-mapped,
IPv4-compatible, 6to4, NAT64, Teredo) are judged by the address they wrap. A deployment may allow
loopback targets, over plain http and on any port, for local development only; even then the
loopback ports of the local stack's own services (its AWS emulator, its gateway, its Stripe
emulator), which it names in `ECKO_WEBHOOKS_REFUSED_LOOPBACK_PORTS`, and the port of Lambda's own
runtime API in a deployed sandbox, stay refused.
"""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from eckospace import config
from eckospace.webhooks import settings

DEFAULT_PORTS = (443, 8443)
MAX_URL_LENGTH = 2048

Address = ipaddress.IPv4Address | ipaddress.IPv6Address
Resolver = Callable[..., list[tuple[Any, ...]]]

_NAT64 = ipaddress.ip_network("64:ff9b::/96")
_NAT64_LOCAL = ipaddress.ip_network("64:ff9b:1::/48")


class TargetRefused(ValueError):
    """The URL or an address it resolves to is not one we deliver to."""


@dataclass(frozen=True)
class Policy:
    allow_loopback: bool = False
    ports: tuple[int, ...] = DEFAULT_PORTS
    refused_loopback_ports: frozenset[int] = frozenset()  # the local stack's own services

    @classmethod
    def from_settings(cls) -> Policy:
        # On Lambda, the runtime API listens on a loopback port of the sandbox itself.
        runtime_api = config.runtime_api_port()
        return cls(
            allow_loopback=settings.ALLOW_LOOPBACK(),
            ports=settings.ALLOWED_PORTS(),
            refused_loopback_ports=frozenset(settings.REFUSED_LOOPBACK_PORTS())
            | ({runtime_api} if runtime_api else frozenset()),
        )


@dataclass(frozen=True)
class Target:
    scheme: str
    host: str  # as written (no brackets), for the Host header and TLS name checks
    port: int
    path: str  # path and query


def _embedded_ipv4(ip: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    if ip.ipv4_mapped:
        return ip.ipv4_mapped
    if ip.sixtofour:
        return ip.sixtofour
    if ip.teredo:
        return ip.teredo[1]
    if ip in _NAT64 or ip in _NAT64_LOCAL:
        return ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
    if int(ip) >> 32 == 0 and int(ip) > 1:  # IPv4-compatible (deprecated ::a.b.c.d)
        return ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
    return None


def address_problem(ip: Address, *, allow_loopback: bool = False) -> str | None:
    """Why a delivery may not connect to `ip`, or None when it may."""
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.scope_id:
            return "a scoped (link-local) IPv6 address"
        inner = _embedded_ipv4(ip)
        if inner is not None:
            if ip.ipv4_mapped:
                return "an IPv4-mapped IPv6 address"
            problem = address_problem(inner, allow_loopback=False)
            return f"an IPv6 address wrapping {problem}" if problem else None
    if ip.is_unspecified:
        return "the unspecified address"
    if ip.is_loopback:
        return None if allow_loopback else "a loopback address"
    if ip.is_multicast:
        return "a multicast address"
    if ip.is_link_local:
        return "a link-local address (cloud metadata among them)"
    if isinstance(ip, ipaddress.IPv6Address) and ip in ipaddress.ip_network("fc00::/7"):
        return "a unique-local address"
    if ip.is_private:
        return "a private address"
    if ip.is_reserved:
        return "a reserved address"
    if not ip.is_global:
        return "an address that is not globally routable"
    return None


def parse(url: str, policy: Policy) -> Target:
    """The target of `url` if its form is acceptable (addresses are checked on resolution)."""
    if len(url) > MAX_URL_LENGTH:
        raise TargetRefused(f"the URL is longer than {MAX_URL_LENGTH} characters")
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as exc:
        raise TargetRefused(f"the URL is malformed: {exc}") from None
    host = parts.hostname or ""
    if parts.scheme not in ("https", "http") or not host:
        raise TargetRefused("the URL must be absolute https://host/path")
    if parts.username is not None or parts.password is not None:
        raise TargetRefused("the URL must not carry credentials")
    if parts.fragment:
        raise TargetRefused("the URL must not have a fragment")
    loopback_host = _names_loopback(host)
    if parts.scheme == "http" and not (policy.allow_loopback and loopback_host):
        raise TargetRefused("plain http is refused: use https")
    port = port or (443 if parts.scheme == "https" else 80)
    if loopback_host and port in policy.refused_loopback_ports:
        raise TargetRefused(f"port {port} of this machine is one of the stack's own services")
    if port not in policy.ports and not (policy.allow_loopback and loopback_host):
        raise TargetRefused(f"the port must be one of {', '.join(map(str, policy.ports))}")
    literal = _literal(host)
    if literal is not None and (problem := address_problem(literal, allow_loopback=policy.allow_loopback)):
        raise TargetRefused(f"{host} is {problem}")
    path = parts.path or "/"
    if parts.query:
        path += "?" + parts.query
    return Target(scheme=parts.scheme, host=host, port=port, path=path)


def _literal(host: str) -> Address | None:
    try:
        return ipaddress.ip_address(host)
    except ValueError:
        return None


def _names_loopback(host: str) -> bool:
    literal = _literal(host)
    if literal is not None:
        return literal.is_loopback
    return host.lower() in ("localhost", "localhost.") or host.lower().endswith(".localhost")


def resolve(target: Target, policy: Policy, resolver: Resolver = socket.getaddrinfo) -> list[Address]:
    """Every address the host resolves to, all checked; refused if any one is not allowed."""
    try:
        found = resolver(target.host, target.port, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError) as exc:
        raise TargetRefused(f"{target.host} does not resolve: {exc}") from None
    addresses: list[Address] = []
    for *_, sockaddr in found:
        ip = ipaddress.ip_address(sockaddr[0].split("%", 1)[0] if "%" in sockaddr[0] else sockaddr[0])
        if isinstance(ip, ipaddress.IPv6Address) and len(sockaddr) >= 4 and sockaddr[3]:
            return _refuse(target, "a scoped (link-local) IPv6 address")
        if problem := address_problem(ip, allow_loopback=policy.allow_loopback and _names_loopback(target.host)):
            return _refuse(target, f"{ip}, {problem}")
        if ip not in addresses:
            addresses.append(ip)
    if not addresses:
        raise TargetRefused(f"{target.host} does not resolve")
    return addresses


def _refuse(target: Target, why: str) -> list[Address]:
    raise TargetRefused(f"{target.host} resolves to {why}")


def check_url(url: str, policy: Policy, resolver: Resolver = socket.getaddrinfo) -> Target:
    """For endpoint creation and updates: the URL's form, then where it resolves to now."""
    target = parse(url, policy)
    resolve(target, policy, resolver)
    return target
