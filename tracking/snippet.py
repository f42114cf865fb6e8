"""GET /v1/selgeo.js: the browser snippet, served with its own caching headers.

The file lives beside this module (not under a static directory) so that there is one
URL for it: the snippet derives the API base from its own `src`, which must be the
`/v1/` mount. Browsers may keep it for an hour and use a stale copy for a day while
they revalidate it by ETag (a 304 costs no body). CORS headers come from
`tracking.middleware`; `Cross-Origin-Resource-Policy` lets pages that isolate
themselves (COEP) load it too.
"""

from __future__ import annotations

import hashlib
from functools import cache
from pathlib import Path

from django.http import HttpRequest, HttpResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import condition

from selgeo.api.errors import method_not_allowed

SNIPPET_PATH = Path(__file__).resolve().parent / "assets" / "selgeo.js"
CONTENT_TYPE = "text/javascript; charset=utf-8"
CACHE_CONTROL = "public, max-age=3600, stale-while-revalidate=86400"


@cache
def snippet_source() -> tuple[bytes, str]:
    """The script and its ETag, read once per process."""
    body = SNIPPET_PATH.read_bytes()
    return body, hashlib.sha256(body).hexdigest()[:32]


def _etag(request: HttpRequest) -> str:
    return snippet_source()[1]


@condition(etag_func=_etag)
def _serve(request: HttpRequest) -> HttpResponse:
    response = HttpResponse(snippet_source()[0], content_type=CONTENT_TYPE)
    response["Cache-Control"] = CACHE_CONTROL
    response["Cross-Origin-Resource-Policy"] = "cross-origin"
    return response


# Exempt from CSRF, as every /v1/ view is: another method than GET is the 405 envelope.
@csrf_exempt
def selgeo_js(request: HttpRequest) -> HttpResponse:
    if request.method not in ("GET", "HEAD"):
        # Under /v1/ every error speaks the API's envelope.
        return method_not_allowed(request, ("GET", "HEAD"))
    return _serve(request)
