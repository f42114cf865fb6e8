"""The partner domain's errors, with the reference's codes.

The reference names three partner errors (all 409): PARTICIPANT_ERASED,
REFERRAL_CODE_TAKEN and APPLICATION_DUPLICATE. Promo codes answer REFERRAL_CODE_TAKEN
too when their code is in use: it is the reference's one code for "this code is
taken", and inventing a second would break clients that already handle it.

A state conflict that the reference has no code for (approving an application twice,
publishing an archived program, editing commission terms of a live program) is a 400
VALIDATION_ERROR whose details name the field "status": the request is invalid for
the object's current status, and the message says which status and why.
"""

from __future__ import annotations

from selgeo.api.errors import ApiError, ValidationFailed


class ParticipantErased(ApiError):
    status_code = 409
    code = "PARTICIPANT_ERASED"
    default_message = "The partner's data has been erased"


class ReferralCodeTaken(ApiError):
    status_code = 409
    code = "REFERRAL_CODE_TAKEN"
    default_message = "Referral code already taken"


class ApplicationDuplicate(ApiError):
    status_code = 409
    code = "APPLICATION_DUPLICATE"
    default_message = "The partner has already applied to this program"


def status_conflict(message: str) -> ValidationFailed:
    """The request does not fit the object's current status (see the module docstring)."""
    return ValidationFailed(message, details=[{"field": "status", "message": message}])
