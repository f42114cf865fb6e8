"""Conversion API errors with the reference's stable codes."""

from __future__ import annotations

from selgeo.api.errors import ApiError


class ConversionDuplicate(ApiError):
    status_code = 409
    code = "CONVERSION_DUPLICATE"
    default_message = "A conversion with this external_transaction_id already exists"


class NoAttributionSignal(ApiError):
    status_code = 422
    code = "NO_ATTRIBUTION_SIGNAL"
    default_message = "Neither click_id nor promo_code was provided"


class CommissionTransitionRefused(ApiError):
    """A commission asked to move from a status that does not lead there (paid → approved)."""

    status_code = 409
    code = "COMMISSION_STATUS_CONFLICT"
    default_message = "The commission is not in a status that allows this change"


class ConversionTransitionRefused(ApiError):
    """A conversion asked to move from a status that does not lead there."""

    status_code = 409
    code = "CONVERSION_STATUS_CONFLICT"
    default_message = "The conversion is not in a status that allows this change"
