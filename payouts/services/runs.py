"""Payout runs: pick what to pay, build one payout per partner and currency.

Each payout claims its commissions with one `INSERT … SELECT … ON CONFLICT DO NOTHING`
against the partial unique index on live claims: a commission another run claimed
(committed or not: the insert waits for the other transaction) is skipped, so any
number of concurrent runs pay each commission exactly once. Open adjustments are then
locked (FOR UPDATE) and deducted oldest first, each for as much as the commissions
cover; what is left of an adjustment stays open for the next payout. A payout whose
deductions cover all its commissions pays nothing: it is settled at once (its
commissions paid, the deducted parts applied) and the rest of the debt carries forward.
"""

from __future__ import annotations

import logging
import uuid
from datetime import date, datetime
from typing import Any

from django.db import OperationalError, connection, transaction
from django.db.models import Sum
from django.utils import timezone

from accounts.models import Merchant, Partner
from conversions.models import AdjustmentStatus, CommissionAdjustment, CommissionStatus
from payouts.models import PayoutMethod
from payouts.representations import payout_data
from payouts.run_models import (
    Payout,
    PayoutAdjustment,
    PayoutRun,
    PayoutStatus,
    RunStatus,
)
from payouts.selectors.accounts import payout_destination
from payouts.selectors.runs import Reason, preview
from payouts.services import lifecycle
from selgeo.api.errors import ValidationFailed
from selgeo.ids import uuid7
from webhooks.services import emit

logger = logging.getLogger(__name__)

# Runs with at most this many payouts are built inline; larger ones by a Celery task.
INLINE_BUILD_LIMIT = 50
# Payouts built per transaction (and how often the progress moves).
BATCH_SIZE = 50
# Reasons a merchant may override by naming the partner (the minimum is its own rule).
_OVERRIDABLE = {Reason.BELOW_MINIMUM}

_CLAIM_SQL = """
INSERT INTO payouts_payoutcommission (payout_id, commission_id, amount_cents, live)
SELECT %(payout)s, cm.id, cm.amount_cents, %(true)s
FROM conversions_commission cm
WHERE cm.merchant_id = %(merchant)s AND cm.mode = %(mode)s AND cm.partner_id = %(partner)s
  AND cm.currency = %(currency)s AND cm.status = %(approved)s
ORDER BY cm.id
ON CONFLICT (commission_id) WHERE live DO NOTHING
RETURNING amount_cents
"""


def _db(value: uuid.UUID) -> Any:
    return Payout._meta.pk.get_db_prep_value(value, connection)


def run_targets(*, merchant: Merchant, mode: str, partner_ids: list[uuid.UUID] | None) -> list[str]:
    """`partner:currency` pairs to pay: every payable one, or the named partners' ones
    that are payable but for the minimum (the merchant's choice) and net positive."""
    rows = preview(merchant=merchant, mode=mode)
    if partner_ids is None:
        return [row.target for row in rows if row.payable]
    wanted = set(partner_ids)
    return [
        row.target
        for row in rows
        if row.partner_id in wanted and set(row.reasons) <= _OVERRIDABLE and row.net_cents > 0
    ]


@transaction.atomic
def payout_run_create(
    *,
    merchant: Merchant,
    mode: str,
    partner_ids: list[uuid.UUID] | None = None,
    created_by: str = "",
    scheduled_month: date | None = None,
) -> PayoutRun:
    """Create a run of what is payable now; small runs are built before this returns,
    larger ones by `payouts.build_run` once the transaction commits."""
    targets = run_targets(merchant=merchant, mode=mode, partner_ids=partner_ids)
    if partner_ids is not None and not targets:
        raise ValidationFailed.field("partner_ids", "None of these partners can be paid now")
    run = PayoutRun.objects.create(
        merchant=merchant,
        mode=mode,
        targets=targets,
        partners_total=len(targets),
        created_by=created_by,
        scheduled_month=scheduled_month,
    )
    if len(targets) <= INLINE_BUILD_LIMIT:
        payout_run_build(run_id=run.pk)
        run.refresh_from_db()
    else:
        from payouts.tasks import build_run

        transaction.on_commit(lambda: build_run.delay(str(run.pk)))
    return run


def payout_run_build(*, run_id: uuid.UUID) -> PayoutRun:
    """Build (or resume building) a run, a batch of payouts per transaction with the
    progress written in it. Idempotent: a target the run already pays is skipped, and a
    run already built is left as it is."""
    run = PayoutRun.objects.select_related("merchant").get(pk=run_id)
    if run.status == RunStatus.READY:
        return run
    done = {
        f"{partner_id}:{currency}"
        for partner_id, currency in run.payouts.values_list("partner_id", "currency")
    }
    targets = run.targets
    for start in range(0, len(targets), BATCH_SIZE):
        batch = [target for target in targets[start : start + BATCH_SIZE] if target not in done]
        _batch_build(run=run, batch=batch, done_after=min(start + BATCH_SIZE, len(targets)))
    PayoutRun.objects.filter(pk=run.pk).update(
        partners_done=len(targets), status=RunStatus.READY, built_at=timezone.now()
    )
    run.refresh_from_db()
    return run


