"""Reads for the payouts app, one module per behaviour, all exported here."""

from payouts.selectors.accounts import (
    Destination,
    active_payout_account,
    describe,
    form_fields_of,
    payout_destination,
    tax_document,
    tax_profile_of,
    tax_status,
)

__all__ = [
    "Destination",
    "active_payout_account",
    "describe",
    "form_fields_of",
    "payout_destination",
    "tax_document",
    "tax_profile_of",
    "tax_status",
]
