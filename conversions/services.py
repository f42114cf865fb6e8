"""Writes for conversions and commissions: record, attribute, reverse, approve.

Test sessions (the integration sandbox) have their own module, `conversions.sandbox`.
"""

from __future__ import annotations

import uuid
from contextlib import nullcontext
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone

from accounts.models import Merchant, Mode, Partner
from conversions import rollups, sandbox, selectors
from conversions.attribution import Attribution, decide, resolve
from conversions.errors import (
    CommissionTransitionRefused,
    ConversionDuplicate,
    ConversionTransitionRefused,
    NoAttributionSignal,
)
from conversions.explanations import INFO
from conversions.models import (
    AdjustmentStatus,
    Commission,
    CommissionAdjustment,
    CommissionStatus,
    Conversion,
    ConversionStatus,
)
from conversions.money import BPS_DENOMINATOR, percent_of
from conversions.representations import commission_data, conversion_data
from fx.rates import convert_minor, plain
from fx.selectors import RateSet, in_reporting_currency, rate_set_at, reporting_currency_of
from notifications.models import Kind
from notifications.services import first_conversion_after_commit, notify_after_commit
from partners.models import CommissionType, Program
from partners.terms import EffectiveTerms, TermsRows, effective_terms, terms_rows
from products.lines import LineItemInput, ResolvedLine, line_item_rows, lines_price, lines_resolve
from selgeo.api.errors import NotFound, ValidationFailed
from selgeo.db import insert_together
from webhooks.services import emit, event_build, events_recorded

APPROVAL_BATCH_SIZE = 500


@dataclass(frozen=True)
class ConversionInput:
    external_transaction_id: str
    event_type: str = "purchase"
    click_id: uuid.UUID | None = None
    promo_code: str | None = None
    amount_cents: int | None = None
    currency: str | None = None
    customer_id: str | None = None
    occurred_at: datetime | None = None
    metadata: dict[str, Any] = field(default_factory=dict)
    # Products sold, each priced by its product's commission rule (`products.rules`).
    line_items: tuple[LineItemInput, ...] = ()


@dataclass(frozen=True)
class _Terms:
    kind: str
    amount_cents: int
    rate_bps: int | None
    effective: EffectiveTerms


def _commission_terms(
    program: Program,
    amount_cents: int | None,
    *,
    partner: Partner,
    at: datetime,
    rows: TermsRows | None,
) -> _Terms:
    # The terms version in force at the conversion's moment, or the partner's, its
    # group's or its tier's rate (`partners.terms`).
    effective = effective_terms(program, partner, at, rows=rows)
    if effective.kind == CommissionType.CPA:
        return _Terms(CommissionType.CPA, effective.cpa_amount_cents or 0, None, effective)
    if amount_cents is None:
        # Bad input rather than an attribution outcome: the merchant's integration must
        # send the amount for percentage programs, and can fix and retry.
        raise ValidationFailed(
            "amount_cents is required for percentage commissions",
            details=[
                {
                    "field": "amount_cents",
                    "message": f"Required: program {program.code} pays a percentage of the "
                    f"amount ({effective.kind})",
                }
            ],
        )
    # A rate above 100% would pay more than the sale; programs are validated against
    # it, and the clamp keeps the commission within the gross amount regardless.
    bps = min(effective.percent_bps or 0, BPS_DENOMINATOR)
    return _Terms(effective.kind, percent_of(amount_cents, bps), bps, effective)


def _emit_conversion(conversion: Conversion, type: str) -> None:
    emit(
        merchant=conversion.merchant,
        mode=conversion.mode,
        type=type,
        data=conversion_data(conversion),
    )


def _emit_commission(commission: Commission, type: str) -> None:
    emit(
        merchant=commission.merchant,
        mode=commission.mode,
        type=type,
        data=commission_data(commission),
    )


@dataclass(frozen=True)
class Reported:
    """A conversion just recorded, and its representation (`conversion_data`), which its
    `conversion.created` event carries and the API answers with: built once."""

    conversion: Conversion
    representation: dict[str, Any]


