"""Who clicked: a keyed hash of the IP address, the user agent, the country and a bot verdict.

The IP address itself is never stored: it is normalised (an IPv4-mapped IPv6 address is
its IPv4 address) and reduced to HMAC-SHA256 under `SELGEO_IP_HASH_KEY`, enough to tell
repeat visitors apart and useless to anyone without the key.

Where the facts come from:
- A browser's call (it carries an `Origin` header) and a tracking link describe the
  request itself: its address (`X-Forwarded-For` only behind a trusted proxy), its
  `User-Agent`, and the country header a trusted proxy adds (`CF-IPCountry` or
  `X-Country-Code`). Hints in the body are ignored: a page must not be able to claim
  another visitor's address.
- A server-side call (no `Origin`) describes a visitor the merchant's server saw, so its
  `ip`, `user_agent` and `country` hints win. Without a `user_agent` hint the caller's
  own User-Agent is judged, and HTTP libraries count as bots; without an `ip` hint the
  connection's address (and the proxy's country for it) is used.

Bots: an empty user agent, one without the parenthesised platform every browser sends,
or one the `crawlerdetect` list recognises (crawlers, link unfurlers, HTTP libraries,
headless browsers).
"""

from __future__ import annotations

import functools
import hmac
import ipaddress
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from crawlerdetect import CrawlerDetect
from django.conf import settings
from django.http import HttpRequest

from selgeo.api.ratelimit import client_ip

USER_AGENT_MAX = 1000
COUNTRY_PATTERN = re.compile(r"^[A-Za-z]{2}$")
# Cloudflare reports XX when it does not know the country.
UNKNOWN_COUNTRIES = frozenset({"XX"})
PROXY_COUNTRY_HEADERS = ("HTTP_CF_IPCOUNTRY", "HTTP_X_COUNTRY_CODE")

# One detector per process: its compiled patterns and result cache are shared; the only
# per-call state it keeps (the last match) is never read here.
_detector = CrawlerDetect()


@dataclass(frozen=True)
class Visitor:
    ip_hash: str
    user_agent: str
    country: str
    is_bot: bool


def normalise_ip(raw: str) -> str:
    """The canonical text of an address, or "" when it is not one."""
    try:
        address = ipaddress.ip_address(raw.strip())
    except ValueError:
        return ""
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return str(address.ipv4_mapped)
    return address.compressed


def ip_hash(raw: str) -> str:
    """HMAC-SHA256 of the normalised address, hex; "" when there is no valid address."""
    normalised = normalise_ip(raw)
    if not normalised:
        return ""
    key = settings.SELGEO_IP_HASH_KEY.encode()
    return hmac.digest(key, normalised.encode(), "sha256").hex()


def is_bot(user_agent: str) -> bool:
    agent = user_agent.strip()
    if not agent or "(" not in agent:
        return True
    return _is_crawler(agent)


# The crawler list is hundreds of patterns (about a quarter of a millisecond per agent),
# while visitors' user agents repeat heavily: the answers are kept per process.
@functools.lru_cache(maxsize=4096)
def _is_crawler(agent: str) -> bool:
    return bool(_detector.is_crawler(agent))


def proxy_country(request: HttpRequest) -> str:
    """The visitor's country from a trusted proxy's header, or ""."""
    if not settings.SELGEO_TRUST_PROXY:
        return ""
    for header in PROXY_COUNTRY_HEADERS:
        value = str(request.META.get(header, "")).strip().upper()
        if COUNTRY_PATTERN.match(value) and value not in UNKNOWN_COUNTRIES:
            return value
    return ""


def is_browser_request(request: HttpRequest) -> bool:
    # Browsers send Origin on every cross-origin request and on every same-origin POST.
    return "HTTP_ORIGIN" in request.META


def _visitor(*, ip: str, user_agent: str, country: str) -> Visitor:
    return Visitor(
        ip_hash=ip_hash(ip),
        user_agent=user_agent[:USER_AGENT_MAX],
        country=country,
        is_bot=is_bot(user_agent),
    )


def visitor_from_request(request: HttpRequest) -> Visitor:
    """The visitor is whoever sent this request (browsers, tracking links)."""
    return _visitor(
        ip=client_ip(request),
        user_agent=str(request.META.get("HTTP_USER_AGENT", "")),
        country=proxy_country(request),
    )


def visitor_from_hints(request: HttpRequest, hints: Mapping[str, Any]) -> Visitor:
    """A server-side call: the merchant's server describes the visitor it saw."""
    ip_hint = hints.get("ip") or ""
    user_agent = hints.get("user_agent")
    if user_agent is None:
        user_agent = str(request.META.get("HTTP_USER_AGENT", ""))
    country = hints.get("country") or ("" if ip_hint else proxy_country(request))
    return _visitor(ip=ip_hint or client_ip(request), user_agent=user_agent, country=country)
