"""Exchange rate sets, kept forever, and each merchant's reporting currency.

A set is what one provider said at one moment: rates as decimal strings, exactly as
published, per one unit of `base` (EUR for the European Central Bank, USD for the JSON
APIs). Nothing is rebased when stored, so nothing is lost: conversions compute the cross
rate they need with exact fractions (`fx.rates`). A set never changes once written
(only `confirmed_at` moves when a later fetch returns the same rates), which is what
lets every process cache a set by its id.
"""

from __future__ import annotations

from datetime import timedelta
from typing import ClassVar

from django.conf import settings
from django.db import models
from django.utils import timezone

from accounts.models import Merchant


class RateSource(models.TextChoices):
    ECB = "ecb", "European Central Bank daily reference rates (XML)"
    JSON = "json", "JSON rates API (base and rates)"
    SNAPSHOT = "snapshot", "Snapshot shipped with Selgeo (ECB reference rates)"
    ADMIN = "admin", "Entered by staff in the admin"


# A set takes effect this long after it is stored. Any set stored from now on takes
# effect after now + EFFECTIVE_DELAY, so a process that has read which set is in effect
# knows its answer holds exactly until then: the hot path reads rates once a minute
# per process, not once per sale (`fx.selectors.rate_set_at`).
EFFECTIVE_DELAY = timedelta(seconds=60)


class ExchangeRateSet(models.Model):
    # When the rates were fetched (or entered).
    fetched_at = models.DateTimeField(default=timezone.now)
    # The moment the set takes effect: a sale is converted with the last set whose
    # `effective_at` is at or before its `occurred_at`.
    effective_at = models.DateTimeField(default=timezone.now)
    # The last fetch that returned these same rates (freshness for /health).
    confirmed_at = models.DateTimeField(default=timezone.now)
    # The date the provider gives its rates (the ECB's reference day), if it gives one.
    published_at = models.DateTimeField(null=True, blank=True)
    source = models.CharField(max_length=10, choices=RateSource.choices)
    source_url = models.CharField(max_length=500, blank=True)
    base = models.CharField(max_length=3, default="USD")
    # {"EUR": "0.93897", ...}: units of the currency per one unit of `base`.
    rates = models.JSONField()
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        indexes: ClassVar = [models.Index(fields=["-effective_at"], name="fx_set_effective")]
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["source", "fetched_at"], name="fx_set_unique_moment")
        ]

    def __str__(self) -> str:
        return f"{self.get_source_display()} rates from {self.effective_at:%Y-%m-%d %H:%M} UTC"


class ReportingCurrency(models.Model):
    """A merchant's reporting currency; a merchant without a row reports in USD."""

    merchant = models.OneToOneField(
        Merchant, on_delete=models.CASCADE, primary_key=True, related_name="+"
    )
    currency = models.CharField(max_length=3)
    updated_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"{self.merchant_id}: {self.currency}"