def conversion_create(*, merchant: Merchant, mode: str, data: ConversionInput) -> Reported:
    """Record a conversion, attribute it and create its commission, exactly once.

    The conversion, its commission and their events are written by one statement
    (`selgeo.db.insert_together`): all of them or, when the unique (merchant, mode,
    external_transaction_id) constraint already holds the transaction, none, and the
    request is CONVERSION_DUPLICATE. Of concurrent identical requests the database lets
    exactly one in. Reading the signals needs no transaction; one is opened only when
    the program's rules read earlier conversions (CPA, RevShare: they are serialised
    per customer and click) and for test sessions.
    """
    if data.click_id is None and not data.promo_code:
        raise NoAttributionSignal()
    lines = _lines(merchant=merchant, mode=mode, data=data)
    if lines and data.amount_cents is None:
        data = replace(data, amount_cents=sum(line.amount_cents for line in lines))
    now = timezone.now()
    occurred_at = data.occurred_at or now
    customer_ref = data.customer_id or ""
    resolution = resolve(
        merchant=merchant,
        mode=mode,
        click_id=data.click_id,
        promo_code=data.promo_code,
        customer_ref=customer_ref,
        occurred_at=occurred_at,
    )
    reporting = reporting_currency_of(merchant)
    # The candidate's commission terms may count the partner's month for the program's
    # tiers, under a lock held until the conversion is recorded.
    candidate = resolution.candidate
    terms_found = (
        terms_rows(candidate.program, candidate.partner) if candidate is not None else None
    )
    in_transaction = (
        resolution.needs_lock
        or mode == Mode.TEST
        or (terms_found is not None and terms_found.may_count)
    )
    with transaction.atomic() if in_transaction else nullcontext():
        attribution = decide(
            resolution, customer_ref=customer_ref, occurred_at=occurred_at, currency=data.currency
        )
        conversion, commission, line_rows = _conversion_build(
            merchant=merchant,
            mode=mode,
            data=data,
            lines=lines,
            attribution=attribution,
            occurred_at=occurred_at,
            customer_ref=customer_ref,
            now=now,
            reporting=reporting,
            terms_found=terms_found,
        )
        representation = conversion_data(conversion)
        events = [
            event_build(
                merchant=merchant,
                mode=mode,
                type="conversion.created",
                data=representation,
                now=now,
            )
        ]
        if commission is not None:
            events.append(
                event_build(
                    merchant=merchant,
                    mode=mode,
                    type="commission.created",
                    data=commission_data(commission),
                    now=now,
                )
            )
        rows = [*line_rows, *([commission] if commission is not None else []), *events]
        if not insert_together(
            conversion, conflict=("merchant", "mode", "external_transaction_id"), dependents=rows
        ):
            raise ConversionDuplicate(
                "A conversion with this external_transaction_id already exists"
            )
        events_recorded(events)
        if conversion.attributed and conversion.partner_id is not None:
            first_conversion_after_commit(
                merchant_id=merchant.pk,
                mode=mode,
                partner_id=conversion.partner_id,
                conversion_id=conversion.pk,
            )
        if mode == Mode.TEST and data.click_id is not None:
            sandbox.test_session_record_conversion(conversion=conversion, sent=_sent(data))
    return Reported(conversion, representation)


def _lines(*, merchant: Merchant, mode: str, data: ConversionInput) -> tuple[ResolvedLine, ...]:
    """The line items' products, and their amounts checked against the sale's: the lines
    may leave part of the amount uncovered (shipping, taxes: it earns nothing) but never
    exceed it. Without an amount, the sale's amount is the lines' sum."""
    if not data.line_items:
        return ()
    lines = lines_resolve(merchant=merchant, mode=mode, items=data.line_items)
    total = sum(line.amount_cents for line in lines)
    if data.amount_cents is not None and total > data.amount_cents:
        raise ValidationFailed.field(
            "line_items",
            f"The line items add up to {total}, more than amount_cents ({data.amount_cents})",
        )
    return lines


def _sent(data: ConversionInput) -> list[str]:
    names = ["external_transaction_id", "event_type"]
    optional = {
        "click_id": data.click_id,
        "promo_code": data.promo_code,
        "amount_cents": data.amount_cents,
        "currency": data.currency,
        "customer_id": data.customer_id,
        "occurred_at": data.occurred_at,
    }
    names += [name for name, value in optional.items() if value is not None]
    if data.metadata:
        names.append("metadata")
    if data.line_items:
        names.append("line_items")
    return names


