"""Request-scoped API middleware: request ids, HTTPS enforcement, the body-size cap,
query strings (NUL refused, blank parameters absent), and the envelope for unhandled
errors."""

from __future__ import annotations

import contextvars
import logging
import re
import uuid
from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse, QueryDict

from selgeo.api.errors import (
    Forbidden,
    InternalError,
    PayloadTooLarge,
    ValidationFailed,
    is_api_path,
    json_error,
    to_api_error,
)

logger = logging.getLogger("django.request")

request_id_var: contextvars.ContextVar[str] = contextvars.ContextVar("request_id", default="-")

# Client-supplied ids are echoed only when they are short printable tokens, so that a
# hostile header cannot inject line breaks or megabytes into our logs.
_SAFE_REQUEST_ID = re.compile(r"^[A-Za-z0-9._:\-]{1,128}$")


def current_request_id() -> str:
    return request_id_var.get()


class RequestIdLogFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = request_id_var.get()
        return True


class RequestIdMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        incoming = request.headers.get("X-Request-Id", "")
        request_id = incoming if _SAFE_REQUEST_ID.match(incoming) else f"req_{uuid.uuid4().hex}"
        request.request_id = request_id  # type: ignore[attr-defined]
        token = request_id_var.set(request_id)
        try:
            response = self.get_response(request)
        finally:
            request_id_var.reset(token)
        response["X-Request-Id"] = request_id
        return response


class ApiHttpsRequiredMiddleware:
    """Refuses plain-HTTP API calls when HTTPS is required (a redirect would leak keys)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if settings.SELGEO_REQUIRE_HTTPS and is_api_path(request.path) and not request.is_secure():
            return json_error(Forbidden("HTTPS is required; plain-HTTP requests are rejected"))
        return self.get_response(request)


class ApiBodySizeLimitMiddleware:
    """Answers 413 for API bodies over the cap before any of them is read."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if is_api_path(request.path):
            try:
                length = int(request.META.get("CONTENT_LENGTH") or 0)
            except ValueError:
                length = 0
            if length > settings.SELGEO_MAX_BODY_BYTES:
                return json_error(
                    PayloadTooLarge(
                        f"Request body is larger than {settings.SELGEO_MAX_BODY_BYTES} bytes"
                    )
                )
        return self.get_response(request)


class ApiQueryStringMiddleware:
    """The API's query strings: a NUL is refused, a blank parameter is absent.

    PostgreSQL text cannot hold NUL, so a search or filter value carrying one would fail
    in the database; serializers refuse NUL in bodies, and this does the same for every
    query parameter, naming it (400).

    A parameter sent with no value (`?program=`, as a form with an empty field sends
    it), or with white space alone, means "no filter": it is removed here, in one place,
    so that every list and filter of the API treats it exactly as if it had not been sent
    (the OpenAPI document marks every optional query parameter `allowEmptyValue`).
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        query = request.META.get("QUERY_STRING", "")
        if query and is_api_path(request.path):
            if "%00" in query or "\x00" in query:
                for name, values in request.GET.lists():
                    if "\x00" in name or any("\x00" in value for value in values):
                        return json_error(
                            ValidationFailed.field(
                                name.replace("\x00", ""), "Null characters are not allowed."
                            )
                        )
            # White space alone is blank too: the serializers trim it (a no-break space
            # included), so it could only ever be refused as "may not be blank".
            if any(not value.strip() for _name, values in request.GET.lists() for value in values):
                kept = QueryDict(mutable=True)
                for name, values in request.GET.lists():
                    kept.setlist(name, [value for value in values if value.strip()])
                request.GET = QueryDict(kept.urlencode(), encoding=request.encoding)
        return self.get_response(request)


class ApiExceptionMiddleware:
    """An exception a view under /api/ or /v1/ did not handle becomes the envelope.

    With DEBUG off Django's handler404/handler500 already answer it; with DEBUG on
    Django would answer its HTML debug pages, which an API client cannot read. The
    traceback is logged (with the request id) in place of the page.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not is_api_path(request.path):
            return None
        error = to_api_error(exception)
        if error is not None:
            return json_error(error)
        if not settings.DEBUG:
            return None
        logger.error(
            "Internal Server Error: %s",
            request.path,
            exc_info=exception,
            extra={"request": request},
        )
        return json_error(InternalError())
