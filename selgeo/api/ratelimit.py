"""Rate-limit zones, counted by django-ratelimit in the shared cache.

Zones (per minute): tracking 1000 per pk key, conversions 120 per sk key, auth 10 per
IP, general 300 per IP, links 60 recorded clicks per visitor IP. A request in a key zone
whose key did not validate is counted in the general IP zone instead, so garbage keys
cannot dodge limits or cost lookups.

When the cache is unreachable, key zones fail open (a merchant's clicks and sales must
not be lost because Redis blinked) and IP zones on the auth endpoints fail closed
(password guessing must stay bounded), answering 503.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from django.conf import settings
from django.http import HttpRequest
from django_ratelimit.core import get_usage

from selgeo.api.errors import RateLimitExceeded, ServiceUnavailable

logger = logging.getLogger("selgeo.ratelimit")


@dataclass(frozen=True)
class Zone:
    name: str
    per_key: bool
    fail_open: bool


ZONES = {
    "tracking": Zone("tracking", per_key=True, fail_open=True),
    "conversions": Zone("conversions", per_key=True, fail_open=True),
    "auth": Zone("auth", per_key=False, fail_open=False),
    "general": Zone("general", per_key=False, fail_open=True),
    "links": Zone("links", per_key=False, fail_open=True),
}


def client_ip(request: HttpRequest) -> str:
    """REMOTE_ADDR, or the proxy's X-Forwarded-For entry when a proxy is trusted."""
    if settings.SELGEO_TRUST_PROXY:
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        if forwarded:
            return forwarded.split(",")[-1].strip()
    return str(request.META.get("REMOTE_ADDR", ""))


def enforce(request: HttpRequest, *, zone: str, key: str | None = None) -> None:
    """Count this request in `zone`; raise RateLimitExceeded past the limit."""
    if not settings.SELGEO_RATELIMITS_ENABLED:
        return
    spec = ZONES[zone]
    value = key if spec.per_key and key else client_ip(request)
    rate = settings.SELGEO_RATE_LIMITS[zone]
    try:
        usage = get_usage(
            request,
            group=f"{settings.SELGEO_RATELIMIT_NAMESPACE}.{zone}",
            key=lambda _group, _request: value,
            rate=rate,
            increment=True,
        )
    except Exception as exc:  # the cache client raises its own connection errors
        logger.warning("rate-limit cache unavailable in zone %s: %s", zone, exc)
        if spec.fail_open:
            return
        raise ServiceUnavailable("Rate limiting is unavailable; try again shortly") from exc
    if usage is None:
        return
    if usage["should_limit"]:
        raise RateLimitExceeded(retry_after=min(60, max(1, int(usage["time_left"]))))


def allows(request: HttpRequest, *, zone: str, key: str | None = None) -> bool:
    """Count this request in `zone`; whether it is within the limit (never raises)."""
    try:
        enforce(request, zone=zone, key=key)
    except (RateLimitExceeded, ServiceUnavailable):
        return False
    return True
