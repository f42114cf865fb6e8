"""Raw rows for the stats tests, written as the services write them, at chosen moments.

`sale` records a conversion (and, when attributed, its 10% commission) with its amounts
in USD as the reporting currency: a EUR sale's reporting amount is 1.1 times its amount.
"""

from __future__ import annotations

import itertools
from datetime import datetime, timedelta
from typing import Any

from accounts.models import Merchant, Partner
from conversions.models import Commission, Conversion
from partners.models import Program
from tracking.models import Click

_numbers = itertools.count()


def clicks(
    program: Program, partner: Partner, at: datetime, n: int = 1, *, bot: bool = False
) -> None:
    Click.objects.bulk_create(
        Click(
            merchant_id=program.merchant_id,
            mode=program.mode,
            program=program,
            partner=partner,
            is_bot=bot,
            created_at=at,
            expires_at=at + timedelta(days=30),
        )
        for _ in range(n)
    )


def reported(amount: int | None, currency: str) -> int | None:
    if amount is None:
        return None
    return amount if currency == "USD" else amount * 11 // 10


def sale(
    program: Program | None,
    partner: Partner | None,
    at: datetime,
    amount: int | None = 1000,
    *,
    currency: str = "EUR",
    merchant: Merchant | None = None,
    mode: str | None = None,
    status: str = "pending",
    reporting: bool = True,
) -> tuple[Conversion, Commission | None]:
    """A conversion created at `at`: attributed (with a commission) when a program is given.

    `reporting=False` records no reporting amounts, as when no stored rate had the currency.
    """
    attributed = program is not None and partner is not None
    number = next(_numbers)
    conversion = Conversion.objects.create(
        merchant_id=merchant.pk if merchant else program.merchant_id,  # type: ignore[union-attr]
        mode=mode or program.mode,  # type: ignore[union-attr]
        program=program,
        partner=partner,
        event_type="purchase",
        external_transaction_id=f"stats-{number}",
        amount_cents=amount,
        currency=currency,
        reporting_currency="USD",
        reporting_amount_cents=reported(amount, currency) if reporting else None,
        status=status if attributed else "approved",
        attributed=attributed,
        attribution_explanation={
            "code": "attributed" if attributed else "no_signal",
            "message": "Recorded by the stats tests",
        },
        occurred_at=at,
        created_at=at,
    )
    if not attributed:
        return conversion, None
    assert program is not None and partner is not None
    cut = (amount or 0) // 10
    commission = Commission.objects.create(
        conversion=conversion,
        merchant_id=program.merchant_id,
        mode=program.mode,
        partner=partner,
        program=program,
        kind="cps",
        rate_bps=1000,
        amount_cents=cut,
        currency=currency,
        reporting_currency="USD",
        reporting_amount_cents=reported(cut, currency) if reporting else None,
        status="pending" if status == "pending" else "approved",
        approve_after=at,
        created_at=at,
    )
    return conversion, commission


def raw_expectation(**scope: Any) -> dict[str, Any]:
    """Figures counted straight from the raw rows (no rollup), for comparison."""
    conversions = Conversion.objects.filter(**scope)
    commissions = Commission.objects.filter(**scope)
    counted = conversions.filter(attributed=True).exclude(status="reversed")
    return {
        "received": conversions.count(),
        "conversions": counted.count(),
        "approved": counted.filter(status="approved").count(),
        "reversed": conversions.filter(attributed=True, status="reversed").count(),
        "revenue": sum(c.reporting_amount_cents or 0 for c in counted),
        "commissions": {
            status: sum(c.reporting_amount_cents or 0 for c in commissions.filter(status=status))
            for status in ("pending", "approved", "paid", "reversed")
        },
        "clicks": Click.objects.filter(**scope).count(),
        "bots": Click.objects.filter(is_bot=True, **scope).count(),
    }
