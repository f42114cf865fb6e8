"""Errors of payout runs and payouts, in the API's envelope."""

from __future__ import annotations

from selgeo.api.errors import ApiError


class PayoutTransitionRefused(ApiError):
    """A payout asked to move from a status that does not lead there (paid → failed)."""

    status_code = 409
    code = "PAYOUT_STATUS_CONFLICT"
    default_message = "The payout is not in a status that allows this change"


class PayoutFileUnavailable(ApiError):
    """A rail's file asked for a run that has nothing to pay on that rail, or no debtor."""

    status_code = 422
    code = "PAYOUT_FILE_UNAVAILABLE"
    default_message = "This run has no payout for this file"
