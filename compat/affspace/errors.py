"""The dialect's envelope: `{"success": false, "error": {"code", "message"}}`.

Selgeo's own errors (`selgeo.api.errors.ApiError`) are raised underneath as everywhere
else; this module renders them with the vendor document's codes. The document lists
UNAUTHORIZED, INVALID_API_KEY, VALIDATION_ERROR, NOT_FOUND, RATE_LIMITED and
INTERNAL_ERROR; where none of them fits (a method the route does not accept, a body over
the size cap, plain HTTP where HTTPS is required, a database that cannot answer) the
code is Selgeo's own, with its status.
"""

from __future__ import annotations

import logging
from typing import Any

from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from rest_framework.response import Response

from selgeo.api.errors import (
    ApiError,
    InternalError,
    NotFound,
    ServiceUnavailable,
    ValidationFailed,
    to_api_error,
)

logger = logging.getLogger("selgeo.api")

# Status → the vendor's code, for Selgeo errors whose own code the dialect does not use
# (INVALID_SECRET_KEY, RATE_LIMIT_EXCEEDED, ...).
_VENDOR_CODES = {
    400: "VALIDATION_ERROR",
    401: "INVALID_API_KEY",
    404: "NOT_FOUND",
    429: "RATE_LIMITED",
}

# Every code the dialect answers, with its status (documented in the OpenAPI document).
CODES = {
    "UNAUTHORIZED": 401,
    "INVALID_API_KEY": 401,
    "VALIDATION_ERROR": 400,
    "NOT_FOUND": 404,
    "RATE_LIMITED": 429,
    "INTERNAL_ERROR": 500,
    "FORBIDDEN": 403,
    "METHOD_NOT_ALLOWED": 405,
    "PAYLOAD_TOO_LARGE": 413,
    "SERVICE_UNAVAILABLE": 503,
}


class DialectError(ApiError):
    """A refusal worded as the vendor document words it (`Missing offer_code`, ...).

    `field` names the input it is about, for the test session's report."""

    status_code = 400
    code = "VALIDATION_ERROR"

    def __init__(self, message: str, *, field: str = "body") -> None:
        super().__init__(message, details=[{"field": field, "message": message}])
        self.field = field


class MissingApiKey(ApiError):
    status_code = 401
    code = "UNAUTHORIZED"
    default_message = "API key required"


class BadApiKey(ApiError):
    status_code = 401
    code = "INVALID_API_KEY"
    default_message = "API key is invalid"


def _message(error: ApiError) -> str:
    # Selgeo's validation errors carry their reasons in `details`; the dialect has one
    # message, so the first reason is named in it.
    if isinstance(error, ValidationFailed) and error.details:
        first = error.details[0]
        return f"{first['field']}: {first['message']}"
    return error.message


def _code_of(error: ApiError) -> str:
    status = _status_of(error)
    if status in _VENDOR_CODES and (status != 401 or error.code not in CODES):
        return _VENDOR_CODES[status]
    if error.code in CODES:
        return error.code
    return "INTERNAL_ERROR" if status >= 500 else "VALIDATION_ERROR"


def body_of(error: ApiError) -> dict[str, Any]:
    return {"success": False, "error": {"code": _code_of(error), "message": _message(error)}}


def _status_of(error: ApiError) -> int:
    # Selgeo's 409 and 422 refusals (a duplicate, a signal of the other mode) are handled
    # by the adapters; any that still arrive are the vendor's validation errors.
    return 400 if error.status_code in (409, 422) else error.status_code


def dialect_error(error: ApiError) -> Response:
    response = Response(body_of(error), status=_status_of(error))
    for name, value in error.headers.items():
        response[name] = value
    return response


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response:
    """The dialect views' DRF exception handler: every error in the vendor's envelope,
    an unexpected one included (logged with its traceback and the request id)."""
    if isinstance(exc, OperationalError | InterfaceError):
        logger.error("database unavailable: %s", exc, exc_info=exc)
        return dialect_error(
            ServiceUnavailable(
                "The database is unavailable; try again shortly", headers={"Retry-After": "5"}
            )
        )
    error = to_api_error(exc, context)
    if error is None:
        logger.error("Internal Server Error in the AffSpace dialect", exc_info=exc)
        error = InternalError("Server error")
    if isinstance(error, MissingApiKey | BadApiKey):
        response = dialect_error(error)
        response["WWW-Authenticate"] = 'Bearer realm="api"'
        return response
    return dialect_error(error)


def json_error(error: ApiError) -> JsonResponse:
    response = JsonResponse(body_of(error), status=_status_of(error))
    for name, value in error.headers.items():
        response[name] = value
    return response


@csrf_exempt
def route_not_found(request: HttpRequest, rest: str = "") -> JsonResponse:
    """Any other path under /compat/affspace/: the dialect's 404, counted per IP."""
    from selgeo.api import ratelimit

    try:
        ratelimit.enforce(request, zone="general")
    except ApiError as error:
        return json_error(error)
    return json_error(NotFound("Resource not found"))
