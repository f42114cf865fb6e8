"""Writes for the payouts app, one module per behaviour, all exported here.

Other apps and the views call `payouts.services.<entity>_<action>`.
"""

from payouts.services.accounts import (
    encryption_rotate,
    payout_account_replace,
    payout_secrets_erase,
    tax_profile_save,
)

__all__ = [
    "encryption_rotate",
    "payout_account_replace",
    "payout_secrets_erase",
    "tax_profile_save",
]
