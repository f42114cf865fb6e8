"""The monthly schedule: on its day, a merchant gets a draft run and an email about it."""

from __future__ import annotations

import logging
from datetime import date

from django.conf import settings as django_settings
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts import selectors as accounts_selectors
from accounts.models import Role
from payouts.run_models import PayoutRun, PayoutSchedule, PayoutSettings
from payouts.services.runs import payout_run_create
from selgeo.currencies import format_amount

logger = logging.getLogger(__name__)


def scheduled_runs_prepare(*, today: date | None = None) -> int:
    """Create this month's run for each merchant and mode whose payout day is today;
    returns how many were created. Idempotent per merchant, mode and month (a unique
    constraint), so a beat that fires twice, or two beats, prepare one run."""
    today = today or timezone.now().date()
    month = today.replace(day=1)
    created = 0
    due = PayoutSettings.objects.select_related("merchant").filter(
        schedule=PayoutSchedule.MONTHLY, schedule_day=today.day
    )
    for payout_settings in due:
        merchant, mode = payout_settings.merchant, payout_settings.mode
        if PayoutRun.objects.filter(merchant=merchant, mode=mode, scheduled_month=month).exists():
            continue
        try:
            with transaction.atomic():
                run = payout_run_create(
                    merchant=merchant, mode=mode, created_by="schedule", scheduled_month=month
                )
        except IntegrityError:
            continue
        created += 1
        _notify(run)
    return created


def _notify(run: PayoutRun) -> None:
    recipients = [
        m.user.email
        for m in accounts_selectors.members_of(merchant=run.merchant)
        if m.role in (Role.OWNER, Role.ADMIN) and m.user.is_active
    ]
    if not recipients:
        return
    totals = run.payouts.values_list("currency", "amount_cents")
    per_currency: dict[str, int] = {}
    for currency, amount in totals:
        per_currency[currency] = per_currency.get(currency, 0) + amount
    summary = ", ".join(format_amount(v, k) for k, v in sorted(per_currency.items())) or "nothing"
    test = "TEST " if run.mode == "test" else ""
    try:
        send_mail(
            subject=f"Selgeo: {test}payout run for {run.scheduled_month:%B %Y} is ready",
            message=(
                f"Your monthly {test}payout run ({run.mode} mode) was prepared: "
                f"{run.partners_total} payout(s) planned, {summary}.\n\n"
                "Review it, download the bank or PayPal file and mark it paid at "
                f"{django_settings.SELGEO_PUBLIC_URL}/dashboard/payouts/runs/{run.pk}/"
            ),
            from_email=None,
            recipient_list=recipients,
        )
    except OSError:
        logger.exception("Could not email the admins of merchant %s", run.merchant_id)
