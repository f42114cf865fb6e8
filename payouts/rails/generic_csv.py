"""A generic CSV of a run's payouts, for any bank or a manual payment: one line per
payout with its destination in full (it is a payment instruction) and a TEST column."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence

from payouts.rails.text import major_units, safe_cell
from payouts.run_models import Payout

HEADER = [
    "test",
    "payout_id",
    "partner_id",
    "partner_name",
    "rail",
    "account_holder",
    "destination",
    "bic",
    "amount",
    "amount_cents",
    "currency",
    "status",
    "reference",
]


def _destination(payout: Payout) -> tuple[str, str, str]:
    account = payout.payout_account
    if account is None:
        return "", "", ""
    if account.method == "sepa":
        return account.account_holder, account.iban, account.bic
    if account.method == "paypal":
        return "", account.paypal_email, ""
    if account.method == "bitcoin":
        return "", account.bitcoin_address, ""
    return "", account.instructions, ""


def generic_csv(*, payouts: Sequence[Payout], test: bool) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(HEADER)
    for payout in payouts:
        holder, destination, bic = _destination(payout)
        writer.writerow(
            [
                "TEST" if test else "",
                str(payout.pk),
                str(payout.partner_id),
                safe_cell(payout.partner.display_name),
                payout.rail,
                safe_cell(holder),
                safe_cell(destination),
                bic,
                major_units(payout.amount_cents, payout.currency),
                payout.amount_cents,
                payout.currency,
                payout.status,
                safe_cell(payout.reference),
            ]
        )
    return out.getvalue().encode()
