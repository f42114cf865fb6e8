"""The partner's own profile: public fields and payout details."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.db import transaction

from accounts.models import Partner
from partners import rules
from partners.services._common import lock_partner
from selgeo.api.errors import ValidationFailed

PROFILE_FIELDS = frozenset(
    {"display_name", "website", "country", "payout_method", "payout_details"}
)


@transaction.atomic
def partner_profile_update(*, partner: Partner, changes: Mapping[str, Any]) -> Partner:
    """Update the profile. Payout details are validated against the resulting method.

    Sending `payout_method` alone keeps the stored details only if they fit the new
    method (switching sepa → paypal without an email is an error, not a silent wipe).
    """
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
    if "payout_method" in changes or "payout_details" in changes:
        method = changes.get("payout_method", locked.payout_method)
        details = changes.get("payout_details", locked.payout_details)
        clean, payout_errors = rules.clean_payout_details(method, details)
        errors += payout_errors
        locked.payout_method = method
        locked.payout_details = clean
    if errors:
        raise ValidationFailed(details=errors)
    locked.save()
    return locked
