"""Referral codes (tracking links) and promo codes (coupons) of approved partners.

Both kinds are unique per merchant across modes and case (`Summer10` and `SUMMER10`
are one code), each kind in its own namespace: a referral code lives in URLs and a promo
code at the shop's checkout, so the same text may be one partner's link and another's
coupon without ambiguity. A taken code of either kind answers 409 REFERRAL_CODE_TAKEN.
A code belongs to a partner with an approved application to the code's program.
Disabling is idempotent and allowed even after the partner's erasure: it only narrows
what attributes.
"""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts.models import Partner
from partners import rules
from partners.errors import ReferralCodeTaken, status_conflict
from partners.models import (
    Application,
    ApplicationStatus,
    Program,
    ProgramStatus,
    PromoCode,
    ReferralCode,
)
from partners.services._common import (
    PROMO_CODE_CONSTRAINT,
    REFERRAL_CODE_CONSTRAINT,
    generated_code,
    lock_partner,
    violated_constraint,
)
from selgeo.api.errors import ValidationFailed

MAX_ACTIVE_REFERRAL_CODES = 20
GENERATION_ATTEMPTS = 8


def _check_code(code: str) -> None:
    errors = rules.code_errors("code", code)
    if errors:
        raise ValidationFailed(details=errors)


def insert_referral_code(
    *, program: Program, partner: Partner, code: str | None, is_default: bool = False
) -> ReferralCode:
    """Insert a code (the caller holds the partner lock); None generates one.

    A generated code that collides is drawn again; a chosen one is a 409.
    """
    attempts = GENERATION_ATTEMPTS if code is None else 1
    for attempt in range(attempts):
        candidate = code if code is not None else generated_code(partner.display_name)
        try:
            with transaction.atomic():
                return ReferralCode.objects.create(
                    merchant=program.merchant,
                    mode=program.mode,
                    program=program,
                    partner=partner,
                    code=candidate,
                    is_default=is_default,
                )
        except IntegrityError as exc:
            if REFERRAL_CODE_CONSTRAINT not in violated_constraint(exc):
                raise
            if attempt + 1 == attempts:
                raise ReferralCodeTaken() from exc
    raise AssertionError("unreachable")  # pragma: no cover


def _approved_application(*, program: Program, partner: Partner) -> Application:
    application = (
        Application.objects.select_for_update()
        .filter(program=program, partner=partner, status=ApplicationStatus.APPROVED)
        .first()
    )
    if application is None:
        raise ValidationFailed.field(
            "program", "The partner has no approved application to this program"
        )
    if program.status == ProgramStatus.ARCHIVED:
        raise status_conflict("The program is archived")
    return application


@transaction.atomic
def referral_code_create(
    *, program: Program, partner: Partner, code: str | None = None
) -> ReferralCode:
    """A referral code for an approved partner: chosen (`code`) or generated (None)."""
    if code is not None:
        _check_code(code)
    partner = lock_partner(partner)
    _approved_application(program=program, partner=partner)
    active = ReferralCode.objects.filter(
        program=program, partner=partner, disabled_at__isnull=True
    ).count()
    if active >= MAX_ACTIVE_REFERRAL_CODES:
        raise ValidationFailed.field(
            "code", f"At most {MAX_ACTIVE_REFERRAL_CODES} active referral codes per program"
        )
    return insert_referral_code(program=program, partner=partner, code=code)


@transaction.atomic
def referral_code_disable(*, referral_code: ReferralCode) -> ReferralCode:
    ReferralCode.objects.filter(pk=referral_code.pk, disabled_at__isnull=True).update(
        disabled_at=timezone.now()
    )
    referral_code.refresh_from_db()
    return referral_code


@transaction.atomic
def promo_code_create(*, program: Program, partner: Partner, code: str) -> PromoCode:
    """A coupon code that attributes a conversion to `partner` (set up by the merchant)."""
    _check_code(code)
    partner = lock_partner(partner)
    _approved_application(program=program, partner=partner)
    try:
        with transaction.atomic():
            return PromoCode.objects.create(
                merchant=program.merchant,
                mode=program.mode,
                program=program,
                partner=partner,
                code=code,
            )
    except IntegrityError as exc:
        if PROMO_CODE_CONSTRAINT in violated_constraint(exc):
            raise ReferralCodeTaken("Promo code already taken") from exc
        raise


@transaction.atomic
def promo_code_disable(*, promo_code: PromoCode) -> PromoCode:
    PromoCode.objects.filter(pk=promo_code.pk, disabled_at__isnull=True).update(
        disabled_at=timezone.now()
    )
    promo_code.refresh_from_db()
    return promo_code
