"""GDPR erasure of a partner: by the partner (or staff) everywhere, by a merchant for itself.

`partner_erase_for_merchant` is what a merchant's erase does (API and dashboard): it
removes what that merchant holds about the partner, in both of its modes (its data in
the other mode is still its own, and erasure is a privacy act, not a mode's setting):
- the relationship: the partner's applications to the merchant's programs are deleted,
  so the partner is no longer among the merchant's partners (it may apply again later);
- participation: its referral and promo codes in the merchant's programs are disabled,
  so its links stop tracking there and its clicks there no longer attribute;
- copies: the merchant's recorded events (and so their deliveries and replays) have the
  partner's name, website, email and application messages overwritten; the merchant's
  invitations the partner answered, or that are addressed to its email, lose the address
  (open ones are revoked).
Conversions, commissions and clicks stay as they are (money rows, ids only). The
partner's account, login, profile and everything at other merchants are untouched.
`partner.erased` goes to the erasing merchant, in each mode it had the partner in.

`partner_erase` is the platform-wide erasure (the partner's own request, or staff in the
Django admin):

What is erased: the partner's display name (→ "Erased partner"), website, country,
payout accounts and tax details (IBANs, tax ids, signatures, the tax form: by the
payouts app); the login's email (→ `erased-<uuid>@erased.invalid`), full name and
password (unusable), and the login is deactivated so that its tokens stop working; the
IP hashes, user agents and referrers of the partner's clicks (through the tracking app);
the messages of the partner's applications.

What stays: the partner row and its id, applications (without messages), referral and
promo codes, clicks, and everything other apps keep for money (commissions, payouts):
totals must not change because someone exercised a right. The codes stay resolvable so
that a conversion carrying one is answered "partner erased" rather than "unknown code";
tracking links of an erased partner stop recording clicks.

A login that is also a merchant's team member is not deactivated by a partner erasure
(one merchant must not be able to lock another merchant's owner out): the partner
profile is anonymised and detached from it instead.

Afterwards every write involving the partner is 409 PARTICIPANT_ERASED, erasing again
included. `partner.erased` is emitted to every merchant and mode the partner applied in.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from rest_framework import serializers

from accounts.models import Membership, Merchant, Partner, User
from partners.models import (
    Application,
    CommissionOverride,
    Invitation,
    InvitationStatus,
    PartnerGroupMember,
    PromoCode,
    ReferralCode,
)
from partners.serializers import PartnerOut
from partners.services._common import lock_partner
from payouts.services import payout_secrets_erase
from tracking.services import clicks_anonymise_for_partner
from webhooks.services import emit, events_redact

ERASED_DISPLAY_NAME = "Erased partner"
ERASED_EMAIL_DOMAIN = "erased.invalid"


def _erase_user(user: User) -> None:
    user.email = f"erased-{uuid.uuid4()}@{ERASED_EMAIL_DOMAIN}"
    user.full_name = ""
    user.set_unusable_password()
    user.is_active = False
    user.save(update_fields=["email", "full_name", "password", "is_active"])


@transaction.atomic
def partner_erase(*, partner: Partner) -> Partner:
    locked = lock_partner(partner)
    user = (
        User.objects.select_for_update().filter(pk=locked.user_id).first()
        if locked.user_id is not None
        else None
    )
    applications = Application.objects.filter(partner=locked)
    old_display_name = locked.display_name
    personal_texts = {locked.website}
    if user is not None:
        personal_texts |= {user.email, user.full_name}
    for message, decision in applications.values_list("message", "decision_message"):
        personal_texts |= {message, decision}
    if user is not None:
        if Membership.objects.filter(user=user).exists():
            # A merchant's teammate keeps the login; only its partner profile goes.
            personal_texts -= {user.email, user.full_name}
            locked.user = None
        else:
            _erase_user(user)
    locked.display_name = ERASED_DISPLAY_NAME
    locked.website = ""
    locked.country = ""
    locked.erased_at = timezone.now()
    locked.save()
    applications.update(message="", decision_message="")
    clicks_anonymise_for_partner(partner=locked)
    payout_secrets_erase(partner=locked)
    pairs = sorted(set(applications.values_list("merchant_id", "mode")))
    # Events already recorded (partner.applied, application.*, conversion.*) carry the
    # partner's name, website and messages: those values are overwritten in place.
    personal = {value: "" for value in personal_texts}
    personal[old_display_name] = ERASED_DISPLAY_NAME
    events_redact(
        merchant_ids=[merchant_id for merchant_id, _mode in pairs],
        mentioning=str(locked.pk),
        values=personal,
    )
    data = partner_event_data(locked)
    merchants = Merchant.objects.in_bulk([merchant_id for merchant_id, _mode in pairs])
    for merchant_id, mode in pairs:
        emit(merchant=merchants[merchant_id], mode=mode, type="partner.erased", data=data)
    partner.refresh_from_db()
    return locked


def partner_event_data(partner: Partner) -> dict[str, Any]:
    """The `data` of a `partner.erased` event (the webhook catalogue's example uses it too)."""
    return dict(PartnerOut(partner).data)


def erased_view(partner: Partner, erased_at: datetime) -> dict[str, Any]:
    """The partner as a merchant that erased it sees it (PartnerOut's shape): nothing personal."""
    moment = serializers.DateTimeField()
    return {
        "id": str(partner.pk),
        "display_name": ERASED_DISPLAY_NAME,
        "website": "",
        "country": "",
        "created_at": moment.to_representation(partner.created_at),
        "erased": True,
        "erased_at": moment.to_representation(erased_at),
    }


@transaction.atomic
def partner_erase_for_merchant(*, merchant: Merchant, partner: Partner) -> dict[str, Any]:
    """Erase what `merchant` holds about `partner` (see the module docstring).

    Returns the partner as the merchant now sees it (`erased_view`).
    """
    locked = lock_partner(partner)
    now = timezone.now()
    applications = Application.objects.filter(merchant=merchant, partner=locked)
    modes = sorted(set(applications.values_list("mode", flat=True)))
    email = locked.user.email if locked.user is not None else ""
    personal_texts = {locked.website, email}
    if locked.user is not None:
        personal_texts.add(locked.user.full_name)
    for message, decision in applications.values_list("message", "decision_message"):
        personal_texts |= {message, decision}
    personal = {value: "" for value in personal_texts}
    personal[locked.display_name] = ERASED_DISPLAY_NAME
    events_redact(merchant_ids=[merchant.pk], mentioning=str(locked.pk), values=personal)
    ReferralCode.objects.filter(merchant=merchant, partner=locked, disabled_at__isnull=True).update(
        disabled_at=now
    )
    PromoCode.objects.filter(merchant=merchant, partner=locked, disabled_at__isnull=True).update(
        disabled_at=now
    )
    invitations = Invitation.objects.filter(merchant=merchant).filter(
        Q(partner=locked) | (Q(email=email.lower()) if email else Q(pk__in=[]))
    )
    invitations.filter(status=InvitationStatus.INVITED).update(
        status=InvitationStatus.REVOKED, answered_at=now
    )
    invitations.update(email="", message="", application=None)
    # The partner's groups and own rates end with the relationship.
    PartnerGroupMember.objects.filter(merchant=merchant, partner=locked).delete()
    CommissionOverride.objects.filter(merchant=merchant, partner=locked).delete()
    applications.delete()
    data = erased_view(locked, now)
    for mode in modes:
        emit(merchant=merchant, mode=mode, type="partner.erased", data=data)
    return data
