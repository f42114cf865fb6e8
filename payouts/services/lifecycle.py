"""A payout's lifecycle: pending → processing → paid | failed.

Every transition is one conditional `UPDATE … WHERE status = <from>` that emits its
event in the same transaction; asking again for the status a payout already has
changes nothing and emits nothing. `paid` marks the claimed commissions paid and
the adjustments whose whole amount is now deducted applied; `failed` releases its
claims (they stop being live), so the commissions and deductions are paid again by
a later run.
"""

from __future__ import annotations

import uuid
from datetime import datetime

from django.db import transaction
from django.db.models import Sum
from django.utils import timezone

from accounts.models import Merchant
from conversions.models import CommissionAdjustment
from conversions.services import adjustments_mark_applied, commissions_mark_paid
from notifications.models import Kind
from notifications.services import notify_after_commit
from payouts.representations import payout_data
from payouts.run_errors import PayoutTransitionRefused
from payouts.run_models import Payout, PayoutAdjustment, PayoutCommission, PayoutStatus
from selgeo.api.errors import NotFound, ValidationFailed
from webhooks.services import emit

ALLOWED: dict[str, set[str]] = {
    PayoutStatus.PENDING: {PayoutStatus.PROCESSING, PayoutStatus.PAID, PayoutStatus.FAILED},
    PayoutStatus.PROCESSING: {PayoutStatus.PAID, PayoutStatus.FAILED},
    PayoutStatus.PAID: set(),
    PayoutStatus.FAILED: set(),
}
EVENTS: dict[str, str] = {PayoutStatus.PAID: "payout.paid", PayoutStatus.FAILED: "payout.failed"}
_STAMP: dict[str, str] = {
    PayoutStatus.PROCESSING: "processing_at",
    PayoutStatus.PAID: "paid_at",
    PayoutStatus.FAILED: "failed_at",
}


@transaction.atomic
def payout_transition(
    *,
    merchant: Merchant,
    mode: str,
    payout_id: uuid.UUID,
    to: str,
    reference: str = "",
    failure_reason: str = "",
) -> Payout:
    """Move one payout of this merchant and mode to `to`; idempotent."""
    if to not in _STAMP:
        raise ValidationFailed.field("status", "One of processing, paid, failed")
    while True:
        current = (
            Payout.objects.filter(pk=payout_id, merchant=merchant, mode=mode)
            .values_list("status", flat=True)
            .first()
        )
        if current is None:
            raise NotFound("Payout not found")
        if current == to:
            return Payout.objects.select_related("partner", "payout_account").get(pk=payout_id)
        if to not in ALLOWED[current]:
            raise PayoutTransitionRefused(f"A {current} payout cannot become {to}")
        now = timezone.now()
        changes: dict[str, object] = {"status": to, _STAMP[to]: now}
        if reference:
            changes["reference"] = reference[:140]
        if to == PayoutStatus.FAILED:
            changes["failure_reason"] = failure_reason[:500]
        # Another request may have moved it meanwhile: then read it again and decide anew.
        if Payout.objects.filter(pk=payout_id, status=current).update(**changes) == 1:
            break
    if to == PayoutStatus.PAID:
        _settle(payout_id=payout_id, now=now)
    elif to == PayoutStatus.FAILED:
        PayoutCommission.objects.filter(payout_id=payout_id, live=True).update(live=False)
        PayoutAdjustment.objects.filter(payout_id=payout_id, live=True).update(live=False)
    payout = Payout.objects.select_related("partner", "payout_account").get(pk=payout_id)
    if to in EVENTS:
        emit(merchant=merchant, mode=mode, type=EVENTS[to], data=payout_data(payout))
    if to == PayoutStatus.PAID:
        notify_after_commit(kind=Kind.PAYOUT_SENT, subject_ids=[payout_id])
    return payout


def _settle(*, payout_id: uuid.UUID, now: datetime) -> None:
    commission_ids = list(
        PayoutCommission.objects.filter(payout_id=payout_id).values_list("commission_id", flat=True)
    )
    commissions_mark_paid(commission_ids=commission_ids, paid_at=now)
    adjustment_ids = list(
        PayoutAdjustment.objects.filter(payout_id=payout_id).values_list("adjustment_id", flat=True)
    )
    if not adjustment_ids:
        return
    # An adjustment is applied once paid payouts have deducted all of it.
    paid = dict(
        PayoutAdjustment.objects.filter(
            adjustment_id__in=adjustment_ids, live=True, payout__status=PayoutStatus.PAID
        )
        .values("adjustment_id")
        .annotate(total=Sum("amount_cents"))
        .values_list("adjustment_id", "total")
    )
    complete = [
        pk
        for pk, amount in CommissionAdjustment.objects.filter(pk__in=adjustment_ids).values_list(
            "id", "amount_cents"
        )
        if paid.get(pk) == amount
    ]
    adjustments_mark_applied(adjustment_ids=complete, applied_at=now)


def payout_run_transition(
    *,
    merchant: Merchant,
    mode: str,
    run_id: uuid.UUID,
    to: str,
    reference: str = "",
    failure_reason: str = "",
) -> int:
    """Move every payout of a run that can go to `to`; returns how many moved."""
    from payouts.run_models import PayoutRun

    if not PayoutRun.objects.filter(pk=run_id, merchant=merchant, mode=mode).exists():
        raise NotFound("Payout run not found")
    if to not in _STAMP:
        raise ValidationFailed.field("status", "One of processing, paid, failed")
    sources = [status for status, targets in ALLOWED.items() if to in targets]
    moved = 0
    for payout_id in Payout.objects.filter(run_id=run_id, status__in=sources).values_list(
        "id", flat=True
    ):
        payout_transition(
            merchant=merchant,
            mode=mode,
            payout_id=payout_id,
            to=to,
            reference=reference,
            failure_reason=failure_reason,
        )
        moved += 1
    return moved
