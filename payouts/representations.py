"""Payouts and runs as the API, the webhooks and the files show them.

A payout's destination is named by its rail and masked (`iban_last4`, the PayPal
address's domain kept, never the full account) wherever it is shown.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from payouts.run_models import Payout, PayoutRun
from payouts.selectors.runs import PreviewRow
from selgeo.api.serializers import moment_text


def _moment(value: datetime | None) -> str | None:
    return None if value is None else moment_text(value)


def destination_masked(payout: Payout) -> str:
    account = payout.payout_account
    if account is None:
        return ""
    if account.method == "sepa":
        return f"IBAN ••••{account.iban_last4}"
    if account.method == "paypal":
        _, _, domain = account.paypal_email.partition("@")
        return f"PayPal ••••@{domain}"
    if account.method == "bitcoin":
        return f"Bitcoin ••••{account.bitcoin_address[-4:]}"
    return "Manual"


def payout_data(payout: Payout) -> dict[str, Any]:
    """The payout as its webhooks (`payout.created|paid|failed`) and the API show it."""
    return {
        "id": str(payout.pk),
        "run_id": str(payout.run_id),
        "partner_id": str(payout.partner_id),
        "amount_cents": payout.amount_cents,
        "commissions_cents": payout.commissions_cents,
        "adjustments_cents": payout.adjustments_cents,
        "currency": payout.currency,
        "rail": payout.rail,
        "status": payout.status,
        "reference": payout.reference,
        "failure_reason": payout.failure_reason,
        "created_at": _moment(payout.created_at),
        "processing_at": _moment(payout.processing_at),
        "paid_at": _moment(payout.paid_at),
        "failed_at": _moment(payout.failed_at),
    }


def payout_detail_data(payout: Payout) -> dict[str, Any]:
    return {
        **payout_data(payout),
        "mode": payout.mode,
        "partner": {"id": str(payout.partner_id), "display_name": payout.partner.display_name},
        "destination": destination_masked(payout),
    }


def partner_payout_data(payout: Payout) -> dict[str, Any]:
    data = payout_data(payout)
    data.pop("run_id")
    return {
        **data,
        "mode": payout.mode,
        "merchant": {"id": str(payout.merchant_id), "name": payout.merchant.name},
        "destination": destination_masked(payout),
    }


def run_data(run: PayoutRun) -> dict[str, Any]:
    total = run.partners_total
    return {
        "id": str(run.pk),
        "mode": run.mode,
        "test": run.mode == "test",
        "status": run.status,
        "scheduled_month": run.scheduled_month.isoformat() if run.scheduled_month else None,
        "progress": {
            "done": run.partners_done,
            "total": total,
            "percent": 100 if total == 0 else (run.partners_done * 100) // total,
        },
        "created_at": _moment(run.created_at),
        "built_at": _moment(run.built_at),
    }


PREVIEW_CSV_HEADER = [
    "partner_id",
    "partner_name",
    "currency",
    "commissions_count",
    "commissions_cents",
    "adjustments_count",
    "adjustments_cents",
    "net_cents",
    "minimum_cents",
    "method",
    "payable",
    "reasons",
]


def preview_csv_row(row: PreviewRow) -> list[Any]:
    """A preview row as the API's and the dashboard's CSV write it (text still to guard)."""
    return [
        str(row.partner_id),
        row.display_name,
        row.currency,
        row.commissions_count,
        row.commissions_cents,
        row.adjustments_count,
        row.adjustments_cents,
        row.net_cents,
        row.minimum_cents,
        row.method or "",
        "true" if row.payable else "false",
        " ".join(row.reasons),
    ]
