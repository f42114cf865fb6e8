"""The webhook error codes of the API reference."""

from __future__ import annotations

from selgeo.api.errors import ApiError


class WebhookNotFound(ApiError):
    status_code = 404
    code = "WEBHOOK_NOT_FOUND"
    default_message = "Webhook endpoint does not exist"


class WebhookEndpointLimitExceeded(ApiError):
    status_code = 422
    code = "WEBHOOK_ENDPOINT_LIMIT_EXCEEDED"
    default_message = "Maximum of 10 endpoints per mode reached"


class WebhookUrlNotHttps(ApiError):
    status_code = 422
    code = "WEBHOOK_URL_NOT_HTTPS"
    default_message = "Live-mode webhooks require HTTPS"


class WebhookUrlPrivateIp(ApiError):
    status_code = 422
    code = "WEBHOOK_URL_PRIVATE_IP"
    default_message = "URL resolves to a private/reserved IP address"


class WebhookUrlUnresolvable(ApiError):
    status_code = 422
    code = "WEBHOOK_URL_UNRESOLVABLE"
    default_message = "Could not resolve the URL hostname"
