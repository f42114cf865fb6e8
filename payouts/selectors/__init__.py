"""Reads for the payouts app, one module per concern, all exported here."""

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
from payouts.selectors.runs import (
    Reason,
    partner_balances,
    payouts_filtered,
    payouts_for,
    payouts_of_partner,
    preview,
    preview_filtered,
    runs_for,
    statement,
)
from payouts.selectors.settings import default_minimum, minimum_for, payout_settings_get

__all__ = [
    "Destination",
    "Reason",
    "active_payout_account",
    "default_minimum",
    "describe",
    "form_fields_of",
    "minimum_for",
    "partner_balances",
    "payout_destination",
    "payout_settings_get",
    "payouts_filtered",
    "payouts_for",
    "payouts_of_partner",
    "preview",
    "preview_filtered",
    "runs_for",
    "statement",
    "tax_document",
    "tax_profile_of",
    "tax_status",
]
