"""Django's CommonMiddleware, with a trailing-slash redirect that keeps the method.

With APPEND_SLASH a request for `/login` is redirected to `/login/`. Django answers 301,
which browsers and curl follow with a GET (a form's POST is lost), and with DEBUG on it
raises for a POST instead, so `POST /login` was a 500 in development. A 308 Permanent
Redirect tells the client to repeat the same method with the same body (RFC 9110, 15.4.9),
so the POST reaches the page; GET and HEAD keep Django's 301.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponseBase, HttpResponsePermanentRedirect
from django.middleware.common import CommonMiddleware as DjangoCommonMiddleware
from django.utils.http import escape_leading_slashes


class HttpResponsePermanentRedirectKeepMethod(HttpResponsePermanentRedirect):
    status_code = 308


class CommonMiddleware(DjangoCommonMiddleware):
    def get_full_path_with_slash(self, request: HttpRequest) -> str:
        # Django's version raises in DEBUG for unsafe methods: the 308 below keeps them.
        return escape_leading_slashes(request.get_full_path(force_append_slash=True))

    def process_response(
        self, request: HttpRequest, response: HttpResponseBase
    ) -> HttpResponseBase:
        if (
            response.status_code == 404
            and request.method not in ("GET", "HEAD")
            and self.should_redirect_with_slash(request)
        ):
            return HttpResponsePermanentRedirectKeepMethod(self.get_full_path_with_slash(request))
        return super().process_response(request, response)
