"""The Selgeo error envelope, the API's exceptions and the one handler that renders them.

Every error on /api/ and /v1/ paths is `{"statusCode", "message", "error", "code"}`, plus
`"details": [{"field", "message"}]` for validation errors. Domain code raises `ApiError`
subclasses carrying a stable `code`; views never build error responses by hand.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Iterable, Mapping
from http import HTTPStatus
from typing import Any

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.db import InterfaceError, OperationalError
from django.http import Http404, HttpRequest, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from rest_framework import exceptions as drf
from rest_framework.response import Response

logger = logging.getLogger("selgeo.api")

# Codes that Selgeo adds to the reference's list, each where no listed code fits.
# They are documented in the README and in the OpenAPI document.
EXTRA_CODES = {
    "UNAUTHORIZED": "Missing or invalid dashboard token (JWT)",
    "METHOD_NOT_ALLOWED": "The endpoint does not accept this HTTP method",
    "PAYLOAD_TOO_LARGE": "The request body is larger than the API accepts",
    "SERVICE_UNAVAILABLE": "A dependency Selgeo needs for this request is unavailable",
}


def status_text(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Error"


def envelope(
    status: int, code: str, message: str, details: list[dict[str, str]] | None = None
) -> dict[str, Any]:
    body: dict[str, Any] = {
        "statusCode": status,
        "message": message,
        "error": status_text(status),
        "code": code,
    }
    if details is not None:
        body["details"] = details
    return body


class ApiError(Exception):
    """An error with a stable code; subclasses set status, code and a default message."""

    status_code = 400
    code = "VALIDATION_ERROR"
    default_message = "Validation failed"

    def __init__(
        self,
        message: str | None = None,
        *,
        details: list[dict[str, str]] | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> None:
        self.message = message or self.default_message
        self.details = details
        self.headers = dict(headers or {})
        super().__init__(self.message)

    def as_body(self) -> dict[str, Any]:
        details = self.details
        if details is None and self.status_code == 400:
            details = []
        return envelope(self.status_code, self.code, self.message, details)


class ValidationFailed(ApiError):
    status_code = 400
    code = "VALIDATION_ERROR"
    default_message = "Validation failed"

    @classmethod
    def field(cls, field: str, message: str) -> ValidationFailed:
        return cls(details=[{"field": field, "message": message}])


class Unauthorized(ApiError):
    status_code = 401
    code = "UNAUTHORIZED"
    default_message = "Authentication credentials were not provided or are invalid"


class InvalidApiKey(ApiError):
    status_code = 401
    code = "INVALID_API_KEY"
    default_message = "Missing or invalid secret API key"


class InvalidPublicKey(ApiError):
    status_code = 401
    code = "INVALID_PUBLIC_KEY"
    default_message = "Missing or invalid public key"


class InvalidSecretKey(ApiError):
    status_code = 401
    code = "INVALID_SECRET_KEY"
    default_message = "Missing or invalid secret key"


class Forbidden(ApiError):
    status_code = 403
    code = "FORBIDDEN"
    default_message = "Valid credentials but insufficient permissions"


class NotFound(ApiError):
    status_code = 404
    code = "NOT_FOUND"
    default_message = "Resource does not exist"


class MethodNotAllowed(ApiError):
    status_code = 405
    code = "METHOD_NOT_ALLOWED"
    default_message = "Method not allowed"


class PayloadTooLarge(ApiError):
    status_code = 413
    code = "PAYLOAD_TOO_LARGE"
    default_message = "Request body is too large"


class RateLimitExceeded(ApiError):
    status_code = 429
    code = "RATE_LIMIT_EXCEEDED"
    default_message = "Rate limit exceeded"

    def __init__(self, retry_after: int) -> None:
        retry_after = max(1, int(retry_after))
        super().__init__(headers={"Retry-After": str(retry_after)})
        self.retry_after = retry_after


class InternalError(ApiError):
    status_code = 500
    code = "INTERNAL_ERROR"
    default_message = "Unexpected server error"


class ServiceUnavailable(ApiError):
    status_code = 503
    code = "SERVICE_UNAVAILABLE"
    default_message = "Service temporarily unavailable"


class ModeMismatch(ApiError):
    status_code = 422
    code = "MODE_MISMATCH"
    default_message = "Test-mode key used with a live-mode signal (or vice versa)"


def flatten_validation_errors(detail: Any, prefix: str = "") -> list[dict[str, str]]:
    """Turn DRF's nested error structure into the reference's flat `details` list."""
    out: list[dict[str, str]] = []
    if isinstance(detail, Mapping):
        for key, value in detail.items():
            name = str(key)
            if name == "non_field_errors":
                name = prefix or "body"
            elif prefix:
                name = f"{prefix}.{name}"
            out.extend(flatten_validation_errors(value, name))
    elif isinstance(detail, list | tuple):
        if all(not isinstance(item, Mapping | list | tuple) for item in detail):
            out.extend({"field": prefix or "body", "message": str(item)} for item in detail)
        else:
            for index, item in enumerate(detail):
                if item in ({}, [], None):
                    continue
                out.extend(flatten_validation_errors(item, f"{prefix}[{index}]"))
    else:
        out.append({"field": prefix or "body", "message": str(detail)})
    return out


def _from_drf(exc: drf.APIException, context: Mapping[str, Any]) -> ApiError:
    if isinstance(exc, drf.ValidationError):
        return ValidationFailed(details=flatten_validation_errors(exc.detail))
    if isinstance(exc, drf.ParseError):
        return ValidationFailed(
            "Malformed request body", details=[{"field": "body", "message": str(exc.detail)}]
        )
    if isinstance(exc, drf.UnsupportedMediaType):
        return ValidationFailed(
            "Unsupported content type",
            details=[{"field": "Content-Type", "message": "Send the body as application/json"}],
        )
    if isinstance(exc, drf.NotAuthenticated | drf.AuthenticationFailed):
        view = context.get("view")
        error_class = getattr(view, "missing_credentials_error", Unauthorized)
        return error_class()
    if isinstance(exc, drf.PermissionDenied):
        return Forbidden()
    if isinstance(exc, drf.NotFound):
        return NotFound()
    if isinstance(exc, drf.MethodNotAllowed):
        return MethodNotAllowed(str(exc.detail))
    if isinstance(exc, drf.Throttled):
        return RateLimitExceeded(math.ceil(getattr(exc, "wait", None) or 1))
    if isinstance(exc, drf.NotAcceptable):
        return ValidationFailed(
            "Not acceptable", details=[{"field": "Accept", "message": "Accept application/json"}]
        )
    error = ApiError(str(exc.detail))
    error.status_code = exc.status_code
    error.code = "INTERNAL_ERROR" if exc.status_code >= 500 else "VALIDATION_ERROR"
    return error


def to_api_error(exc: BaseException, context: Mapping[str, Any] | None = None) -> ApiError | None:
    if isinstance(exc, ApiError):
        return exc
    if isinstance(exc, Http404):
        return NotFound()
    if isinstance(exc, DjangoPermissionDenied):
        return Forbidden()
    if isinstance(exc, drf.APIException):
        return _from_drf(exc, context or {})
    return None


def error_response(error: ApiError) -> Response:
    response = Response(error.as_body(), status=error.status_code)
    for name, value in error.headers.items():
        response[name] = value
    return response


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    """DRF's EXCEPTION_HANDLER: every known error becomes the envelope.

    A database that cannot answer (down, restarting, a deadlock or a timeout: Django's
    OperationalError and InterfaceError) is 503 SERVICE_UNAVAILABLE with `Retry-After`:
    the call can be repeated as it is (conversions are idempotent on their transaction
    id). It is logged with the request id like any server error.
    """
    if isinstance(exc, OperationalError | InterfaceError):
        logger.error("database unavailable: %s", exc, exc_info=exc)
        return error_response(
            ServiceUnavailable(
                "The database is unavailable; try again shortly", headers={"Retry-After": "5"}
            )
        )
    error = to_api_error(exc, context)
    if error is None:
        # Unknown errors propagate to Django, whose handler500 renders INTERNAL_ERROR
        # after the exception has been logged with the request id.
        return None
    return error_response(error)


def json_error(error: ApiError) -> JsonResponse:
    response = JsonResponse(error.as_body(), status=error.status_code)
    for name, value in error.headers.items():
        response[name] = value
    return response


def is_api_path(path: str) -> bool:
    return path.startswith(("/api/", "/v1/"))


def method_not_allowed(request: HttpRequest, allowed: Iterable[str]) -> JsonResponse:
    """405 METHOD_NOT_ALLOWED in the envelope, with the `Allow` header."""
    response = json_error(MethodNotAllowed(f'Method "{request.method}" not allowed'))
    response["Allow"] = ", ".join(allowed)
    return response


def _unknown_route(request: HttpRequest) -> JsonResponse:
    # No view counted the request: it is counted in the general zone here, or probing
    # unknown paths would be free.
    from selgeo.api import ratelimit

    try:
        ratelimit.enforce(request, zone="general")
    except ApiError as error:
        return json_error(error)
    return json_error(NotFound())


@csrf_exempt
def api_route_not_found(request: HttpRequest) -> JsonResponse:
    """The last route under /api/ and /v1/: a path no API route matches.

    A route rather than handler404 alone, because with DEBUG on Django answers a route
    miss with its HTML page listing every URL pattern and never calls handler404. It is
    exempt from CSRF as every API view is, so a POST is a 404 too, not a CSRF page.
    """
    return _unknown_route(request)


def handler404(request: HttpRequest, exception: Exception | None = None) -> Any:
    if is_api_path(request.path):
        if request.resolver_match is None:
            return _unknown_route(request)
        return json_error(NotFound())
    from django.views.defaults import page_not_found

    return page_not_found(request, exception or Http404())


def handler500(request: HttpRequest) -> Any:
    if is_api_path(request.path):
        return json_error(InternalError())
    from django.views.defaults import server_error

    return server_error(request)


def handler400(request: HttpRequest, exception: Exception | None = None) -> Any:
    if is_api_path(request.path):
        return json_error(ValidationFailed("Bad request"))
    from django.views.defaults import bad_request

    return bad_request(request, exception or Exception())


def handler403(request: HttpRequest, exception: Exception | None = None) -> Any:
    if is_api_path(request.path):
        return json_error(Forbidden())
    from django.views.defaults import permission_denied

    return permission_denied(request, exception or DjangoPermissionDenied())


def csrf_failure(request: HttpRequest, reason: str = "") -> Any:
    """CSRF_FAILURE_VIEW: the envelope on API paths, Django's page elsewhere."""
    if is_api_path(request.path):
        return json_error(Forbidden("CSRF verification failed"))
    from django.views.csrf import csrf_failure as django_csrf_failure

    return django_csrf_failure(request, reason)


def all_codes() -> Iterable[tuple[str, int]]:
    """Every error code and its HTTP status, for the OpenAPI document and the README."""
    seen: dict[str, int] = {}
    stack: list[type[ApiError]] = [ApiError]
    while stack:
        cls = stack.pop()
        seen.setdefault(cls.code, cls.status_code)
        stack.extend(cls.__subclasses__())
    return sorted(seen.items())
