"""Reads of payout runs: the preview of what each partner would be paid, runs, payouts,
statements, and a partner's balance waiting.

The preview is one grouped SQL statement over the merchant's approved commissions not
claimed by a live payout and its open adjustments (less what live payouts already
deduct from them), joined to each partner's payout account and tax profile.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.db import connection
from django.db.models import F, OuterRef, Q, QuerySet, Subquery, Sum
from django.db.models.functions import Coalesce

from accounts.models import Merchant, Partner
from conversions.models import (
    AdjustmentStatus,
    Commission,
    CommissionAdjustment,
    CommissionStatus,
)
from payouts.run_models import (
    Payout,
    PayoutAdjustment,
    PayoutCommission,
    PayoutRun,
    PayoutSchedule,
    PayoutSettings,
)
from payouts.selectors.accounts import partners_with_tax_in_effect
from payouts.selectors.settings import minimum_for, payout_settings_get


class Reason:
    """Why a partner is not payable, as stable codes (the API and CSV use them)."""

    BELOW_MINIMUM = "below_minimum"
    NO_PAYOUT_METHOD = "no_payout_method"
    TAX_DETAILS_MISSING = "tax_details_missing"
    ERASED = "erased"


REASONS = (
    Reason.BELOW_MINIMUM,
    Reason.NO_PAYOUT_METHOD,
    Reason.TAX_DETAILS_MISSING,
    Reason.ERASED,
)


@dataclass
class PreviewRow:
    partner_id: uuid.UUID
    display_name: str
    currency: str
    commissions_count: int
    commissions_cents: int
    adjustments_count: int
    adjustments_cents: int
    minimum_cents: int
    method: str | None
    reasons: list[str] = field(default_factory=list)

    @property
    def net_cents(self) -> int:
        return self.commissions_cents + self.adjustments_cents

    @property
    def payable(self) -> bool:
        return not self.reasons

    @property
    def target(self) -> str:
        return f"{self.partner_id}:{self.currency}"


_PREVIEW_SQL = """
WITH owed AS (
    SELECT cm.partner_id, cm.currency, COUNT(*) AS n, SUM(cm.amount_cents) AS total
    FROM conversions_commission cm
    WHERE cm.merchant_id = %(merchant)s AND cm.mode = %(mode)s AND cm.status = %(approved)s
      AND NOT EXISTS (
          SELECT 1 FROM payouts_payoutcommission pc
          WHERE pc.commission_id = cm.id AND pc.live = %(true)s
      )
    GROUP BY cm.partner_id, cm.currency
), open_adjustments AS (
    SELECT partner_id, currency, COUNT(*) AS n, SUM(remaining) AS total
    FROM (
        SELECT ad.partner_id, ad.currency,
               ad.amount_cents - COALESCE((
                   SELECT SUM(pa.amount_cents) FROM payouts_payoutadjustment pa
                   WHERE pa.adjustment_id = ad.id AND pa.live = %(true)s
               ), 0) AS remaining
        FROM conversions_commissionadjustment ad
        WHERE ad.merchant_id = %(merchant)s AND ad.mode = %(mode)s AND ad.status = %(open)s
    ) AS per_adjustment
    WHERE remaining < 0
    GROUP BY partner_id, currency
), balances AS (
    SELECT partner_id, currency FROM owed
    UNION
    SELECT partner_id, currency FROM open_adjustments
)
SELECT b.partner_id, b.currency, p.display_name, p.erased_at IS NOT NULL,
       COALESCE(o.n, 0), COALESCE(o.total, 0), COALESCE(a.n, 0), COALESCE(a.total, 0),
       acc.method, tp.id IS NOT NULL
