"""Reads for programs, partners, applications and codes.

Merchant-side reads are scoped to a merchant and a mode; partner-side reads to the
partner and a mode. Views start every queryset here.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db.models import Exists, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Lower

from accounts.models import Merchant, Partner
from partners.models import (
    Application,
    ApplicationStatus,
    Invitation,
    InvitationStatus,
    Program,
    ProgramStatus,
    PromoCode,
    ReferralCode,
)
from selgeo.db import JoinedLoader


def programs_for(*, merchant: Merchant, mode: str) -> QuerySet[Program]:
    return Program.objects.filter(merchant=merchant, mode=mode)


def partners_for(*, merchant: Merchant, mode: str) -> QuerySet[Partner]:
    """Partners who applied to (or accepted an invitation to) the merchant's programs in `mode`.

    An open invitation does not count: the partner is not the merchant's until it accepts.
    """
    applied = Application.objects.filter(merchant=merchant, mode=mode, partner=OuterRef("pk"))
    return Partner.objects.filter(Exists(applied))


def partners_matching(*, merchant: Merchant, mode: str, query: str) -> QuerySet[Partner]:
    """The merchant's partners whose name, email, website or one of whose referral or
    promo codes with this merchant (in `mode`) contains `query`, ignoring case.

    The email is the partner's sign-in address, which partners agree to share with the
    merchants they apply to (the application form says so); codes are only the ones of
    this merchant's programs, so a search never reveals another merchant's data.
    """
    partners = partners_for(merchant=merchant, mode=mode).select_related("user")
    query = query.strip()
    if not query:
        return partners
    scope = {
        "merchant": merchant,
        "mode": mode,
        "partner": OuterRef("pk"),
        "code__icontains": query,
    }
    return partners.filter(
        Q(display_name__icontains=query)
        | Q(user__email__icontains=query)
        | Q(website__icontains=query)
        | Exists(ReferralCode.objects.filter(**scope))
        | Exists(PromoCode.objects.filter(**scope))
    )


# What a merchant sees in place of the name of a partner that is no longer its own (it
# erased the partner, or the relationship ended): money rows keep the partner's id only.
FORMER_PARTNER = "Former partner"


def partner_is_current() -> Exists:
    """For annotating a merchant's rows that carry `merchant_id`, `mode` and `partner_id`:
    whether that partner is still the merchant's in that mode (as `partners_for` says)."""
    return Exists(
        Application.objects.filter(
            merchant_id=OuterRef("merchant_id"),
            mode=OuterRef("mode"),
            partner=OuterRef("partner_id"),
        )
    )


def current_partner_ids(*, merchant_id: Any, mode: str, partner_ids: Iterable[Any]) -> set[str]:
    """Which of these partners are still the merchant's in that mode (as
    `partner_is_current` says of one row)."""
    return {
        str(pk)
        for pk in Application.objects.filter(
            merchant_id=merchant_id, mode=mode, partner_id__in=list(partner_ids)
        ).values_list("partner_id", flat=True)
    }


def applications_for(*, merchant: Merchant, mode: str) -> QuerySet[Application]:
    return Application.objects.select_related("program", "partner").filter(
        merchant=merchant, mode=mode
    )


def invitations_for(*, merchant: Merchant, mode: str) -> QuerySet[Invitation]:
    return Invitation.objects.select_related("program").filter(merchant=merchant, mode=mode)


def referral_codes_for(*, merchant: Merchant, mode: str) -> QuerySet[ReferralCode]:
    return ReferralCode.objects.select_related("program", "partner").filter(
        merchant=merchant, mode=mode
    )


def promo_codes_for(*, merchant: Merchant, mode: str) -> QuerySet[PromoCode]:
    return PromoCode.objects.select_related("program", "partner").filter(
        merchant=merchant, mode=mode
    )


def approved_application(*, partner: Partner, program: Program) -> Application | None:
    return Application.objects.filter(
        partner=partner, program=program, status=ApplicationStatus.APPROVED
    ).first()


# Partner side ------------------------------------------------------------------------


