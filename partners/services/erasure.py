"""GDPR erasure of a partner: personal data goes, financial records stay consistent.

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

from django.db import transaction
from django.utils import timezone

from accounts.models import Membership, Merchant, Partner, User
from partners.models import Application
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
    data = dict(PartnerOut(locked).data)
    merchants = Merchant.objects.in_bulk([merchant_id for merchant_id, _mode in pairs])
    for merchant_id, mode in pairs:
        emit(merchant=merchants[merchant_id], mode=mode, type="partner.erased", data=data)
    partner.refresh_from_db()
    return locked
