"""Reads of exchange rates: the set in effect at a moment, the current one, a merchant's
reporting currency.

A set never changes once written, so each process keeps the sets it has read by id
(`_SETS`), parsed once. Which set is in effect now is read once a minute per process
(`_WINDOW`): every set takes effect at least `EFFECTIVE_DELAY` after it is stored, so
the answer read at time T holds exactly for every moment until T + EFFECTIVE_DELAY (or
an already stored later set's start). A moment outside that window (a sale dated in the
past) is one indexed query on `effective_at`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from types import MappingProxyType

from django.utils import timezone

from accounts.models import Merchant
from fx.models import EFFECTIVE_DELAY, ExchangeRateSet, ReportingCurrency
from fx.rates import cross_rate, plain
from selgeo.changes import Recent, generation

DEFAULT_REPORTING_CURRENCY = "USD"
_CACHE_SIZE = 512


@dataclass(frozen=True)
class RateSet:
    id: int
    fetched_at: datetime
    effective_at: datetime
    published_at: datetime | None
    source: str
    base: str
    rates: Mapping[str, Decimal]

    @property
    def as_of(self) -> datetime:
        """The moment the rates are of: the provider's date, else when they were stored."""
        return self.published_at or self.fetched_at

    def rate(self, *, source: str, target: str) -> Decimal:
        return cross_rate(self.rates, base=self.base, source=source, target=target)

    def describe(self) -> str:
        return (
            f"{self.source} rates as of {self.as_of.isoformat()} "
            f"(set {self.id}, in effect from {self.effective_at.isoformat()})"
        )


_SETS: dict[int, RateSet] = {}
# A window about to end is read again a little early.
_MARGIN = timedelta(seconds=5)


def caches_clear() -> None:
    """Forget every set, window and reporting currency this process has read (after a
    change here; tests empty the database)."""
    _SETS.clear()
    _WINDOW.clear()
    _REPORTING.answers.clear()


def _from_row(row: ExchangeRateSet) -> RateSet:
    rates = {code: Decimal(value) for code, value in row.rates.items()}
    return RateSet(
        id=row.pk,
        fetched_at=row.fetched_at,
        effective_at=row.effective_at,
        published_at=row.published_at,
        source=row.source,
        base=row.base,
        rates=MappingProxyType(rates),
    )


def rate_set_get(pk: int) -> RateSet:
    found = _SETS.get(pk)
    if found is None:
        found = _from_row(ExchangeRateSet.objects.get(pk=pk))
        if len(_SETS) >= _CACHE_SIZE:
            _SETS.pop(next(iter(_SETS)))
        _SETS[pk] = found
    return found


@dataclass(frozen=True)
class _Window:
    """Set `set_id` is the one in effect for every moment in [starts, ends)."""

    set_id: int
    starts: datetime
    ends: datetime


_WINDOW: list[_Window] = []


def _window(now: datetime) -> _Window | None:
    current = (
        ExchangeRateSet.objects.filter(effective_at__lte=now)
        .order_by("-effective_at")
        .values_list("id", "effective_at")
        .first()
    )
    if current is None:
        return None
    upcoming = (
        ExchangeRateSet.objects.filter(effective_at__gt=now)
        .order_by("effective_at")
        .values_list("effective_at", flat=True)
        .first()
    )
    ends = now + EFFECTIVE_DELAY
    return _Window(current[0], current[1], min(ends, upcoming) if upcoming else ends)


def rate_set_at(moment: datetime) -> RateSet:
    """The last set in effect at or before `moment`.

    A moment before the first stored set (a sale dated before Selgeo had rates) takes
    the earliest set; with no set at all, the shipped snapshot is stored first.
    """
    window = _WINDOW[0] if _WINDOW else None
    if window is None or moment >= window.ends:
        now = timezone.now()
        if window is None or now >= window.ends - _MARGIN:
            window = _window(now)
            _WINDOW[:] = [window] if window is not None else []
    if window is not None and window.starts <= moment < window.ends:
        return rate_set_get(window.set_id)
    pk = (
        ExchangeRateSet.objects.filter(effective_at__lte=moment)
        .order_by("-effective_at")
        .values_list("id", flat=True)
        .first()
    )
    if pk is None:
        pk = ExchangeRateSet.objects.order_by("effective_at").values_list("id", flat=True).first()
    if pk is None:
        from fx.services import snapshot_load

        pk = snapshot_load().pk
    return rate_set_get(pk)


def rate_set_current() -> RateSet:
    return rate_set_at(timezone.now())


@dataclass(frozen=True)
class Freshness:
    stale: bool
    as_of: datetime
    confirmed_at: datetime
    source: str


def rates_freshness(*, stale_after_seconds: int, now: datetime | None = None) -> Freshness | None:
    """Whether the newest set was confirmed by a fetch within `stale_after_seconds`."""
    now = now or timezone.now()
    row = (
        ExchangeRateSet.objects.order_by("-effective_at")
        .only("fetched_at", "confirmed_at", "published_at", "source")
        .first()
    )
    if row is None:
        return None
    age = (now - row.confirmed_at).total_seconds()
    return Freshness(
        stale=age > stale_after_seconds,
        as_of=row.published_at or row.fetched_at,
        confirmed_at=row.confirmed_at,
        source=row.source,
    )


# Every conversion records its amounts in its merchant's reporting currency. Each
# process keeps the answer under the change generation (`selgeo.changes`: a change in any
# process drops it everywhere at once), or for a few seconds while nobody listens.
_REPORTING: Recent[str, str] = Recent(
    seconds=lambda: 300.0 if generation() is not None else 5.0, listening_only=False
)


def forget_reporting_currencies() -> None:
    _REPORTING.answers.clear()


def reporting_currency_of(merchant: Merchant) -> str:
    def read() -> str:
        found = (
            ReportingCurrency.objects.filter(merchant_id=merchant.pk)
            .values_list("currency", flat=True)
            .first()
        )
        return found or DEFAULT_REPORTING_CURRENCY

    return _REPORTING.get(str(merchant.pk), read) or DEFAULT_REPORTING_CURRENCY


def rates_usd_strings(rate_set: RateSet) -> dict[str, str]:
    """The set's rates per one US dollar, as plain decimal strings (for the API)."""
    from fx.rates import rebased

    return {
        code: plain(value) for code, value in rebased(rate_set.rates, base=rate_set.base).items()
    }


@dataclass(frozen=True)
class Reported:
    """An amount in the reporting currency: the currency, the rate used ("" when none
    was stored for the pair) and the amount in minor units (None without an amount or
    a rate)."""

    currency: str
    rate: str
    amount_minor: int | None


def in_reporting_currency(
    amount_minor: int | None, *, currency: str, reporting: str, rate_set: RateSet | None
) -> Reported:
    """`amount_minor` of `currency` in `reporting`, at `rate_set`'s rate (half to even)."""
    from fx.rates import RateUnavailable, convert_minor

    if not currency:
        return Reported(reporting, "", None)
    if currency == reporting:
        return Reported(reporting, "1", amount_minor)
    if rate_set is None:
        return Reported(reporting, "", None)
    try:
        rate = rate_set.rate(source=currency, target=reporting)
        amount = (
            None
            if amount_minor is None
            else convert_minor(amount_minor, source=currency, target=reporting, rate=rate)
        )
    except RateUnavailable:
        return Reported(reporting, "", None)
    return Reported(reporting, plain(rate), amount)
