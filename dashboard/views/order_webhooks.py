"""Developers: the secret URL the shop sends its order webhooks to, and what arrived there.

The URL is the credential (the shop cannot sign its webhooks): owners and admins see it
and may rotate it, which stops the old URL at once.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from compat.selly import selectors, services
from dashboard.access import MerchantRequest, merchant_view
from dashboard.paging import paginate


def inbound_url(token: str) -> str:
    return settings.SELGEO_PUBLIC_URL + reverse("selly-webhook", args=[token])


@merchant_view(admin=True)
def order_webhooks(request: MerchantRequest) -> HttpResponse:
    endpoint = services.inbound_endpoint_ensure(merchant=request.merchant, mode=request.mode)
    deliveries = selectors.inbound_deliveries_for(merchant=request.merchant, mode=request.mode)
    return render(
        request,
        "dashboard/order_webhooks.html",
        {
            "section": "developers",
            "endpoint": endpoint,
            "url": inbound_url(endpoint.token),
            **paginate(request, deliveries),
        },
    )


@merchant_view(admin=True)
@require_POST
def order_webhooks_rotate(request: MerchantRequest) -> HttpResponse:
    services.inbound_endpoint_rotate(merchant=request.merchant, mode=request.mode)
    messages.success(
        request, "A new URL is ready: paste it into your shop. The old one no longer works."
    )
    return redirect("dashboard:order-webhooks")
