"""Reads of a merchant's payout settings, with the defaults for what is not set."""

from __future__ import annotations

from accounts.models import Merchant
from payouts.run_models import PayoutSettings
from selgeo.currencies import minor_unit_exponent

DEFAULT_MINIMUM_MAJOR_UNITS = 50


def default_minimum(currency: str) -> int:
    """50 in the currency's major unit, in minor units: 5000 EUR cents, 50 JPY, 50000 BHD fils."""
    return DEFAULT_MINIMUM_MAJOR_UNITS * 10 ** minor_unit_exponent(currency)


def minimum_for(settings: PayoutSettings, currency: str) -> int:
    value = settings.minimums.get(currency)
    return int(value) if value is not None else default_minimum(currency)


def payout_settings_get(*, merchant: Merchant, mode: str) -> PayoutSettings:
    """The merchant's settings in this mode, or the unsaved defaults."""
    found = PayoutSettings.objects.filter(merchant=merchant, mode=mode).first()
    return found or PayoutSettings(merchant=merchant, mode=mode)
