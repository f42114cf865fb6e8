"""Rate-limit zones, counted in a moving 60-second window by `limits` over Redis.

Zones (per minute): tracking 1000 per pk key, conversions 120 per sk key, auth 10 per
IP, general 300 per IP, links 60 recorded clicks per visitor IP, payment forwards
60 per sk key. A request in a key zone
IP, general 300 per IP, links 60 recorded clicks per visitor IP, stats 20 per sk key or
user. A request in a key zone
whose key did not validate is counted in the general IP zone instead, so garbage keys
cannot dodge limits or cost lookups.

The window slides: a request is admitted when fewer than the limit were admitted in
the 60 seconds before it, so no 60-second span, wherever it starts, admits more than
the limit (no burst allowance; a fixed minute let a burst straddling its boundary
through twice). Refused requests are not recorded. `limits`' moving window keeps, per
zone and key, the timestamps of the last `limit` admissions in one Redis list, and one
Lua script checks and records a request in a single round trip. Timestamps are taken
from each process's clock, so the processes sharing a Redis need synchronised clocks.
Without REDIS_URL (the embedded mode) the window lives in the process's memory.

When the store is unreachable, key zones fail open (a merchant's clicks and sales must
not be lost because Redis blinked) and the auth zone fails closed (password guessing
must stay bounded), answering 503.
"""

from __future__ import annotations

import logging
import math
import threading
import time
from dataclasses import dataclass
from functools import lru_cache

from django.conf import settings
from django.http import HttpRequest
from limits import (
    RateLimitItem,
    RateLimitItemPerDay,
    RateLimitItemPerHour,
    RateLimitItemPerMinute,
    RateLimitItemPerSecond,
)
from limits.errors import StorageError
from limits.storage import storage_from_string
from limits.strategies import MovingWindowRateLimiter

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
    # Invitation mails a merchant may send (per merchant and hour): an invitation goes to
    # any address, so it must not become a way to send mail in bulk.
    "invitations": Zone("invitations", per_key=True, fail_open=True),
    # The AffSpace dialect's limits per key (compat.affspace.access): like Selgeo's
    # conversions zone they fail open, so that a merchant's sales are never lost.
    "affspace_get": Zone("affspace_get", per_key=True, fail_open=True),
    "affspace_post": Zone("affspace_post", per_key=True, fail_open=True),
    "affspace_stats": Zone("affspace_stats", per_key=True, fail_open=True),
    "affspace_conversions": Zone("affspace_conversions", per_key=True, fail_open=True),
    # Payment forwarding, per secret key: every request counts, whatever its answer.
    "payment_forwards": Zone("payment_forwards", per_key=True, fail_open=True),
    # Reports, per secret key or per user: fails open like the other key zones (a
    # report is a read; Redis blinking must not hide a merchant's figures).
    "stats": Zone("stats", per_key=True, fail_open=True),
}

_PERIODS: dict[str, type[RateLimitItem]] = {
    "s": RateLimitItemPerSecond,
    "m": RateLimitItemPerMinute,
    "h": RateLimitItemPerHour,
    "d": RateLimitItemPerDay,
}


@lru_cache(maxsize=1024)
def rate_item(rate: str, namespace: str) -> RateLimitItem:
    """`"300/m"` as a limit whose storage keys start with `namespace`."""
    amount, _, period = rate.partition("/")
    return _PERIODS[period](int(amount), namespace=namespace)


_limiters: dict[str, MovingWindowRateLimiter] = {}
_limiters_lock = threading.Lock()


def limiter() -> MovingWindowRateLimiter:
    """This process's limiter for the configured store: one pooled Redis client, made once."""
    url = settings.SELGEO_RATELIMIT_STORAGE_URL
    found = _limiters.get(url)
    if found is not None:
        return found
    with _limiters_lock:
        if url not in _limiters:
            storage = storage_from_string(
                url,
                key_prefix=settings.SELGEO_RATELIMIT_KEY_PREFIX,
                wrap_exceptions=True,
                socket_connect_timeout=1,
                socket_timeout=1,
            )
            _limiters[url] = MovingWindowRateLimiter(storage)
        return _limiters[url]


def retry_after(wait: float, window: int) -> int:
    """Whole seconds after which a request is admitted again, within 1..window.

    The oldest counted admission leaves the window strictly after `wait` seconds, so a
    wait of exactly 30.0 s is 31, one of 29.5 s is 30.
    """
    return min(window, max(1, math.floor(wait) + 1))


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
    _count(spec, key if spec.per_key and key else client_ip(request))


def enforce_key(*, zone: str, key: str) -> None:
    """Count one action of `key` (a merchant, say) in a key zone, outside any request."""
    if not settings.SELGEO_RATELIMITS_ENABLED:
        return
    _count(ZONES[zone], key)


def _count(spec: Zone, value: str) -> None:
    zone = spec.name
    item = rate_item(settings.SELGEO_RATE_LIMITS[zone], settings.SELGEO_RATELIMIT_NAMESPACE)
    counter = limiter()
    try:
        if counter.hit(item, zone, value):
            return
        reset_at, _ = counter.get_window_stats(item, zone, value)
    except StorageError as exc:
        logger.warning("rate-limit store unavailable in zone %s: %s", zone, exc.storage_error)
        if spec.fail_open:
            return
        raise ServiceUnavailable("Rate limiting is unavailable; try again shortly") from exc
    # The window's reset is its oldest admission plus the window: the moment that
    # admission leaves and a request fits again.
    raise RateLimitExceeded(retry_after=retry_after(reset_at - time.time(), item.get_expiry()))


def allows(request: HttpRequest, *, zone: str, key: str | None = None) -> bool:
    """Count this request in `zone`; whether it is within the limit (never raises)."""
    try:
        enforce(request, zone=zone, key=key)
    except (RateLimitExceeded, ServiceUnavailable):
        return False
    return True
