"""The payment-forwarding API's own error."""

from __future__ import annotations

from selgeo.api.errors import ApiError


class PaymentForwardingUnavailable(ApiError):
    """No node is configured for the mode (the embedded default), or it does not answer."""

    status_code = 503
    code = "PAYMENT_FORWARDING_UNAVAILABLE"
    default_message = (
        "Payment forwarding is not available: no Bitcoin node is configured for this mode"
    )
