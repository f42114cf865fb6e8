"""PayPal Payouts batch upload (the mass payment CSV): one line per payout with the
recipient's email, the amount in major units, the currency, a unique id and a note.
The format has no header line."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence

from payouts.rails.text import major_units, safe_cell
from payouts.run_models import Payout


def paypal_csv(*, payouts: Sequence[Payout], test: bool) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    prefix = "TEST " if test else ""
    for payout in payouts:
        account = payout.payout_account
        assert account is not None
        writer.writerow(
            [
                safe_cell(account.paypal_email),
                major_units(payout.amount_cents, payout.currency),
                payout.currency,
                payout.pk.hex,
                f"{prefix}Selgeo payout from {safe_cell(payout.merchant.name)}",
            ]
        )
    return out.getvalue().encode()
