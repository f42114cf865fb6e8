"""Writes for the partners app, one module per behaviour, all exported here.

Other apps and the views call `partners.services.<entity>_<action>`.
"""

from partners.services.applications import (
    application_approve,
    application_event_data,
    application_reject,
    application_submit,
)
from partners.services.codes import (
    promo_code_create,
    promo_code_disable,
    referral_code_create,
    referral_code_disable,
)
from partners.services.erasure import (
    partner_erase,
    partner_erase_for_merchant,
    partner_event_data,
)
from partners.services.invitations import (
    invitation_accept,
    invitation_create,
    invitation_decline,
    invitation_revoke,
)
from partners.services.profiles import partner_profile_update
from partners.services.programs import (
    program_archive,
    program_create,
    program_pause,
    program_publish,
    program_update,
)

__all__ = [
    "application_approve",
    "application_event_data",
    "application_reject",
    "application_submit",
    "invitation_accept",
    "invitation_create",
    "invitation_decline",
    "invitation_revoke",
    "partner_erase",
    "partner_erase_for_merchant",
    "partner_event_data",
    "partner_profile_update",
    "program_archive",
    "program_create",
    "program_pause",
    "program_publish",
    "program_update",
    "promo_code_create",
    "promo_code_disable",
    "referral_code_create",
    "referral_code_disable",
]
