"""Writes of exchange rates: fetch and record a provider's set, load the shipped
snapshot, enter a set by hand, set a merchant's reporting currency.

The provider's URL (`SELGEO_FX_URL`) is the operator's setting, never a user's, so it
is fetched with plain `requests` (a timeout, no redirects, a size cap) rather than the
SSRF-guarded client webhooks use: an operator may well run a rates service on their own
network.
"""

from __future__ import annotations

import logging
from datetime import datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import requests
from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts.models import Merchant
from fx.adapters import MalformedRates, ParsedRates, parse, parse_ecb
from fx.currencies import exponent
from fx.models import EFFECTIVE_DELAY, ExchangeRateSet, RateSource, ReportingCurrency
from fx.rates import plain
from fx.selectors import forget_reporting_currencies
from selgeo.api.errors import ValidationFailed

logger = logging.getLogger(__name__)

SNAPSHOT = Path(__file__).resolve().parent / "data" / "ecb-2026-03-13.xml"
MAX_DOCUMENT_BYTES = 1024 * 1024


class FetchFailed(Exception):
    pass


def _stored(rates: dict[str, Decimal]) -> dict[str, str]:
    return {code: plain(value) for code, value in sorted(rates.items())}


@transaction.atomic
def rate_set_record(
    *,
    parsed: ParsedRates,
    fetched_at: datetime,
    source: str,
    source_url: str = "",
    created_by: Any = None,
    effective_at: datetime | None = None,
) -> ExchangeRateSet:
    """Store a set, or, when the newest set already holds exactly these rates, only
    move its `confirmed_at` (a provider that publishes daily is fetched every 5 minutes).

    A set takes effect `EFFECTIVE_DELAY` after it is stored, or at `effective_at` when
    given, which must not be earlier: amounts recorded up to now are never rewritten,
    and the processes' caches of the set in effect stay exact (`fx.selectors`)."""
    earliest = timezone.now() + EFFECTIVE_DELAY
    if effective_at is not None and effective_at < earliest:
        raise ValidationFailed.field(
            "effective_at", f"A set takes effect at the earliest {earliest.isoformat()}"
        )
    rates = _stored(parsed.rates)
    latest = ExchangeRateSet.objects.select_for_update().order_by("-effective_at").first()
    if (
        latest is not None
        and source != RateSource.ADMIN
        and latest.source == source
        and latest.base == parsed.base
        and latest.rates == rates
        and latest.published_at == parsed.published_at
        and latest.fetched_at <= fetched_at
    ):
        ExchangeRateSet.objects.filter(pk=latest.pk).update(confirmed_at=fetched_at)
        latest.confirmed_at = fetched_at
        return latest
    return ExchangeRateSet.objects.create(
        fetched_at=fetched_at,
        effective_at=effective_at or max(earliest, fetched_at + EFFECTIVE_DELAY),
        confirmed_at=fetched_at,
        published_at=parsed.published_at,
        source=source,
        source_url=source_url,
        base=parsed.base,
        rates=rates,
        created_by=created_by,
    )


def _download(url: str) -> bytes:
    try:
        with requests.get(
            url,
            timeout=settings.SELGEO_FX_TIMEOUT_SECONDS,
            allow_redirects=False,
            stream=True,
            headers={"Accept": "application/xml, application/json"},
        ) as response:
            if response.status_code != 200:
                raise FetchFailed(f"HTTP {response.status_code}")
            body = b""
            for chunk in response.iter_content(64 * 1024):
                body += chunk
                if len(body) > MAX_DOCUMENT_BYTES:
                    raise FetchFailed(f"the document is larger than {MAX_DOCUMENT_BYTES} bytes")
            return body
    except requests.RequestException as exc:
        raise FetchFailed(f"{type(exc).__name__}: {exc}") from None


def rates_refresh(*, url: str | None = None, now: datetime | None = None) -> ExchangeRateSet | None:
    """Fetch the provider's rates and record them; None when there is nothing to fetch
    or the fetch failed. A failed or malformed fetch changes nothing (the previous set
    stays in effect) and is logged; /health reports the rates stale once they are older
    than `SELGEO_FX_STALE_AFTER`."""
    url = settings.SELGEO_FX_URL if url is None else url
    if not url:
        return None
    try:
        parsed = parse(_download(url))
    except (FetchFailed, MalformedRates) as exc:
        logger.warning("fx: exchange rates from %s not updated: %s", url, exc)
        return None
    return rate_set_record(
        parsed=parsed, fetched_at=now or timezone.now(), source=parsed.source, source_url=url
    )


def snapshot_load() -> ExchangeRateSet:
    """The shipped ECB snapshot as a set dated at its reference day (stored once)."""
    parsed = parse_ecb(SNAPSHOT.read_bytes())
    assert parsed.published_at is not None
    try:
        with transaction.atomic():
            row, _ = ExchangeRateSet.objects.get_or_create(
                source=RateSource.SNAPSHOT,
                fetched_at=parsed.published_at,
                defaults={
                    "effective_at": parsed.published_at,
                    "confirmed_at": parsed.published_at,
                    "published_at": parsed.published_at,
                    "source_url": f"selgeo:fx/data/{SNAPSHOT.name}",
                    "base": parsed.base,
                    "rates": _stored(parsed.rates),
                },
            )
    except IntegrityError:
        # A concurrent first reader stored it: read theirs.
        row = ExchangeRateSet.objects.get(
            source=RateSource.SNAPSHOT, fetched_at=parsed.published_at
        )
    return row


@transaction.atomic
def reporting_currency_set(*, merchant: Merchant, currency: str) -> ReportingCurrency:
    if exponent(currency) is None:
        raise ValidationFailed(
            "Invalid reporting currency",
            details=[{"field": "currency", "message": "Must be an ISO 4217 currency code"}],
        )
    row, _ = ReportingCurrency.objects.update_or_create(
        merchant=merchant, defaults={"currency": currency, "updated_at": timezone.now()}
    )
    # This process at once and again at commit (a read meanwhile saw the old row); the
    # others hear the change (selgeo.changes).
    forget_reporting_currencies()
    transaction.on_commit(forget_reporting_currencies)
    return row
