"""CORS for the tracking endpoints under /v1/ (POST /v1/clicks, GET /v1/selgeo.js).

Any origin may call them: the credential is a public key sent in the Authorization
header, never a cookie, so `Access-Control-Allow-Origin: *` gives a hostile page
nothing it could not do from a server. Preflights are answered here, before
authentication (a browser sends them without the key), and cached by the browser for
two hours (Chromium's ceiling). Every other /v1/ response, errors included (401, 413,
429 with its Retry-After), carries the headers, so the page's script can read them.
This middleware sits just after the request-id middleware, ahead of everything that
may answer on its own.
"""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

TRACKING_PREFIX = "/v1/"
ALLOW_METHODS = "GET, POST, OPTIONS"
ALLOW_HEADERS = "Authorization, Content-Type, X-Request-Id"
EXPOSE_HEADERS = "Retry-After, X-Request-Id"
PREFLIGHT_MAX_AGE = "7200"


def is_preflight(request: HttpRequest) -> bool:
    return request.method == "OPTIONS" and "HTTP_ACCESS_CONTROL_REQUEST_METHOD" in request.META


class TrackingCorsMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not request.path_info.startswith(TRACKING_PREFIX):
            return self.get_response(request)
        if is_preflight(request):
            response = HttpResponse(status=204)
            response["Access-Control-Allow-Methods"] = ALLOW_METHODS
            response["Access-Control-Allow-Headers"] = ALLOW_HEADERS
            response["Access-Control-Max-Age"] = PREFLIGHT_MAX_AGE
        else:
            response = self.get_response(request)
            response["Access-Control-Expose-Headers"] = EXPOSE_HEADERS
        response["Access-Control-Allow-Origin"] = "*"
        return response
