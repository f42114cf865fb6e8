"""Reads for notifications: who wants which mail."""

from __future__ import annotations

from accounts.models import Membership, Partner
from notifications.models import (
    MERCHANT_KINDS,
    PARTNER_KINDS,
    Kind,
    MemberOptOut,
    PartnerOptOut,
)


def wants(*, kind: str, membership: Membership | None, partner: Partner | None) -> bool:
    """Every notification is on until its recipient switches it off."""
    if membership is not None:
        return not MemberOptOut.objects.filter(membership=membership, kind=kind).exists()
    if partner is not None:
        return not PartnerOptOut.objects.filter(partner=partner, kind=kind).exists()
    return False


def member_preferences(*, membership: Membership) -> dict[str, bool]:
    off = set(MemberOptOut.objects.filter(membership=membership).values_list("kind", flat=True))
    return {kind: kind not in off for kind in MERCHANT_KINDS}


def partner_preferences(*, partner: Partner) -> dict[str, bool]:
    off = set(PartnerOptOut.objects.filter(partner=partner).values_list("kind", flat=True))
    return {kind: kind not in off for kind in PARTNER_KINDS}


def label(kind: str) -> str:
    return str(Kind(kind).label)
