"""Failed-login back-off per account, whichever addresses the attempts come from.

The per-IP auth zone (selgeo.api.ratelimit) does not bound credential stuffing from many
addresses. Here every login attempt counts against the account it names (its normalised
email, whether or not an account has it: the answer never tells), in the rate-limit
cache. The first `FREE_FAILURES` attempts are free; from then on the account backs off
exponentially, 1 s, 2 s, 4 s ... up to `MAX_DELAY_SECONDS`, and an attempt made too early
is answered 429 RATE_LIMIT_EXCEEDED with `Retry-After`, without checking its password.

An attacker must not be able to keep the owner out, so the back-off is counted per
*client* of the account (OWASP's device-cookie scheme):

- a browser that logged into the account before sends its signed device cookie
  (`DEVICE_COOKIE`, set by the login pages on success) and has a back-off of its own;
- else an address the account logged in from lately (its last `TRUSTED_IPS_KEPT`) has
  one of its own;
- every other client shares the account's back-off for untrusted clients.

The back-off is capped, forgotten a day after the last failure, ended by a successful
login of that client and, for every client, by a password reset. An attempt counts
before its password is checked, so concurrent attempts from many addresses get exactly
`FREE_FAILURES` password checks before the first wait and one per step after it.

Like the auth zone, this fails closed: with the cache unreachable a login is answered
503 SERVICE_UNAVAILABLE (password guessing must stay bounded). Time is `time.time()`,
stored in the values, so that expiries do not depend on the cache's own clock.
"""

from __future__ import annotations

import logging
import math
import time
import uuid
from dataclasses import dataclass

from django.conf import settings
from django.core import signing
from django.core.cache import BaseCache, caches
from django.utils.crypto import salted_hmac

from selgeo.api.errors import RateLimitExceeded, ServiceUnavailable

logger = logging.getLogger("selgeo.login_limit")

FREE_FAILURES = 5
MAX_DELAY_SECONDS = 15 * 60
# Failures are forgotten this long after the last one.
MEMORY_SECONDS = 24 * 3600
TRUSTED_IPS_KEPT = 5
TRUSTED_IP_SECONDS = 30 * 24 * 3600
DEVICE_COOKIE = "selgeo_device"
DEVICE_COOKIE_MAX_AGE = 365 * 24 * 3600
_DEVICE_SALT = "selgeo.login-device"


@dataclass(frozen=True)
class LoginClient:
    """Where a login attempt comes from: its address and the device cookie it sent."""

    ip: str
    device_cookie: str = ""


@dataclass(frozen=True)
class Attempt:
    account: str
    ip: str
    base: str


def delay_after(failures: int) -> int:
    """Seconds to wait after the `failures`-th failure in a row (0 while still free)."""
    if failures < FREE_FAILURES:
        return 0
    return int(min(2 ** (failures - FREE_FAILURES), MAX_DELAY_SECONDS))


def _digest(value: str) -> str:
    # Keyed, so that the cache holds neither emails nor addresses in a guessable form.
    return salted_hmac("selgeo.login-limit", value).hexdigest()[:32]


def _store() -> BaseCache:
    return caches[settings.RATELIMIT_USE_CACHE]


def _account_key(account: str) -> str:
    return f"{settings.SELGEO_RATELIMIT_NAMESPACE}.login.{account}"


def device_cookie(*, email: str) -> str:
    """The value of the device cookie for a browser that just logged into `email`."""
    payload = {"a": _digest(email.strip().lower()), "n": uuid.uuid4().hex}
    return signing.dumps(payload, salt=_DEVICE_SALT)


def _device(cookie: str, account: str) -> str | None:
    if not cookie:
        return None
    try:
        payload = signing.loads(cookie, salt=_DEVICE_SALT, max_age=DEVICE_COOKIE_MAX_AGE)
    except signing.BadSignature:
        return None
    if not isinstance(payload, dict) or payload.get("a") != account:
        return None
    nonce = payload.get("n")
    return nonce if isinstance(nonce, str) else None


def _client_name(store: BaseCache, account: str, client: LoginClient, ip: str) -> str:
    device = _device(client.device_cookie, account)
    if device is not None:
        return f"device.{device}"
    if ip in (store.get(f"{_account_key(account)}.ips") or []):
        return f"ip.{ip}"
    return "untrusted"


def begin(*, email: str, client: LoginClient) -> Attempt:
    """Count a login attempt for `email`; raise RateLimitExceeded while it must wait."""
    account = _digest(email.strip().lower())
    ip = _digest(client.ip)
    if not settings.SELGEO_RATELIMITS_ENABLED:
        return Attempt(account=account, ip=ip, base="")
    store = _store()
    try:
        epoch = store.get(f"{_account_key(account)}.epoch") or "0"
        base = f"{_account_key(account)}.{epoch}.{_client_name(store, account, client, ip)}"
        now = time.time()
        until = store.get(f"{base}.until")
        if until is not None:
            if now < until:
                raise RateLimitExceeded(retry_after=math.ceil(until - now))
            # The step that just expired allows one attempt: of concurrent ones, one wins.
            if not store.add(f"{base}.claim.{until!r}", 1, MEMORY_SECONDS):
                raise RateLimitExceeded(retry_after=1)
        store.add(f"{base}.fails", 0, MEMORY_SECONDS)
        failures = store.incr(f"{base}.fails")
        store.touch(f"{base}.fails", MEMORY_SECONDS)
        if failures > FREE_FAILURES and until is None:
            # Concurrent with the attempt that used the last free one (which may have
            # died before it could start the wait: start it here if so).
            store.add(f"{base}.until", now + delay_after(failures), MEMORY_SECONDS)
            raise RateLimitExceeded(retry_after=1)
        if failures >= FREE_FAILURES:
            # Set before the password is checked; a success clears it.
            store.set(f"{base}.until", now + delay_after(failures), MEMORY_SECONDS)
    except RateLimitExceeded:
        raise
    except Exception as exc:  # the cache client raises its own connection errors
        logger.warning("login back-off cache unavailable: %s", exc)
        raise ServiceUnavailable("Rate limiting is unavailable; try again shortly") from exc
    return Attempt(account=account, ip=ip, base=base)


def succeeded(attempt: Attempt) -> None:
    """The attempt logged in: its client's back-off ends and its address is trusted."""
    if not attempt.base:
        return
    store = _store()
    try:
        store.delete_many([f"{attempt.base}.fails", f"{attempt.base}.until"])
        ips_key = f"{_account_key(attempt.account)}.ips"
        ips = [ip for ip in store.get(ips_key) or [] if ip != attempt.ip]
        store.set(ips_key, [attempt.ip, *ips][:TRUSTED_IPS_KEPT], TRUSTED_IP_SECONDS)
    except Exception as exc:  # the login stands; only the bookkeeping is lost
        logger.warning("login back-off cache unavailable: %s", exc)


def clear(*, email: str) -> None:
    """End every client's back-off for `email` (after a password reset)."""
    key = f"{_account_key(_digest(email.strip().lower()))}.epoch"
    try:
        _store().set(key, uuid.uuid4().hex, 2 * MEMORY_SECONDS)
    except Exception as exc:
        logger.warning("login back-off cache unavailable: %s", exc)