def programs_visible_to(*, partner: Partner, mode: str) -> QuerySet[Program]:
    """What a partner may see: public programs past draft, and any program they applied to.

    Drafts are the merchant's work in progress and invite-only programs are private
    until the merchant invites; both are simply absent (404), never forbidden.
    """
    applied = Application.objects.filter(partner=partner, program=OuterRef("pk"))
    return (
        Program.objects.select_related("merchant")
        .filter(mode=mode)
        .exclude(status=ProgramStatus.DRAFT)
        .filter(Q(is_public=True) | Exists(applied))
        .annotate(application_status=Subquery(applied.values("status")[:1]))
    )


def applications_of(*, partner: Partner, mode: str) -> QuerySet[Application]:
    return Application.objects.select_related("program", "program__merchant", "partner").filter(
        partner=partner, mode=mode
    )


def invitations_of(*, partner: Partner, mode: str) -> QuerySet[Invitation]:
    """Invitations to the partner's login email, and those it answered (whatever address)."""
    email = partner.user.email.lower() if partner.user is not None else ""
    addressed = Q(email=email) if email else Q(pk__in=[])
    return (
        Invitation.objects.select_related("program", "program__merchant")
        .filter(mode=mode)
        .filter(addressed | Q(partner=partner))
    )


def open_invitation_by_token(*, token: str) -> Invitation | None:
    """The open invitation whose emailed link carries `token` (answered ones are gone)."""
    if not token or len(token) > 100:
        return None
    return (
        Invitation.objects.select_related("program", "program__merchant")
        .filter(token_digest=Invitation.digest_of(token), status=InvitationStatus.INVITED)
        .first()
    )


def referral_codes_of(*, partner: Partner, mode: str) -> QuerySet[ReferralCode]:
    return ReferralCode.objects.select_related("program", "partner").filter(
        partner=partner, mode=mode
    )


def promo_codes_of(*, partner: Partner, mode: str) -> QuerySet[PromoCode]:
    return PromoCode.objects.select_related("program", "partner").filter(partner=partner, mode=mode)


# Attribution lookups (tracking and conversions) -----------------------------------------


# Every click resolves a code: the query is built once (it uses the unique
# (merchant, lower(code)) index) rather than compiled per request.
_REFERRAL_CODE_OF_MERCHANT = JoinedLoader(
    ReferralCode,
    ("program", "partner"),
    't0."merchant_id" = %s AND LOWER(t0."code") = %s',
    ("merchant", "code"),
)


def referral_code_resolve(*, merchant: Merchant, code: str) -> ReferralCode | None:
    """The merchant's referral code, whatever its mode or case (callers check both).

    Codes of erased partners are returned too, with their partner, so that callers can
    explain a refused attribution (`partner.is_erased`) rather than call the code unknown.
    """
    found: ReferralCode | None = _REFERRAL_CODE_OF_MERCHANT.first(
        [merchant.pk, code.strip().lower()]
    )
    return found


def referral_codes_matching(*, code: str) -> QuerySet[ReferralCode]:
    """Active codes of any merchant: tracking links without a merchant in the URL.

    An erased partner's codes are not active: their links must stop recording clicks.
    """
    return (
        ReferralCode.objects.select_related("program", "partner", "merchant")
        .alias(code_lower=Lower("code"))
        .filter(
            code_lower=code.strip().lower(),
            disabled_at__isnull=True,
            partner__erased_at__isnull=True,
        )
    )


# What attribution, the program's rules and a conversion's representation read of a
# signal's program and partner: their lookups load these, not the program's texts or the
# partner's payout details.
ATTRIBUTION_FIELDS = {
    "program": [
        "merchant",
        "mode",
        "code",
        "name",
        "status",
        "currency",
        "commission_type",
        "cpa_amount_cents",
        "percent_bps",
        "recurring_months",
        "cookie_days",
        "hold_days",
    ],
    "partner": ["display_name", "erased_at"],
}

_PROMO_CODE_OF_MERCHANT = JoinedLoader(
    PromoCode,
    ("program", "partner"),
    't0."merchant_id" = %s AND LOWER(t0."code") = %s',
    ("merchant", "code"),
    only={
        "": ["mode", "merchant", "program", "partner", "code", "disabled_at"],
        **ATTRIBUTION_FIELDS,
    },
)


def promo_code_resolve(*, merchant: Merchant, code: str) -> PromoCode | None:
    """The merchant's promo code, whatever its mode or case (callers check both)."""
    found: PromoCode | None = _PROMO_CODE_OF_MERCHANT.first([merchant.pk, code.strip().lower()])
    return found
