"""The partner's own profile: its public fields (payout details live in payouts)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.db import transaction

from accounts.models import Partner
from partners import rules
from partners.services._common import lock_partner
from selgeo.api.errors import ValidationFailed

PROFILE_FIELDS = frozenset({"display_name", "website", "country"})


@transaction.atomic
def partner_profile_update(*, partner: Partner, changes: Mapping[str, Any]) -> Partner:
    """Update the profile's public fields."""
    errors: rules.Details = [
        {"field": name, "message": "This field cannot be changed"}
        for name in sorted(set(changes) - PROFILE_FIELDS)
    ]
    if errors:
        raise ValidationFailed(details=errors)
    locked = lock_partner(partner)
    if "display_name" in changes:
        name = changes["display_name"]
        if not isinstance(name, str) or not name.strip() or len(name) > 120:
            errors.append({"field": "display_name", "message": "1 to 120 characters"})
        else:
            locked.display_name = name.strip()
    if "website" in changes:
        errors += rules.url_errors("website", changes["website"], allow_blank=True)
        locked.website = changes["website"]
    if "country" in changes:
        errors += rules.country_errors(changes["country"])
        locked.country = str(changes["country"]).upper()
    if errors:
        raise ValidationFailed(details=errors)
    locked.save()
    return locked
