"""Helpers shared by the partner services: the partner lock and constraint names."""

from __future__ import annotations

import secrets

from django.utils.text import slugify

from accounts.models import Partner
from partners.errors import ParticipantErased
from selgeo.db import violated_constraint

__all__ = ["violated_constraint"]

REFERRAL_CODE_CONSTRAINT = "partners_referral_code_unique_per_merchant"
PROMO_CODE_CONSTRAINT = "partners_promo_code_unique_per_merchant"
PROGRAM_CODE_CONSTRAINT = "partners_program_code_unique_per_merchant"
APPLICATION_CONSTRAINT = "partners_application_unique_pair"
DEFAULT_CODE_CONSTRAINT = "partners_referral_code_one_default"

_SUFFIX_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"


def lock_partner(partner: Partner) -> Partner:
    """Lock the partner row for this transaction and refuse an erased partner.

    Every write involving a partner takes this lock first (partner before application,
    always), and erasure takes it too: a write either commits before the erasure starts
    or sees `erased_at` once it gets the lock, so nothing is written for an erased partner.
    """
    locked = Partner.objects.select_for_update(no_key=True).get(pk=partner.pk)
    if locked.erased_at is not None:
        raise ParticipantErased()
    return locked


def generated_code(display_name: str) -> str:
    """A readable code: the display name's slug and a random suffix (e.g. `jane-doe-k7m2qx`)."""
    base = slugify(display_name)[:24].strip("-_") or "partner"
    suffix = "".join(secrets.choice(_SUFFIX_ALPHABET) for _ in range(6))
    return f"{base}-{suffix}"