def _conversion_build(
    *,
    merchant: Merchant,
    mode: str,
    data: ConversionInput,
    lines: tuple[ResolvedLine, ...],
    attribution: Attribution,
    occurred_at: datetime,
    customer_ref: str,
    now: datetime,
    reporting: str,
    terms_found: TermsRows | None = None,
) -> tuple[Conversion, Commission | None, list[Any]]:
    """The conversion, its commission (if one is owed) and its line items, unsaved, with
    their relations cached as they will be: rendering them asks the database nothing.

    The terms are those in force for the partner at `occurred_at` (`partners.terms`);
    with line items the commission is the sum of each line's rule on top of them
    (`products.rules`).

    Both record their amounts in the merchant's `reporting` currency at the rate set in
    effect at `occurred_at` (the exchange's set when the sale was converted; read only
    when a currency differs from the reporting one)."""
    program, partner, exchange = attribution.program, attribution.partner, attribution.exchange
    converted = (
        convert_minor(
            data.amount_cents, source=exchange.source, target=exchange.target, rate=exchange.rate
        )
        if exchange is not None and data.amount_cents is not None
        else None
    )
    terms = (
        _commission_terms(
            program,
            data.amount_cents if converted is None else converted,
            partner=partner,
            at=occurred_at,
            rows=terms_found,
        )
        if attribution.attributed and program is not None and partner is not None
        else None
    )
    if terms is not None:
        attribution.steps.append(
            {"check": "commission_terms", "result": INFO, "message": terms.effective.explanation()}
        )
    currency = data.currency or (program.currency if program is not None else "")
    priced = None
    if terms is not None and program is not None and lines:
        priced = lines_price(
            lines,
            kind=terms.kind,
            cpa_amount_cents=terms.amount_cents if terms.kind == CommissionType.CPA else 0,
            percent_bps=terms.rate_bps,
            sale_currency=currency,
            commission_currency=program.currency,
            occurred_at=occurred_at,
        )
        # No single rate made this amount: each line keeps the rate it applied.
        terms = _Terms(terms.kind, priced.commission_cents, None, terms.effective)
    rate_set: RateSet | None = exchange.rate_set if exchange is not None else None
    commission_currency = program.currency if terms is not None and program is not None else ""
    if rate_set is None and {currency, commission_currency} - {reporting, ""}:
        rate_set = rate_set_at(occurred_at)
    conversion_reported = in_reporting_currency(
        data.amount_cents, currency=currency, reporting=reporting, rate_set=rate_set
    )
    used_set = exchange is not None or conversion_reported.rate not in ("", "1")
    conversion = Conversion(
        merchant=merchant,
        mode=mode,
        program=program,
        partner=partner,
        click=attribution.click,
        promo_code=attribution.promo_code,
        click_id_raw=data.click_id,
        promo_code_raw=data.promo_code or "",
        event_type=data.event_type,
        external_transaction_id=data.external_transaction_id,
        customer_ref=customer_ref,
        amount_cents=data.amount_cents,
        currency=currency,
        converted_amount_cents=converted,
        converted_currency=exchange.target if exchange is not None else "",
        fx_rate=plain(exchange.rate) if exchange is not None else "",
        reporting_currency=conversion_reported.currency,
        reporting_rate=conversion_reported.rate,
        reporting_amount_cents=conversion_reported.amount_minor,
        # Nothing to hold when nothing is owed.
        status=ConversionStatus.PENDING if terms is not None else ConversionStatus.APPROVED,
        attributed=attribution.attributed,
        attribution_explanation=attribution.explanation,
        attribution_steps=attribution.steps,
        metadata=data.metadata,
        occurred_at=occurred_at,
        created_at=now,
    )
    line_rows = line_item_rows(lines, conversion_id=conversion.id, priced=priced)
    if terms is None or program is None or partner is None:
        conversion.fx_rate_set_id = rate_set.id if used_set and rate_set is not None else None
        Conversion.commission.related.set_cached_value(conversion, None)
        return conversion, None, line_rows
    commission_reported = in_reporting_currency(
        terms.amount_cents, currency=program.currency, reporting=reporting, rate_set=rate_set
    )
    used_set = used_set or commission_reported.rate not in ("", "1")
    conversion.fx_rate_set_id = rate_set.id if used_set and rate_set is not None else None
    commission = Commission(
        conversion=conversion,
        merchant=merchant,
        mode=mode,
        partner=partner,
        program=program,
        kind=terms.kind,
        rate_bps=terms.rate_bps,
        terms_version=terms.effective.version,
        terms_source=terms.effective.source,
        amount_cents=terms.amount_cents,
        currency=program.currency,
        reporting_currency=commission_reported.currency,
        reporting_rate=commission_reported.rate,
        reporting_amount_cents=commission_reported.amount_minor,
        approve_after=occurred_at + timedelta(days=program.hold_days),
        created_at=now,
    )
    Conversion.commission.related.set_cached_value(conversion, commission)
    Commission.adjustment.related.set_cached_value(commission, None)
    return conversion, commission, line_rows


