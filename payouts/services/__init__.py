"""Writes for the payouts app, one module per behaviour, all exported here.

Other apps and the views call `payouts.services.<entity>_<action>`.
"""

from payouts.services.accounts import (
    encryption_rotate,
    payout_account_errors,
    payout_account_replace,
    payout_secrets_erase,
    tax_profile_errors,
    tax_profile_save,
)
from payouts.services.lifecycle import payout_run_transition, payout_transition
from payouts.services.runs import payout_build, payout_run_build, payout_run_create
from payouts.services.settings import payout_settings_errors, payout_settings_update

__all__ = [
    "encryption_rotate",
    "payout_account_errors",
    "payout_account_replace",
    "payout_build",
    "payout_run_build",
    "payout_run_create",
    "payout_run_transition",
    "payout_secrets_erase",
    "payout_settings_errors",
    "payout_settings_update",
    "payout_transition",
    "tax_profile_errors",
    "tax_profile_save",
]
