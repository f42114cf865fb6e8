"""Reads for programs, applications and codes. Every queryset is scoped to a merchant."""

from __future__ import annotations

from django.db.models import QuerySet

from accounts.models import Merchant
from partners.models import Program, PromoCode, ReferralCode


def programs_for(*, merchant: Merchant, mode: str) -> QuerySet[Program]:
    return Program.objects.filter(merchant=merchant, mode=mode)


def referral_code_resolve(*, merchant: Merchant, code: str) -> ReferralCode | None:
    """The merchant's referral code, whatever its mode or case (callers check both)."""
    return (
        ReferralCode.objects.select_related("program", "partner")
        .filter(merchant=merchant, code__iexact=code.strip())
        .first()
    )


def referral_codes_matching(*, code: str) -> QuerySet[ReferralCode]:
    """Active codes of any merchant: tracking links without a merchant in the URL."""
    return ReferralCode.objects.select_related("program", "partner", "merchant").filter(
        code__iexact=code.strip(), disabled_at__isnull=True
    )


def promo_code_resolve(*, merchant: Merchant, code: str) -> PromoCode | None:
    """The merchant's promo code, whatever its mode or case (callers check both)."""
    return (
        PromoCode.objects.select_related("program", "partner")
        .filter(merchant=merchant, code__iexact=code.strip())
        .first()
    )