@transaction.atomic
def conversion_reverse(
    *,
    merchant: Merchant,
    mode: str,
    conversion_id: uuid.UUID,
    reason: str,
    refuse_reversed: bool = False,
) -> Conversion:
    """Reverse a conversion and its commission; idempotent once reversed (the API's retry
    answers the reversed conversion), unless `refuse_reversed` (the admin's action says
    that nothing changed).

    An unpaid commission becomes `reversed`. A paid one keeps `paid` (the money was
    sent) and gets a negative adjustment, deducted from the partner's next payout.
    """
    now = timezone.now()
    # Locks are taken commission first, then conversion: the approval sweep takes them
    # in the same order, so the two can never deadlock.
    commission = (
        Commission.objects.select_for_update(of=("self",))
        .filter(conversion_id=conversion_id, merchant=merchant, mode=mode)
        .first()
    )
    locked = (
        Conversion.objects.select_for_update(of=("self",))
        .filter(pk=conversion_id, merchant=merchant, mode=mode)
        .only("id", "status")
        .first()
    )
    if locked is None:
        raise NotFound("Conversion not found")
    if locked.status == ConversionStatus.REVERSED:
        if refuse_reversed:
            raise ConversionTransitionRefused("The conversion is already reversed")
        return _fresh(merchant=merchant, mode=mode, conversion_id=conversion_id)
    Conversion.objects.filter(pk=locked.pk).update(
        status=ConversionStatus.REVERSED, reversed_at=now, reversal_reason=reason
    )
    if commission is not None:
        if commission.status == CommissionStatus.PAID:
            if commission.amount_cents > 0:
                CommissionAdjustment.objects.create(
                    commission=commission,
                    merchant=merchant,
                    mode=mode,
                    partner_id=commission.partner_id,
                    amount_cents=-commission.amount_cents,
                    currency=commission.currency,
                    reason=reason,
                    created_at=now,
                )
            Commission.objects.filter(pk=commission.pk).update(reversed_at=now)
        else:
            Commission.objects.filter(pk=commission.pk).update(
                status=CommissionStatus.REVERSED, reversed_at=now
            )
            rollups.commissions_moved(commission_ids=[commission.pk], before=commission.status)
    rollups.conversions_moved(conversion_ids=[locked.pk], before=locked.status)
    conversion = _fresh(merchant=merchant, mode=mode, conversion_id=conversion_id)
    _emit_conversion(conversion, "conversion.reversed")
    if commission is not None:
        _emit_commission(conversion.commission, "commission.reversed")
    return conversion


def _fresh(*, merchant: Merchant, mode: str, conversion_id: uuid.UUID) -> Conversion:
    conversion = selectors.conversion_get(merchant=merchant, mode=mode, conversion_id=conversion_id)
    assert conversion is not None
    return conversion


def commissions_approve_due(
    *, now: datetime | None = None, batch_size: int = APPROVAL_BATCH_SIZE
) -> int:
    """Approve every pending commission whose hold period is over; returns how many.

    Each batch is its own short transaction. Rows are claimed with FOR UPDATE SKIP
    LOCKED and flipped by a conditional UPDATE, so concurrent or repeated sweeps
    approve (and announce) each commission exactly once.
    """
    now = now or timezone.now()
    total = 0
    while True:
        approved = _approve_batch(now=now, batch_size=batch_size)
        total += approved
        if approved < batch_size:
            return total


@transaction.atomic
def _approve_batch(*, now: datetime, batch_size: int) -> int:
    batch = list(
        Commission.objects.select_for_update(skip_locked=True, of=("self",))
        .select_related("merchant", "program", "partner", "adjustment")
        .filter(status=CommissionStatus.PENDING, approve_after__lte=now)
        .order_by("approve_after", "id")[:batch_size]
    )
    if not batch:
        return 0
    Commission.objects.filter(pk__in=[c.pk for c in batch], status=CommissionStatus.PENDING).update(
        status=CommissionStatus.APPROVED, approved_at=now
    )
    # The commissions' locks keep their conversions' status still (a reversal locks the
    # commission first), so the pending ones read here are the ones the UPDATE changes.
    pending = list(
        Conversion.objects.filter(
            pk__in=[c.conversion_id for c in batch], status=ConversionStatus.PENDING
        ).values_list("pk", flat=True)
    )
    Conversion.objects.filter(pk__in=pending, status=ConversionStatus.PENDING).update(
        status=ConversionStatus.APPROVED
    )
    rollups.commissions_moved(commission_ids=[c.pk for c in batch], before=CommissionStatus.PENDING)
    rollups.conversions_moved(conversion_ids=pending, before=ConversionStatus.PENDING)
    for commission in batch:
        commission.status = CommissionStatus.APPROVED
        commission.approved_at = now
        _emit_commission(commission, "commission.approved")
    notify_after_commit(kind=Kind.COMMISSION_APPROVED, subject_ids=[c.pk for c in batch])
    return len(batch)