def _batch_build(*, run: PayoutRun, batch: list[str], done_after: int, attempts: int = 3) -> None:
    # Concurrent runs go through the partners in the same order, so they wait for one
    # another rather than deadlock; should PostgreSQL still abort a batch for a lock
    # conflict, the batch (rolled back whole) is simply built again.
    for attempt in range(attempts):
        try:
            with transaction.atomic():
                # The batch's partners in one query; each payout then reads its
                # destination with one more (`payouts.selectors.payout_destination`).
                pairs = [target.split(":") for target in batch]
                partners = Partner.objects.in_bulk([uuid.UUID(pk) for pk, _ in pairs])
                for partner_id, currency in pairs:
                    partner = partners.get(uuid.UUID(partner_id))
                    if partner is not None:  # a partner row deleted since: nothing to pay
                        _payout_build(run=run, partner=partner, currency=currency)
                PayoutRun.objects.filter(pk=run.pk).update(partners_done=done_after)
            return
        except OperationalError:
            if attempt == attempts - 1:
                raise
            logger.warning("payout run %s: batch built again after a lock conflict", run.pk)


@transaction.atomic
def payout_build(
    *, run: PayoutRun, partner_id: uuid.UUID, currency: str, now: datetime | None = None
) -> Payout | None:
    """One payout of `run` to a partner in a currency, or None when another run has
    claimed everything meanwhile."""
    partner = Partner.objects.get(pk=partner_id)
    return _payout_build(run=run, partner=partner, currency=currency, now=now)


def _payout_build(
    *, run: PayoutRun, partner: Partner, currency: str, now: datetime | None = None
) -> Payout | None:
    now = now or timezone.now()
    merchant, mode, partner_id = run.merchant, run.mode, partner.pk
    payout_id = uuid7()
    # The claims are written before their payout: the foreign key is checked at commit.
    with connection.cursor() as cursor:
        cursor.execute(
            _CLAIM_SQL,
            {
                "payout": _db(payout_id),
                "merchant": _db(merchant.pk),
                "mode": mode,
                "partner": _db(partner_id),
                "currency": currency,
                "approved": CommissionStatus.APPROVED.value,
                "true": True,
            },
        )
        claimed = [amount for (amount,) in cursor.fetchall()]
    if not claimed:
        return None
    commissions_cents = sum(claimed)
    deductions = _deductions(
        merchant=merchant,
        mode=mode,
        partner_id=partner_id,
        currency=currency,
        cover=commissions_cents,
    )
    adjustments_cents = sum(amount for _, amount in deductions)
    destination = payout_destination(partner)
    payout = Payout.objects.create(
        id=payout_id,
        run=run,
        merchant=merchant,
        mode=mode,
        partner_id=partner_id,
        currency=currency,
        commissions_cents=commissions_cents,
        adjustments_cents=adjustments_cents,
        amount_cents=commissions_cents + adjustments_cents,
        rail=destination.method if destination else PayoutMethod.MANUAL,
        payout_account_id=destination.account_id if destination else None,
        created_at=now,
    )
    PayoutAdjustment.objects.bulk_create(
        PayoutAdjustment(payout=payout, adjustment_id=adjustment_id, amount_cents=amount)
        for adjustment_id, amount in deductions
    )
    emit(merchant=merchant, mode=mode, type="payout.created", data=payout_data(payout))
    if payout.amount_cents == 0:
        # Nothing to send: the commissions are settled against the debt right away.
        lifecycle.payout_transition(
            merchant=merchant,
            mode=mode,
            payout_id=payout.pk,
            to=PayoutStatus.PAID,
            reference="offset against adjustments",
        )
        payout.refresh_from_db()
    return payout


def _deductions(
    *, merchant: Merchant, mode: str, partner_id: uuid.UUID, currency: str, cover: int
) -> list[tuple[uuid.UUID, int]]:
    """(adjustment, negative amount) pairs: open adjustments, oldest first, each for what
    is left of it after live deductions, until the commissions (`cover`) are used up."""
    adjustments = list(
        CommissionAdjustment.objects.select_for_update()
        .filter(
            merchant=merchant,
            mode=mode,
            partner_id=partner_id,
            currency=currency,
            status=AdjustmentStatus.OPEN,
        )
        .order_by("created_at", "id")
        .values_list("id", "amount_cents")
    )
    if not adjustments:
        return []
    deducted = dict(
        PayoutAdjustment.objects.filter(adjustment_id__in=[pk for pk, _ in adjustments], live=True)
        .values("adjustment_id")
        .annotate(total=Sum("amount_cents"))
        .values_list("adjustment_id", "total")
    )
    deductions = []
    for adjustment_id, amount in adjustments:
        remaining = amount - (deducted.get(adjustment_id) or 0)
        if remaining >= 0 or cover == 0:
            continue
        take = max(remaining, -cover)
        deductions.append((adjustment_id, take))
        cover += take
    return deductions
