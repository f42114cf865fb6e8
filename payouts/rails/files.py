"""Which payouts of a run go in which file, and the file's name and type."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils import timezone

from payouts.rails.generic_csv import generic_csv
from payouts.rails.paypal import paypal_csv
from payouts.rails.sepa import sepa_xml
from payouts.run_errors import PayoutFileUnavailable
from payouts.run_models import Payout, PayoutRun, PayoutStatus
from payouts.selectors.settings import payout_settings_get

RAILS = ("sepa", "paypal", "csv")


@dataclass(frozen=True)
class RunFile:
    content: bytes
    filename: str
    content_type: str


def _to_send(run: PayoutRun) -> list[Payout]:
    # What is still to be sent: pending or processing, with an amount.
    return list(
        run.payouts.filter(
            status__in=[PayoutStatus.PENDING, PayoutStatus.PROCESSING], amount_cents__gt=0
        )
        .select_related("payout_account", "partner", "merchant")
        .order_by("created_at", "id")
    )


def run_file(*, run: PayoutRun, rail: str) -> RunFile:
    test = run.mode == "test"
    stem = f"{'TEST-' if test else ''}payouts-{run.created_at:%Y%m%d}-{str(run.pk)[-12:]}"
    payouts = _to_send(run)
    if rail == "sepa":
        settings = payout_settings_get(merchant=run.merchant, mode=run.mode)
        if not (settings.sepa_debtor_name and settings.sepa_debtor_iban):
            raise PayoutFileUnavailable(
                "Set the debtor name and IBAN in the payout settings to export SEPA files"
            )
        sepa = [p for p in payouts if p.rail == "sepa" and p.currency == "EUR"]
        if not sepa:
            raise PayoutFileUnavailable("This run has no EUR payout to a SEPA account")
        content = sepa_xml(
            payouts=sepa, settings=settings, test=test, execution_date=timezone.now().date()
        )
        return RunFile(content, f"{stem}-sepa.xml", "application/xml")
    if rail == "paypal":
        paypal = [p for p in payouts if p.rail == "paypal"]
        if not paypal:
            raise PayoutFileUnavailable("This run has no payout to a PayPal account")
        return RunFile(paypal_csv(payouts=paypal, test=test), f"{stem}-paypal.csv", "text/csv")
    return RunFile(generic_csv(payouts=payouts, test=test), f"{stem}.csv", "text/csv")