@transaction.atomic
def commission_approve(*, commission_id: uuid.UUID, now: datetime | None = None) -> Commission:
    """Approve one pending commission whose hold period is over, as the sweep would.

    The conditional UPDATE changes the row only if it is still pending and due, so an
    approval racing the sweep announces the commission once. Anything else is refused
    and changes nothing.
    """
    now = now or timezone.now()
    commission = (
        Commission.objects.select_for_update(of=("self",))
        .select_related("merchant", "program", "partner", "adjustment")
        .filter(pk=commission_id)
        .first()
    )
    if commission is None:
        raise NotFound("Commission not found")
    if commission.status != CommissionStatus.PENDING:
        raise CommissionTransitionRefused(
            f"Only a pending commission can be approved (it is {commission.status})"
        )
    if commission.approve_after > now:
        raise CommissionTransitionRefused(
            "The hold period is not over: the commission is due on "
            f"{commission.approve_after:%Y-%m-%d %H:%M} UTC"
        )
    Commission.objects.filter(pk=commission.pk, status=CommissionStatus.PENDING).update(
        status=CommissionStatus.APPROVED, approved_at=now
    )
    conversion_changed = Conversion.objects.filter(
        pk=commission.conversion_id, status=ConversionStatus.PENDING
    ).update(status=ConversionStatus.APPROVED)
    rollups.commissions_moved(commission_ids=[commission.pk], before=CommissionStatus.PENDING)
    if conversion_changed:
        rollups.conversions_moved(
            conversion_ids=[commission.conversion_id], before=ConversionStatus.PENDING
        )
    commission.status = CommissionStatus.APPROVED
    commission.approved_at = now
    _emit_commission(commission, "commission.approved")
    notify_after_commit(kind=Kind.COMMISSION_APPROVED, subject_ids=[commission.pk])
    return commission


def commissions_mark_paid(*, commission_ids: list[uuid.UUID], paid_at: datetime) -> int:
    """Mark the commissions a completed payout paid; returns how many became paid.

    Called inside the payout's transaction. An approved commission becomes `paid`. One
    reversed while its payout was on its way was paid all the same: it becomes `paid`
    too, with the negative adjustment a reversal after payment gets, deducted from the
    partner's next payout. A commission already paid is left as it is (idempotent).
    """
    approved = list(
        Commission.objects.select_for_update(of=("self",))
        .filter(pk__in=commission_ids, status=CommissionStatus.APPROVED)
        .values_list("pk", flat=True)
    )
    changed = Commission.objects.filter(pk__in=approved, status=CommissionStatus.APPROVED).update(
        status=CommissionStatus.PAID, paid_at=paid_at
    )
    rollups.commissions_moved(commission_ids=approved, before=CommissionStatus.APPROVED)
    reversed_meanwhile = list(
        Commission.objects.select_for_update(of=("self",))
        .select_related("conversion")
        .filter(pk__in=commission_ids, status=CommissionStatus.REVERSED)
    )
    for commission in reversed_meanwhile:
        Commission.objects.filter(pk=commission.pk, status=CommissionStatus.REVERSED).update(
            status=CommissionStatus.PAID, paid_at=paid_at
        )
        if commission.amount_cents > 0:
            CommissionAdjustment.objects.get_or_create(
                commission=commission,
                defaults={
                    "merchant_id": commission.merchant_id,
                    "mode": commission.mode,
                    "partner_id": commission.partner_id,
                    "amount_cents": -commission.amount_cents,
                    "currency": commission.currency,
                    "reason": commission.conversion.reversal_reason or "other",
                    "created_at": paid_at,
                },
            )
    rollups.commissions_moved(
        commission_ids=[c.pk for c in reversed_meanwhile], before=CommissionStatus.REVERSED
    )
    return changed + len(reversed_meanwhile)


def adjustments_mark_applied(*, adjustment_ids: list[uuid.UUID], applied_at: datetime) -> int:
    """Mark open adjustments whose whole amount has been deducted `applied` (idempotent)."""
    return CommissionAdjustment.objects.filter(
        pk__in=adjustment_ids, status=AdjustmentStatus.OPEN
    ).update(status=AdjustmentStatus.APPLIED, applied_at=applied_at)
