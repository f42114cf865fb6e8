"""Reads for conversions, commissions, attribution audits and test sessions.

Every merchant-facing queryset is scoped to a merchant and a mode; the partner-facing
ones to a partner and a mode.
"""

from __future__ import annotations

import hashlib
import uuid
from dataclasses import dataclass
from datetime import datetime

from django.db.models import Q, QuerySet

from accounts.models import Merchant, Partner
from conversions.models import Commission, Conversion, ConversionStatus, TestSession
from partners.models import Application, ApplicationStatus, Program
from partners.selectors import ATTRIBUTION_FIELDS, partner_is_current, programs_for
from selgeo.db import JoinedLoader
from tracking.buffer import await_click
from tracking.models import Click


def conversions_for(*, merchant: Merchant, mode: str) -> QuerySet[Conversion]:
    return (
        Conversion.objects.filter(merchant=merchant, mode=mode)
        .select_related("program", "partner", "commission", "commission__adjustment")
        .annotate(partner_current=partner_is_current())
        .order_by("-created_at", "-id")
    )


def conversion_get(*, merchant: Merchant, mode: str, conversion_id: uuid.UUID) -> Conversion | None:
    return conversions_for(merchant=merchant, mode=mode).filter(pk=conversion_id).first()


@dataclass(frozen=True)
class ConversionFilters:
    program: str | None = None
    partner: uuid.UUID | None = None
    status: str | None = None
    event_type: str | None = None
    attributed: bool | None = None
    external_transaction_id: str | None = None
    created_after: datetime | None = None
    created_before: datetime | None = None


def conversions_filtered(
    *, merchant: Merchant, mode: str, filters: ConversionFilters
) -> QuerySet[Conversion]:
    qs = conversions_for(merchant=merchant, mode=mode)
    if filters.program:
        qs = qs.filter(_program_q(filters.program, prefix="program"))
    if filters.partner:
        qs = qs.filter(partner_id=filters.partner)
    if filters.status:
        qs = qs.filter(status=filters.status)
    if filters.event_type:
        qs = qs.filter(event_type=filters.event_type)
    if filters.attributed is not None:
        qs = qs.filter(attributed=filters.attributed)
    if filters.external_transaction_id:
        qs = qs.filter(external_transaction_id=filters.external_transaction_id)
    if filters.created_after:
        qs = qs.filter(created_at__gte=filters.created_after)
    if filters.created_before:
        qs = qs.filter(created_at__lt=filters.created_before)
    return qs


def _program_q(value: str, *, prefix: str) -> Q:
    """A program filter takes its id or its code (codes are unique per merchant)."""
    try:
        return Q(**{f"{prefix}_id": uuid.UUID(value)})
    except ValueError:
        return Q(**{f"{prefix}__code__iexact": value})


def commissions_for(*, merchant: Merchant, mode: str) -> QuerySet[Commission]:
    return (
        Commission.objects.filter(merchant=merchant, mode=mode)
        .select_related("program", "partner", "conversion", "adjustment")
        .annotate(partner_current=partner_is_current())
        .order_by("-created_at", "-id")
    )


def commissions_of_partner(*, partner: Partner, mode: str) -> QuerySet[Commission]:
    return (
        Commission.objects.filter(partner=partner, mode=mode)
        .select_related("program", "merchant", "conversion", "adjustment")
        .order_by("-created_at", "-id")
    )


def commissions_filtered(
    qs: QuerySet[Commission],
    *,
    status: str | None = None,
    partner: uuid.UUID | None = None,
    program: str | None = None,
    merchant: uuid.UUID | None = None,
) -> QuerySet[Commission]:
    if status:
        qs = qs.filter(status=status)
    if partner:
        qs = qs.filter(partner_id=partner)
    if program:
        qs = qs.filter(_program_q(program, prefix="program"))
    if merchant:
        qs = qs.filter(merchant_id=merchant)
    return qs


# Attribution reads. A click or promo code is looked up across both modes so that a
# signal of the other mode is answered MODE_MISMATCH rather than "not found".


# Every conversion with a click id reads its click: the query is built once, and reads
# what attribution uses, not the visitor's details.
_CLICK_OF_MERCHANT = JoinedLoader(
    Click,
    ("program", "partner", "referral_code"),
    't0."merchant_id" = %s AND t0."id" = %s',
    ("merchant", "id"),
    only={
        "": [
            "mode",
            "merchant",
            "program",
            "partner",
            "referral_code",
            "is_bot",
            "created_at",
            "expires_at",
        ],
        **ATTRIBUTION_FIELDS,
        "referral_code": ["code", "disabled_at"],
    },
)


# A click answered a moment ago may still be in a server process's batch
# (`tracking.buffer`): both lookups wait for it rather than report it missing.


def click_for_attribution(*, merchant: Merchant, click_id: uuid.UUID) -> Click | None:
    found: Click | None = await_click(
        click_id, lambda: _CLICK_OF_MERCHANT.first([merchant.pk, click_id])
    )
    return found


def click_for_audit(*, merchant: Merchant, mode: str, click_id: uuid.UUID) -> Click | None:
    return await_click(
        click_id,
        Click.objects.select_related("program", "partner", "referral_code")
        .annotate(partner_current=partner_is_current())
        .filter(merchant=merchant, mode=mode, pk=click_id)
        .first,
    )


def conversions_with_click(*, merchant: Merchant, mode: str, click: Click) -> QuerySet[Conversion]:
    return conversions_for(merchant=merchant, mode=mode).filter(click=click)


def _live_attributed(program: Program) -> QuerySet[Conversion]:
    # A reversed conversion paid nothing, so it does not use up a limit.
    return Conversion.objects.filter(
        merchant_id=program.merchant_id, mode=program.mode, program=program, attributed=True
    ).exclude(status=ConversionStatus.REVERSED)


def cpa_customer_converted(*, program: Program, customer_ref: str) -> bool:
    return _live_attributed(program).filter(customer_ref=customer_ref).exists()


def cpa_click_converted(*, program: Program, click: Click) -> bool:
    return _live_attributed(program).filter(click=click).exists()


def revshare_first_conversion(*, program: Program, customer_ref: str) -> Conversion | None:
    return (
        _live_attributed(program)
        .filter(customer_ref=customer_ref)
        .order_by("occurred_at", "created_at")
        .first()
    )


def conversion_exists(*, merchant: Merchant, mode: str, external_transaction_id: str) -> bool:
    return Conversion.objects.filter(
        merchant=merchant, mode=mode, external_transaction_id=external_transaction_id
    ).exists()


# Test sessions.


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def test_session_by_token(*, merchant: Merchant, mode: str, token: str) -> TestSession | None:
    return (
        TestSession.objects.select_related("program", "click", "conversion")
        .filter(merchant=merchant, mode=mode, token_hash=token_digest(token))
        .first()
    )


def test_session_for_click(
    *, merchant: Merchant, mode: str, click_id: uuid.UUID, now: datetime
) -> TestSession | None:
    return TestSession.objects.filter(
        merchant=merchant, mode=mode, click_id=click_id, expires_at__gt=now
    ).first()


def program_by_code(*, merchant: Merchant, mode: str, code: str) -> Program | None:
    return programs_for(merchant=merchant, mode=mode).filter(code__iexact=code.strip()).first()


def first_approved_partner(*, program: Program) -> Partner | None:
    application = (
        Application.objects.select_related("partner")
        .filter(
            program=program,
            mode=program.mode,
            status=ApplicationStatus.APPROVED,
            partner__erased_at__isnull=True,
        )
        .order_by("decided_at", "created_at")
        .first()
    )
    return application.partner if application is not None else None
