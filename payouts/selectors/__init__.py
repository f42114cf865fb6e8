"""Reads of the payouts app (re-exported here; each module holds one concern)."""

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
    "Reason",
    "default_minimum",
    "minimum_for",
    "partner_balances",
    "payout_settings_get",
    "payouts_filtered",
    "payouts_for",
    "payouts_of_partner",
    "preview",
    "preview_filtered",
    "runs_for",
    "statement",
]
