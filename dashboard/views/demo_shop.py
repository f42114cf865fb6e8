"""The demo shop: the landing page of the demo programs (`manage.py selgeo_demo`).

A small shop page with `selgeo.js` installed as a merchant installs it, and a Buy button.
Buying posts to the shop's own server side, which reports the sale to Selgeo's API with
the demo's secret key, over HTTP as a merchant's server does, and shows the answer:
whether the sale was attributed, why, and the partner's commission. The click id comes
from the form (the snippet fills `selgeo_click_id` in forms marked `data-selgeo`), else
from the first-party cookie the snippet keeps, else from the link's query.

It works only beside the demo: the keys are read from the demo's keys file
(SELGEO_DEMO_KEYS_FILE), and without it the page says how to create them. A production
server has no demo shop (404): the demo login and keys are published.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.request
import uuid
from typing import Any

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET, require_POST

from accounts.models import Mode

CLICK_ID = "selgeo_click_id"
PRICE_CENTS = 4900
CURRENCY = "EUR"


def demo_keys() -> dict[str, str]:
    try:
        keys: dict[str, str] = json.loads(settings.SELGEO_DEMO_KEYS_FILE.read_text())
    except (OSError, ValueError):
        return {}
    return keys


def _mode(mode: str) -> str:
    if settings.PRODUCTION or mode not in (Mode.LIVE, Mode.TEST):
        raise Http404("No such demo shop")
    return mode


def _click_id(request: HttpRequest) -> str:
    for value in (
        request.POST.get(CLICK_ID, ""),
        request.COOKIES.get(CLICK_ID, ""),
        request.GET.get(CLICK_ID, ""),
    ):
        try:
            return str(uuid.UUID(value))
        except ValueError:
            continue
    return ""


@require_GET
def demo_shop(request: HttpRequest, mode: str = Mode.LIVE) -> HttpResponse:
    keys = demo_keys()
    return render(
        request,
        "demo/shop.html",
        {
            "mode": _mode(mode),
            "public_key": keys.get(f"pk_{mode}", ""),
            "click_id": _click_id(request),
            "price_cents": PRICE_CENTS,
            "currency": CURRENCY,
        },
        status=200 if keys else 503,
    )


def report_sale(*, secret_key: str, click_id: str) -> tuple[int, dict[str, Any]]:
    """POST /api/v1/conversions, as the shop's server: the status and the answer."""
    body = {
        "click_id": click_id or None,
        "event_type": "purchase",
        "external_transaction_id": f"demo-order-{uuid.uuid4().hex[:12]}",
        "amount_cents": PRICE_CENTS,
        "currency": CURRENCY,
    }
    # Selgeo's own API at its public URL (http or https, from the settings).
    request = urllib.request.Request(  # noqa: S310
        f"{settings.SELGEO_PUBLIC_URL}/api/v1/conversions",
        data=json.dumps({k: v for k, v in body.items() if v is not None}).encode(),
        headers={"Authorization": f"Bearer {secret_key}", "Content-Type": "application/json"},
        method="POST",
    )
    try:
        with urllib.request.urlopen(request, timeout=15) as response:  # noqa: S310
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read() or b"{}")


@require_POST
def demo_shop_buy(request: HttpRequest, mode: str = Mode.LIVE) -> HttpResponse:
    mode = _mode(mode)
    secret_key = demo_keys().get(f"sk_{mode}", "")
    if not secret_key:
        return render(request, "demo/shop.html", {"mode": mode}, status=503)
    status, answer = report_sale(secret_key=secret_key, click_id=_click_id(request))
    return render(
        request,
        "demo/bought.html",
        {
            "mode": mode,
            "status": status,
            "answer": answer,
            "answer_json": json.dumps(answer, indent=2),
        },
        status=200 if status == 201 else 502,
    )
