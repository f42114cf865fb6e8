"""Writes and defaults of a merchant's payout settings (per mode)."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone
from schwifty import IBAN
from schwifty.exceptions import SchwiftyException

from accounts.models import Merchant
from payouts.run_models import PayoutSchedule, PayoutSettings
from selgeo.api.errors import ValidationFailed
from selgeo.currencies import is_currency

# Far above any payout, far below what a 64-bit amount holds.
MAX_MINIMUM = 10**15


def payout_settings_errors(
    *, minimums: dict[str, Any], schedule: str, schedule_day: int | None, debtor_iban: str
) -> list[dict[str, str]]:
    """Every error in these settings at once (the form shows them together), writing nothing."""
    details = []
    for currency, value in minimums.items():
        if not is_currency(currency):
            details.append({"field": f"minimums.{currency}", "message": "Unknown ISO 4217 code"})
        elif type(value) is not int or not 0 <= value <= MAX_MINIMUM:
            details.append(
                {
                    "field": f"minimums.{currency}",
                    "message": f"A whole number of minor units from 0 to {MAX_MINIMUM}",
                }
            )
    if schedule == PayoutSchedule.MONTHLY and schedule_day is None:
        details.append({"field": "schedule_day", "message": "Required for the monthly schedule"})
    if schedule_day is not None and not 1 <= schedule_day <= 28:
        details.append({"field": "schedule_day", "message": "A day from 1 to 28"})
    if debtor_iban:
        try:
            IBAN(debtor_iban)
        except SchwiftyException as exc:
            details.append({"field": "sepa_debtor_iban", "message": str(exc)})
    return details


def _check(
    *, minimums: dict[str, Any], schedule: str, schedule_day: int | None, debtor_iban: str
) -> None:
    details = payout_settings_errors(
        minimums=minimums, schedule=schedule, schedule_day=schedule_day, debtor_iban=debtor_iban
    )
    if details:
        raise ValidationFailed(details=details)


@transaction.atomic
def payout_settings_update(
    *,
    merchant: Merchant,
    mode: str,
    minimums: dict[str, Any] | None = None,
    tax_details_required: bool | None = None,
    schedule: str | None = None,
    schedule_day: int | None = None,
    sepa_debtor_name: str | None = None,
    sepa_debtor_iban: str | None = None,
    sepa_debtor_bic: str | None = None,
) -> PayoutSettings:
    """Change the fields given (None leaves a field as it is); the whole result is checked."""
    settings, _ = PayoutSettings.objects.select_for_update().get_or_create(
        merchant=merchant, mode=mode
    )
    if minimums is not None:
        settings.minimums = {code.upper(): value for code, value in minimums.items()}
    if tax_details_required is not None:
        settings.tax_details_required = tax_details_required
    if schedule is not None:
        settings.schedule = schedule
        if schedule == PayoutSchedule.MANUAL and schedule_day is None:
            settings.schedule_day = None
    if schedule_day is not None:
        settings.schedule_day = schedule_day
    if sepa_debtor_name is not None:
        settings.sepa_debtor_name = sepa_debtor_name
    if sepa_debtor_iban is not None:
        settings.sepa_debtor_iban = sepa_debtor_iban.replace(" ", "").upper()
    if sepa_debtor_bic is not None:
        settings.sepa_debtor_bic = sepa_debtor_bic.upper()
    _check(
        minimums=settings.minimums,
        schedule=settings.schedule,
        schedule_day=settings.schedule_day,
        debtor_iban=settings.sepa_debtor_iban,
    )
    settings.updated_at = timezone.now()
    settings.save()
    return settings