FROM balances b
JOIN accounts_partner p ON p.id = b.partner_id
LEFT JOIN owed o ON o.partner_id = b.partner_id AND o.currency = b.currency
LEFT JOIN open_adjustments a ON a.partner_id = b.partner_id AND a.currency = b.currency
LEFT JOIN payouts_payoutaccount acc ON acc.partner_id = b.partner_id AND acc.is_active = %(true)s
LEFT JOIN payouts_taxprofile tp ON tp.partner_id = b.partner_id
ORDER BY p.display_name, b.partner_id, b.currency
"""


def _db_uuid(value: uuid.UUID) -> Any:
    return Merchant._meta.pk.get_db_prep_value(value, connection)


def _as_uuid(value: Any) -> uuid.UUID:
    # PostgreSQL answers UUIDs; SQLite their hex text.
    return value if isinstance(value, uuid.UUID) else uuid.UUID(value)


def preview(*, merchant: Merchant, mode: str) -> list[PreviewRow]:
    """Every partner and currency with something owed or owing, and why it is not payable."""
    settings = payout_settings_get(merchant=merchant, mode=mode)
    with connection.cursor() as cursor:
        cursor.execute(
            _PREVIEW_SQL,
            {
                "merchant": _db_uuid(merchant.pk),
                "mode": mode,
                "approved": CommissionStatus.APPROVED.value,
                "open": AdjustmentStatus.OPEN.value,
                "true": True,
            },
        )
        records = cursor.fetchall()
    # The SQL knows a profile exists; whether its form is signed and still in effect is
    # the accounts rule, asked once for all of them.
    in_effect = partners_with_tax_in_effect([_as_uuid(r[0]) for r in records if r[-1]])
    rows = []
    for (
        partner_id,
        currency,
        display_name,
        erased,
        c_count,
        c_total,
        a_count,
        a_total,
        method,
        has_tax,
    ) in records:
        row = PreviewRow(
            partner_id=_as_uuid(partner_id),
            display_name=display_name,
            currency=currency,
            commissions_count=int(c_count),
            commissions_cents=int(c_total),
            adjustments_count=int(a_count),
            adjustments_cents=int(a_total),
            minimum_cents=minimum_for(settings, currency),
            method=method,
        )
        has_tax = bool(has_tax) and row.partner_id in in_effect
        row.reasons = _reasons(row, erased=bool(erased), has_tax=has_tax, settings=settings)
        rows.append(row)
    return rows


def _reasons(
    row: PreviewRow, *, erased: bool, has_tax: bool, settings: PayoutSettings
) -> list[str]:
    reasons = []
    if row.net_cents <= 0 or row.net_cents < row.minimum_cents:
        reasons.append(Reason.BELOW_MINIMUM)
    if row.method is None:
        reasons.append(Reason.ERASED if erased else Reason.NO_PAYOUT_METHOD)
    if settings.tax_details_required and not has_tax:
        reasons.append(Reason.TAX_DETAILS_MISSING)
    return reasons


def preview_filtered(
    rows: list[PreviewRow],
    *,
    payable: bool | None = None,
    currency: str | None = None,
    reason: str | None = None,
    partner: uuid.UUID | None = None,
    search: str | None = None,
) -> list[PreviewRow]:
    """The rows the filters keep; `search` finds a partner by a part of its name,
    whatever the case, or by its whole id."""
    needle = (search or "").strip().casefold()
    return [
        row
        for row in rows
        if (payable is None or row.payable == payable)
        and (not currency or row.currency == currency)
        and (not reason or reason in row.reasons)
        and (partner is None or row.partner_id == partner)
        and (not needle or needle in row.display_name.casefold() or needle == str(row.partner_id))
    ]


def runs_for(*, merchant: Merchant, mode: str) -> QuerySet[PayoutRun]:
    return PayoutRun.objects.filter(merchant=merchant, mode=mode).order_by("-created_at")


def payouts_for(*, merchant: Merchant, mode: str) -> QuerySet[Payout]:
    return (
        Payout.objects.filter(merchant=merchant, mode=mode)
        .select_related("partner", "payout_account")
        .order_by("-created_at", "-id")
    )


def payouts_filtered(
    qs: QuerySet[Payout],
    *,
    status: str | None = None,
    run: uuid.UUID | None = None,
    partner: uuid.UUID | None = None,
) -> QuerySet[Payout]:
    if status:
        qs = qs.filter(status=status)
    if run:
        qs = qs.filter(run_id=run)
    if partner:
        qs = qs.filter(partner_id=partner)
    return qs


def payouts_of_partner(*, partner: Partner, mode: str) -> QuerySet[Payout]:
    return (
        Payout.objects.filter(partner=partner, mode=mode)
        .select_related("merchant", "payout_account")
        .order_by("-created_at", "-id")
    )


def run_totals(run: PayoutRun) -> list[dict[str, Any]]:
    """Per currency and status: how many payouts and how much."""
    rows: list[dict[str, Any]] = [
        dict(row)
        for row in run.payouts.values("currency", "status")
        .annotate(total=Sum("amount_cents"))
        .order_by("currency", "status")
    ]
    return rows


@dataclass
class Statement:
    payout: Payout
    commissions: list[tuple[Commission, int]]
    adjustments: list[tuple[CommissionAdjustment, int]]


def statement(payout: Payout) -> Statement:
    """What a payout is made of: each commission it pays and each deduction it makes."""
    commission_claims = (
        PayoutCommission.objects.filter(payout=payout)
        .select_related("commission__program", "commission__conversion")
        .order_by("commission__created_at", "commission_id")
    )
    adjustment_claims = (
        PayoutAdjustment.objects.filter(payout=payout)
        .select_related("adjustment__commission")
        .order_by("adjustment__created_at", "adjustment_id")
    )
    return Statement(
        payout=payout,
        commissions=[(c.commission, c.amount_cents) for c in commission_claims],
        adjustments=[(a.adjustment, a.amount_cents) for a in adjustment_claims],
    )


def next_payout_date(settings: PayoutSettings, today: date) -> date | None:
    """The next scheduled run date (monthly on day N), None for a manual schedule."""
    if settings.schedule != PayoutSchedule.MONTHLY or settings.schedule_day is None:
        return None
    day = settings.schedule_day
    if today.day <= day:
        return today.replace(day=day)
    year, month = (today.year + 1, 1) if today.month == 12 else (today.year, today.month + 1)
    return date(year, month, day)


@dataclass
class Balance:
    merchant: Merchant
    currency: str
    pending_cents: int
    approved_cents: int
    in_payout_cents: int
    open_adjustments_cents: int
    minimum_cents: int
    next_payout_date: date | None


def _owed_back(*, partner: Partner, mode: str) -> dict[tuple[Any, str], int]:
    """What the partner's open adjustments still deduct, per merchant and currency.

    An adjustment stays open until paid payouts have deducted all of it, so the parts
    that live payouts (pending, processing, or paid for part of a larger debt) already
    take are not owed back again; a failed payout's parts are released and count again.
    """
    taken = (
        PayoutAdjustment.objects.filter(adjustment=OuterRef("pk"), live=True)
        .values("adjustment")
        .annotate(total=Sum("amount_cents"))
        .values("total")
    )
    owed: dict[tuple[Any, str], int] = {}
    for merchant_id, currency, remaining in (
        CommissionAdjustment.objects.filter(
            partner=partner, mode=mode, status=AdjustmentStatus.OPEN
        )
        .annotate(remaining=F("amount_cents") - Coalesce(Subquery(taken), 0))
        .values_list("merchant_id", "currency", "remaining")
    ):
        if remaining < 0:
            key = (merchant_id, currency)
            owed[key] = owed.get(key, 0) + remaining
    return owed


def partner_balances(*, partner: Partner, mode: str, today: date) -> list[Balance]:
    """What the partner waits for, per merchant and currency."""
    live_claim = PayoutCommission.objects.filter(live=True, payout__partner=partner)
    waiting = (
        Commission.objects.filter(
            partner=partner,
            mode=mode,
            status__in=[CommissionStatus.PENDING, CommissionStatus.APPROVED],
        )
        .values("merchant_id", "currency")
        .annotate(
            pending=Sum("amount_cents", filter=Q(status=CommissionStatus.PENDING), default=0),
            approved=Sum(
                "amount_cents",
                filter=Q(status=CommissionStatus.APPROVED)
                & ~Q(pk__in=live_claim.values("commission_id")),
                default=0,
            ),
            in_payout=Sum(
                "amount_cents",
                filter=Q(status=CommissionStatus.APPROVED)
                & Q(pk__in=live_claim.values("commission_id")),
                default=0,
            ),
        )
    )
    owed = _owed_back(partner=partner, mode=mode)
    keys: dict[tuple[Any, str], dict[str, Any]] = {
        (row["merchant_id"], row["currency"]): dict(row) for row in waiting
    }
    for key in owed:
        keys.setdefault(key, {"pending": 0, "approved": 0, "in_payout": 0})
    merchants = Merchant.objects.in_bulk({merchant_id for merchant_id, _ in keys})
    settings = {
        s.merchant_id: s
        for s in PayoutSettings.objects.filter(merchant_id__in=list(merchants), mode=mode)
    }
    balances = []
    for (merchant_id, currency), row in sorted(
        keys.items(), key=lambda item: (merchants[item[0][0]].name, item[0][1])
    ):
        merchant = merchants[merchant_id]
        merchant_settings = settings.get(merchant_id) or PayoutSettings(
            merchant=merchant, mode=mode
        )
        balances.append(
            Balance(
                merchant=merchant,
                currency=currency,
                pending_cents=row["pending"],
                approved_cents=row["approved"],
                in_payout_cents=row["in_payout"],
                open_adjustments_cents=owed.get((merchant_id, currency), 0),
                minimum_cents=minimum_for(merchant_settings, currency),
                next_payout_date=next_payout_date(merchant_settings, today),
            )
        )
    return balances
