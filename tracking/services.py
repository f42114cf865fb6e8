"""Writes for clicks: recording them (API, browser snippet, tracking links) and erasure.

Recording is one INSERT of a row with a fresh time-ordered id: no read-modify-write,
no counter and no row lock that another click would wait for, so concurrent clicks on
the same program or partner never queue behind each other.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone

from accounts.models import Merchant, Partner
from partners.models import ReferralCode
from tracking import selectors
from tracking.models import Click
from tracking.visitors import Visitor
from webhooks import selectors as webhooks_selectors
from webhooks.services import emit

URL_MAX = 2000


def click_record(
    *,
    referral_code: ReferralCode,
    visitor: Visitor,
    source: str,
    landing_url: str = "",
    referrer: str = "",
    now: datetime | None = None,
) -> Click:
    """Insert a click for an active referral code (the caller resolved it).

    Without a `click.created` subscriber this is a single INSERT in autocommit: a
    transaction would only add BEGIN and COMMIT round trips to the hottest write Selgeo
    has. With one, the click and its event are written in one transaction (the outbox).

    The click's mode is the code's; it expires after the program's cookie window.
    """
    created_at = now or timezone.now()
    program = referral_code.program
    click = Click(
        merchant_id=referral_code.merchant_id,
        mode=referral_code.mode,
        program=program,
        partner_id=referral_code.partner_id,
        referral_code=referral_code,
        landing_url=landing_url[:URL_MAX],
        referrer=referrer[:URL_MAX],
        user_agent=visitor.user_agent,
        ip_hash=visitor.ip_hash,
        country=visitor.country,
        is_bot=visitor.is_bot,
        source=source,
        created_at=created_at,
        expires_at=created_at + timedelta(days=program.cookie_days),
    )
    if not webhooks_selectors.has_subscriber(
        merchant_id=click.merchant_id, mode=click.mode, type="click.created"
    ):
        click.save(force_insert=True)
        return click
    with transaction.atomic():
        click.save(force_insert=True)
        emit(
            merchant=referral_code.merchant,
            mode=click.mode,
            type="click.created",
            data=click_representation(click),
        )
    return click


def click_representation(click: Click) -> dict[str, object]:
    """A click as webhooks carry it (the visitor's IP hash and user agent stay inside)."""
    return {
        "id": str(click.pk),
        "program_id": str(click.program_id),
        "partner_id": str(click.partner_id),
        "referral_code": click.referral_code.code if click.referral_code else None,
        "source": click.source,
        "landing_url": click.landing_url,
        "country": click.country or None,
        "is_bot": click.is_bot,
        "created_at": click.created_at,
        "expires_at": click.expires_at,
    }


def click_track(
    *,
    merchant: Merchant,
    mode: str,
    signal: selectors.ReferralSignal,
    visitor: Visitor,
    source: str,
    landing_url: str = "",
    referrer: str = "",
) -> Click:
    """POST /v1/clicks: resolve what the call names (NotFound, ModeMismatch), then record."""
    referral_code = selectors.referral_code_for_signal(merchant=merchant, mode=mode, signal=signal)
    return click_record(
        referral_code=referral_code,
        visitor=visitor,
        source=source,
        landing_url=landing_url,
        referrer=referrer,
    )


@transaction.atomic
def clicks_anonymise_for_partner(*, partner: Partner) -> int:
    """GDPR erasure: drop what could identify visitors and the partner on their clicks.

    The rows stay (they carry attribution that commissions depend on); the IP hash,
    user agent and referrer go.
    """
    return Click.objects.filter(partner=partner).update(ip_hash="", user_agent="", referrer="")
