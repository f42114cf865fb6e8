"""Tracking links: GET /r/<code> and GET /r/<merchant_slug>/<code>.

An active code records a click (source "link", the code's mode) and answers 302 to the
program's landing URL with `selgeo_click_id=<uuid>` added; the landing URL's own query
(kept byte for byte, an older `selgeo_click_id` replaced) and fragment are preserved.
`/r/<code>` resolves only a code exactly one merchant has active; `/r/<slug>/<code>`
names the merchant. An unknown, ambiguous or inactive code (disabled, partner erased,
program not published) records nothing and redirects to the merchant's website when
the merchant is known and has one, else answers a plain HTML 404 page.

Bots follow the redirect like anyone else; their click is flagged. A HEAD request (link
checkers) gets the same redirect without a click, and so does a visitor address past
the `links` rate limit (60 recorded clicks a minute). Responses are never cached and not
indexed; their referrer policy lets the landing page see the referring site's origin,
not the full address of the page the visitor came from.
"""

from __future__ import annotations

from urllib.parse import urlsplit, urlunsplit
from uuid import UUID

from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from selgeo.api import ratelimit
from selgeo.db import supports_prepared
from tracking import selectors, services, visitors
from tracking.models import ClickSource

CLICK_ID_PARAM = "selgeo_click_id"


def with_click_id(url: str, click_id: UUID | None) -> str:
    """`url` with `selgeo_click_id` set, its own query and fragment kept as they were."""
    scheme, netloc, path, query, fragment = urlsplit(url)
    kept = [part for part in query.split("&") if part and part.split("=")[0] != CLICK_ID_PARAM]
    if click_id is not None:
        kept.append(f"{CLICK_ID_PARAM}={click_id}")
    return urlunsplit((scheme, netloc, path, "&".join(kept), fragment))


def _finish(response: HttpResponse) -> HttpResponse:
    response["Cache-Control"] = "no-store"
    response["Referrer-Policy"] = "strict-origin-when-cross-origin"
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response


def _not_found(request: HttpRequest) -> HttpResponse:
    return render(request, "tracking/link_not_found.html", status=404)


# Exempt from CSRF so that another method than GET or HEAD is a 405, not a CSRF page.
@csrf_exempt
@require_http_methods(["GET", "HEAD"])
def follow_link(request: HttpRequest, code: str, merchant_slug: str = "") -> HttpResponse:
    referrer = str(request.META.get("HTTP_REFERER", ""))
    # Past the per-visitor limit a link still leads to the landing page, as HEAD does,
    # but records nothing: repeated clicks from one address are not a crowd.
    records = request.method == "GET" and ratelimit.allows(request, zone="links")
    if (
        records
        and supports_prepared()
        and selectors.CODE_PATTERN.match(code)
        and (not merchant_slug or selectors.SLUG_PATTERN.match(merchant_slug))
    ):
        # The common case in one statement; anything it does not record (unknown,
        # ambiguous or inactive codes, click.created subscribers) is decided below.
        recorded = services.link_click_fast(
            code=code,
            merchant_slug=merchant_slug,
            visitor=visitors.visitor_from_request(request),
            referrer=referrer,
        )
        if recorded is not None:
            click_id, landing_url = recorded
            return _finish(HttpResponseRedirect(with_click_id(landing_url, click_id)))
    target = selectors.link_target(code=code, merchant_slug=merchant_slug)
    referral_code = target.referral_code
    if referral_code is None:
        if target.fallback_url:
            return _finish(HttpResponseRedirect(target.fallback_url))
        return _finish(_not_found(request))
    landing_url = referral_code.program.landing_url
    if not records:
        return _finish(HttpResponseRedirect(with_click_id(landing_url, None)))
    click = services.click_record(
        referral_code=referral_code,
        visitor=visitors.visitor_from_request(request),
        source=ClickSource.LINK,
        landing_url=landing_url,
        referrer=referrer,
    )
    return _finish(HttpResponseRedirect(with_click_id(landing_url, click.id)))
