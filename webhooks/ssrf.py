"""Where Selgeo may send a request: URL form checks and the classification of addresses.

A webhook URL is checked when it is saved and again at every delivery, on the
addresses its host resolves to *then*: every address `getaddrinfo` returns must be
public, and the request goes to the address that was checked (see `transport.py`), so
a name that turns private between the check and the connection (DNS rebinding) cannot
reach the inside.

Python's `ipaddress` flags are not enough on their own: `::ffff:127.0.0.1` is not
`is_loopback`, `100.64.0.1` is not `is_private`, and NAT64 (`64:ff9b::/96`) or 6to4
(`2002::/16`) addresses look global while they route to IPv4 addresses inside. Numeric
host forms (`2130706433`, `0x7f.1`, `0177.1`) are left to `getaddrinfo`, which reads
them as the C library does, so what is checked is what would be connected to.

Resolution goes through `resolve()`, whose implementation is the setting
`SELGEO_WEBHOOKS_RESOLVER` (a dotted path), so tests can give fake DNS answers.
"""

from __future__ import annotations

import ipaddress
import socket
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.conf import settings
from django.utils.module_loading import import_string

MAX_URL_LENGTH = 2000

# Ranges that `is_private`/`is_global` miss (or miss on some Python versions) and that
# can route to internal networks.
EXTRA_BLOCKED_NETWORKS = tuple(
    ipaddress.ip_network(n)
    for n in (
        "100.64.0.0/10",  # carrier-grade NAT
        "192.0.0.0/24",  # IETF protocol assignments
        "192.88.99.0/24",  # 6to4 relay anycast
        "198.18.0.0/15",  # benchmarking
        "64:ff9b::/96",  # NAT64 well-known prefix: embeds an IPv4 address
        "64:ff9b:1::/48",  # local-use NAT64
        "2002::/16",  # 6to4: embeds an IPv4 address
        "2001::/32",  # Teredo: embeds an IPv4 address
        "fec0::/10",  # deprecated site-local
        "5f00::/16",  # segment routing
        "2001:20::/28",  # ORCHIDv2
        "3fff::/20",  # documentation
    )
)

_BROADCAST = ipaddress.IPv4Address("255.255.255.255")

Resolver = Callable[[str, int], list[str]]


class UrlRefused(Exception):
    """Base of the reasons a URL may not receive webhooks."""


class InvalidUrl(UrlRefused):
    pass


class UnresolvableHost(UrlRefused):
    pass


class ForbiddenAddress(UrlRefused):
    def __init__(self, address: str, reason: str) -> None:
        self.address = address
        self.reason = reason
        # The address stays out of the message, which merchants see in the delivery log:
        # echoing it would let anyone map the inside of the network through a DNS name.
        super().__init__(f"The host resolves to a {reason} address")


@dataclass(frozen=True)
class Target:
    scheme: str
    host: str  # lower-case, IPv6 literals without brackets
    port: int


def parse_url(url: str) -> Target:
    """The scheme, host and port of a webhook URL, or InvalidUrl saying what is wrong."""
    if len(url) > MAX_URL_LENGTH:
        raise InvalidUrl(f"The URL must be at most {MAX_URL_LENGTH} characters")
    if any(c.isspace() or ord(c) < 32 or ord(c) == 127 for c in url):
        raise InvalidUrl("The URL must not contain spaces or control characters")
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as exc:
        raise InvalidUrl("The URL is malformed") from exc
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https"):
        raise InvalidUrl("The URL must start with https:// (or http:// in test mode)")
    if "@" in parts.netloc:
        raise InvalidUrl("The URL must not contain credentials")
    host = (parts.hostname or "").lower()
    if not host:
        raise InvalidUrl("The URL must have a host")
    if ":" not in host:
        try:
            host.encode("idna")
        except UnicodeError as exc:
            raise InvalidUrl("The URL's host name is invalid") from exc
    return Target(scheme=scheme, host=host, port=port or (443 if scheme == "https" else 80))


def system_resolve(host: str, port: int) -> list[str]:
    """Every address the system resolver returns for a host, in its order."""
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return list(dict.fromkeys(str(info[4][0]) for info in infos))


def resolve(host: str, port: int) -> list[str]:
    resolver: Resolver = import_string(settings.SELGEO_WEBHOOKS_RESOLVER)
    return resolver(host, port)


def classify(address: str, *, allow_loopback: bool) -> str | None:
    """None when Selgeo may connect to the address, else the kind of address it is."""
    ip: ipaddress.IPv4Address | ipaddress.IPv6Address = ipaddress.ip_address(
        address.split("%", 1)[0]
    )
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        # ::ffff:a.b.c.d is the IPv4 address itself to the kernel: judge that one.
        ip = ip.ipv4_mapped
    if ip.is_loopback:
        return None if allow_loopback else "loopback"
    if ip.is_unspecified:
        return "unspecified"
    if ip.is_link_local:
        return "link-local"
    if ip.is_multicast:
        return "multicast"
    if ip == _BROADCAST:
        return "broadcast"
    if ip.is_private:
        return "private"
    if ip.is_reserved or any(ip in net for net in EXTRA_BLOCKED_NETWORKS) or not ip.is_global:
        return "reserved"
    return None


def check_host(host: str, port: int, *, allow_loopback: bool) -> str:
    """The address to connect to, once every address the host resolves to passed."""
    try:
        addresses = resolve(host, port)
    except (OSError, UnicodeError, ValueError) as exc:
        raise UnresolvableHost(f"Could not resolve {host}") from exc
    if not addresses:
        raise UnresolvableHost(f"Could not resolve {host}")
    for address in addresses:
        reason = classify(address, allow_loopback=allow_loopback)
        if reason is not None:
            raise ForbiddenAddress(address, reason)
    return addresses[0]


SYSTEM_RESOLVER = "webhooks.ssrf.system_resolve"
_checked: dict[tuple[str, int, bool], tuple[float, str]] = {}
_checked_lock = threading.Lock()


def checked_address(host: str, port: int, *, allow_loopback: bool) -> str:
    """`check_host`, its answer reused for SELGEO_WEBHOOKS_DNS_CACHE_SECONDS.

    Reusing it is safe because the request goes to the checked address itself (see
    `transport.py`): a name that changes meanwhile cannot send it anywhere unchecked.
    Once the time is up the name is resolved and checked again, so a new address is
    judged before it is used; refusals are never kept. Only the system resolver's
    answers are kept: a configured resolver may answer differently every time.
    """
    ttl = float(settings.SELGEO_WEBHOOKS_DNS_CACHE_SECONDS)
    if ttl <= 0 or settings.SELGEO_WEBHOOKS_RESOLVER != SYSTEM_RESOLVER:
        return check_host(host, port, allow_loopback=allow_loopback)
    key = (host, port, allow_loopback)
    now = time.monotonic()
    with _checked_lock:
        kept = _checked.get(key)
    if kept is not None and kept[0] > now:
        return kept[1]
    address = check_host(host, port, allow_loopback=allow_loopback)
    with _checked_lock:
        _checked[key] = (now + ttl, address)
    return address


def check_url(url: str, *, allow_loopback: bool) -> Target:
    target = parse_url(url)
    check_host(target.host, target.port, allow_loopback=allow_loopback)
    return target
