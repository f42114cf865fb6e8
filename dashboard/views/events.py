"""Developers: the webhook events of the mode, each with its payload and deliveries, and replay.

Every member may read events and their log, as in the events API; replaying is for
owners and admins.
"""

from __future__ import annotations

import json

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from accounts.models import Role
from dashboard.access import MerchantRequest, merchant_view
from dashboard.developer_forms import EventFilterForm, ReplayForm
from dashboard.paging import paginate
from dashboard.redirects import safe_next
from dashboard.views.webhooks import service_message
from selgeo.api.errors import ApiError
from webhooks import selectors, services
from webhooks.models import Event, WebhookEndpoint


def _event(request: MerchantRequest, event_id: str) -> Event:
    event = selectors.event_get(merchant=request.merchant, mode=request.mode, event_id=event_id)
    if event is None:
        raise Http404("No such event")
    return event


def _can_replay(request: MerchantRequest) -> bool:
    return request.membership.role in (Role.OWNER, Role.ADMIN)


@merchant_view()
def event_list(request: MerchantRequest) -> HttpResponse:
    filters = EventFilterForm(request.GET)
    wanted = filters.cleaned_data["type"] if filters.is_valid() else None
    events = selectors.events_for(merchant=request.merchant, mode=request.mode, type=wanted)
    return render(
        request,
        "dashboard/events.html",
        {"section": "developers", "filters": filters, **paginate(request, events)},
    )


@merchant_view()
def event_detail(request: MerchantRequest, event_id: str) -> HttpResponse:
    event = _event(request, event_id)
    return render(
        request,
        "dashboard/event_detail.html",
        {
            "section": "developers",
            "event": event,
            "payload": json.dumps(event.payload, indent=2, ensure_ascii=False),
            "deliveries": selectors.event_deliveries(event=event),
            "can_replay": _can_replay(request),
        },
    )


@require_POST
@merchant_view(admin=True)
def event_replay(request: MerchantRequest, event_id: str) -> HttpResponse:
    """Send the event again now: to the endpoint named in the form, or to every subscriber."""
    event = _event(request, event_id)
    form = ReplayForm(request.POST)
    if not form.is_valid():
        raise Http404("No such webhook endpoint")
    endpoint: WebhookEndpoint | None = None
    if form.cleaned_data["endpoint_id"] is not None:
        endpoint = selectors.endpoint_get(
            merchant=request.merchant,
            mode=request.mode,
            endpoint_id=str(form.cleaned_data["endpoint_id"]),
        )
        if endpoint is None:
            raise Http404("No such webhook endpoint")
    try:
        deliveries = services.event_replay(event=event, endpoint=endpoint)
    except ApiError as exc:
        messages.error(request, service_message(exc))
    else:
        if endpoint is not None:
            messages.success(request, f"{event.public_id} is being sent again to {endpoint.url}.")
        elif deliveries:
            messages.success(
                request, f"{event.public_id} is being sent again to {len(deliveries)} endpoint(s)."
            )
        else:
            messages.info(
                request, "No enabled endpoint subscribes to this event; nothing was sent."
            )
    return redirect(safe_next(request, reverse("dashboard:event", args=[event.public_id])))
