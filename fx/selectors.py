"""Reads of exchange rates: the set in effect at a moment, the current one, a merchant's
reporting currency.

A set never changes once written, so each process keeps the sets it has read by id
(`_SETS`): finding the set for a moment is one indexed query on `fetched_at` for its id,
and the rates themselves are parsed once per process.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from types import MappingProxyType

from django.utils import timezone

from accounts.models import Merchant
from fx.models import ExchangeRateSet, ReportingCurrency
from fx.rates import cross_rate, plain

DEFAULT_REPORTING_CURRENCY = "USD"
_CACHE_SIZE = 512


@dataclass(frozen=True)
class RateSet:
    id: int
    fetched_at: datetime
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
            f"(set {self.id}, stored {self.fetched_at.isoformat()})"
        )


_SETS: dict[int, RateSet] = {}


def _from_row(row: ExchangeRateSet) -> RateSet:
    rates = {code: Decimal(value) for code, value in row.rates.items()}
    return RateSet(
        id=row.pk,
        fetched_at=row.fetched_at,
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


def rate_set_at(moment: datetime) -> RateSet:
    """The last set stored at or before `moment`.

    A moment before the first stored set (a sale dated before Selgeo had rates) takes
    the earliest set; with no set at all, the shipped snapshot is stored first.
    """
    pk = (
        ExchangeRateSet.objects.filter(fetched_at__lte=moment)
        .order_by("-fetched_at")
        .values_list("id", flat=True)
        .first()
    )
    if pk is None:
        pk = ExchangeRateSet.objects.order_by("fetched_at").values_list("id", flat=True).first()
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
        ExchangeRateSet.objects.order_by("-fetched_at")
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


def reporting_currency_of(merchant: Merchant) -> str:
    found = (
        ReportingCurrency.objects.filter(merchant=merchant)
        .values_list("currency", flat=True)
        .first()
    )
    return found or DEFAULT_REPORTING_CURRENCY


def rates_usd_strings(rate_set: RateSet) -> dict[str, str]:
    """The set's rates per one US dollar, as plain decimal strings (for the API)."""
    from fx.rates import rebased

    return {
        code: plain(value) for code, value in rebased(rate_set.rates, base=rate_set.base).items()
    }
