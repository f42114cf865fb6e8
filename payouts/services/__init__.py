"""Writes of the payouts app (re-exported here; each module holds one behaviour)."""

from payouts.services.lifecycle import payout_run_transition, payout_transition
from payouts.services.runs import payout_build, payout_run_build, payout_run_create
from payouts.services.settings import payout_settings_update

__all__ = [
    "payout_build",
    "payout_run_build",
    "payout_run_create",
    "payout_run_transition",
    "payout_settings_update",
    "payout_transition",
]
