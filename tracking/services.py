"""Writes for clicks."""

from __future__ import annotations

from django.db import transaction

from accounts.models import Partner
from tracking.models import Click


@transaction.atomic
def clicks_anonymise_for_partner(*, partner: Partner) -> int:
    """GDPR erasure: drop what could identify visitors and the partner on their clicks.

    The rows stay (they carry attribution that commissions depend on); the IP hash,
    user agent and referrer go.
    """
    return Click.objects.filter(partner=partner).update(ip_hash="", user_agent="", referrer="")
