"""A merchant's landing page for the browser test, beside the real URL map.

The page is served from `localhost` and loads the snippet from `127.0.0.1` (the same
test server under another origin), so the click crosses origins exactly as on a real
shop: CORS preflight, public key in the header, first-party cookie on the page's host.
A strict Content-Security-Policy proves the snippet needs no inline script or eval.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.urls import path
from django.utils.html import escape

from selgeo.urls import urlpatterns as real_urlpatterns

PAGE = """<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>Acme shop</title>
<script src="{api}/v1/selgeo.js" data-merchant="{key}" async></script>
</head>
<body>
<h1>Acme shop</h1>
<form id="signup" data-selgeo method="post" action="/thanks"><input name="email"></form>
<form id="search" method="get" action="/search"><input name="q"></form>
</body>
</html>
"""


def landing_page(request: HttpRequest, key: str) -> HttpResponse:
    port = request.get_host().rpartition(":")[2]
    api = f"http://127.0.0.1:{port}"
    response = HttpResponse(PAGE.format(api=api, key=escape(key)))
    response["Content-Security-Policy"] = (
        f"default-src 'none'; script-src {api}; connect-src {api}; form-action 'self'"
    )
    return response


urlpatterns = [path("shop/<str:key>/", landing_page), *real_urlpatterns]
handler404 = "selgeo.api.errors.handler404"
handler500 = "selgeo.api.errors.handler500"
