"""Developers: webhook endpoints (create, edit, rotate the secret, test, delete) and their log.

Owners and admins only, like the endpoints API. A new or rotated `whsec_` secret is put in
the session for one page view of its endpoint, then it is gone from the dashboard.
"""

from __future__ import annotations

import uuid
from typing import Any

from django import forms
from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from dashboard.access import MerchantRequest, merchant_view
from dashboard.developer_forms import (
    EndpointEditForm,
    EndpointForm,
    ReplayFailedForm,
    RotateSecretForm,
)
from dashboard.forms import add_service_errors
from dashboard.paging import paginate
from selgeo.api.errors import ApiError, ValidationFailed
from webhooks import selectors, services
from webhooks.models import WebhookEndpoint

SESSION_NEW_WEBHOOK_SECRET = "selgeo_new_webhook_secret"  # noqa: S105 (a session key name)


def _scope(request: MerchantRequest) -> dict[str, Any]:
    return {"merchant": request.merchant, "mode": request.mode}


def _endpoint(request: MerchantRequest, endpoint_id: uuid.UUID) -> WebhookEndpoint:
    endpoint = selectors.endpoint_get(**_scope(request), endpoint_id=str(endpoint_id))
    if endpoint is None:
        raise Http404("No such webhook endpoint")
    return endpoint


def service_message(exc: ApiError) -> str:
    """A refusal in one sentence: a validation error's first detail says more than its title."""
    if isinstance(exc, ValidationFailed) and exc.details:
        return str(exc.details[0].get("message") or exc.message)
    return exc.message


def _place_errors(form: forms.Form, exc: ApiError) -> None:
    """Validation details go next to their fields; the URL and limit refusals next to the URL."""
    if isinstance(exc, ValidationFailed):
        add_service_errors(form, exc.details, exc.message)
    else:
        form.add_error("url", forms.ValidationError(exc.message, code=exc.code))


def _flash_secret(request: MerchantRequest, endpoint: WebhookEndpoint) -> None:
    request.session[SESSION_NEW_WEBHOOK_SECRET] = {
        "id": str(endpoint.pk),
        "secret": endpoint.secret,
    }


@merchant_view(admin=True)
def endpoint_list(request: MerchantRequest) -> HttpResponse:
    form = EndpointForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            endpoint = services.endpoint_create(
                **_scope(request),
                url=data["url"],
                description=data["description"],
                event_types=data["event_types"],
            )
        except ApiError as exc:
            _place_errors(form, exc)
        else:
            _flash_secret(request, endpoint)
            messages.success(request, f"Selgeo will send {request.mode} events to {endpoint.url}.")
            return redirect("dashboard:webhook", endpoint.pk)
    endpoints = list(selectors.endpoints_for(**_scope(request)))
    return render(
        request,
        "dashboard/webhooks.html",
        {
            "section": "developers",
            "endpoints": endpoints,
            "alert_ids": set(
                selectors.endpoint_alerts(**_scope(request)).values_list("pk", flat=True)
            ),
            "form": form,
            "limit": services.MAX_ENDPOINTS_PER_MODE,
            "at_limit": len(endpoints) >= services.MAX_ENDPOINTS_PER_MODE,
            "history_days": selectors.history_days(),
        },
    )


def _edit_initial(endpoint: WebhookEndpoint) -> dict[str, Any]:
    return {
        "url": endpoint.url,
        "description": endpoint.description,
        "event_types": endpoint.event_types,
        "enabled": endpoint.is_enabled,
    }


def _render_detail(
    request: MerchantRequest, endpoint: WebhookEndpoint, form: forms.Form | None = None
) -> HttpResponse:
    shown = request.session.pop(SESSION_NEW_WEBHOOK_SECRET, None)
    new_secret = shown["secret"] if shown and shown.get("id") == str(endpoint.pk) else None
    deliveries = selectors.deliveries_for(**_scope(request), endpoint_id=endpoint.pk)
    return render(
        request,
        "dashboard/webhook_detail.html",
        {
            "section": "developers",
            "endpoint": endpoint,
            "alerted": selectors.endpoint_alerts(**_scope(request)).filter(pk=endpoint.pk).exists(),
            "form": form or EndpointEditForm(initial=_edit_initial(endpoint)),
            "rotate_form": RotateSecretForm(),
            "replay_form": ReplayFailedForm(),
            "new_secret": new_secret,
            "now": timezone.now(),
            "health": selectors.endpoint_health(endpoint=endpoint),
            "history_days": selectors.history_days(),
            **paginate(request, deliveries),
        },
    )


@merchant_view(admin=True)
def endpoint_detail(request: MerchantRequest, endpoint_id: uuid.UUID) -> HttpResponse:
    endpoint = _endpoint(request, endpoint_id)
    if request.method != "POST":
        return _render_detail(request, endpoint)
    form = EndpointEditForm(request.POST, initial=_edit_initial(endpoint))
    if form.is_valid():
        data = form.cleaned_data
        changes: dict[str, Any] = {"description": data["description"]}
        # Unchanged values are left out: an unchanged URL is not resolved again, and an
        # endpoint Selgeo disabled keeps its reason until the merchant enables it.
        if data["url"] != endpoint.url:
            changes["url"] = data["url"]
        if sorted(data["event_types"]) != sorted(endpoint.event_types):
            changes["event_types"] = data["event_types"]
        if data["enabled"] != endpoint.is_enabled:
            changes["enabled"] = data["enabled"]
        try:
            endpoint = services.endpoint_update(endpoint=endpoint, **changes)
        except ApiError as exc:
            _place_errors(form, exc)
        else:
            messages.success(request, "The endpoint was saved.")
            return redirect("dashboard:webhook", endpoint.pk)
    return _render_detail(request, endpoint, form=form)


@require_POST
@merchant_view(admin=True)
def endpoint_rotate(request: MerchantRequest, endpoint_id: uuid.UUID) -> HttpResponse:
    endpoint = _endpoint(request, endpoint_id)
    form = RotateSecretForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Keep the old secret for 0 to 168 hours; nothing was rotated.")
        return redirect("dashboard:webhook", endpoint.pk)
    hours = form.cleaned_data["previous_valid_hours"]
    endpoint = services.endpoint_rotate_secret(endpoint=endpoint, previous_valid_hours=hours)
    _flash_secret(request, endpoint)
    if hours:
        messages.success(request, f"New secret issued; the old one keeps signing for {hours} h.")
    else:
        messages.success(request, "New secret issued; the old one stopped signing now.")
    return redirect("dashboard:webhook", endpoint.pk)


@require_POST
@merchant_view(admin=True)
def endpoint_test(request: MerchantRequest, endpoint_id: uuid.UUID) -> HttpResponse:
    endpoint = _endpoint(request, endpoint_id)
    event = services.endpoint_send_test(endpoint=endpoint)
    messages.success(
        request, f"A test event ({event.public_id}) is on its way; its attempt appears below."
    )
    return redirect("dashboard:webhook", endpoint.pk)


@require_POST
@merchant_view(admin=True)
def endpoint_replay_failed(request: MerchantRequest, endpoint_id: uuid.UUID) -> HttpResponse:
    endpoint = _endpoint(request, endpoint_id)
    form = ReplayFailedForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Enter a date and time such as 2026-03-01 14:00 (UTC).")
        return redirect("dashboard:webhook", endpoint.pk)
    try:
        count = services.endpoint_replay_failed(endpoint=endpoint, since=form.cleaned_data["since"])
    except ApiError as exc:
        messages.error(request, service_message(exc))
    else:
        if count:
            messages.success(request, f"{count} failed event(s) are being sent again.")
        else:
            messages.info(request, "No event since then is waiting for a replay.")
    return redirect("dashboard:webhook", endpoint.pk)


@merchant_view(admin=True)
def endpoint_delete(request: MerchantRequest, endpoint_id: uuid.UUID) -> HttpResponse:
    """A confirmation page; the POST deletes the endpoint and its delivery log."""
    endpoint = _endpoint(request, endpoint_id)
    if request.method == "POST":
        services.endpoint_delete(endpoint=endpoint)
        messages.success(request, f"{endpoint.url} was deleted; it receives nothing more.")
        return redirect("dashboard:webhooks")
    return render(
        request,
        "dashboard/webhook_delete.html",
        {"section": "developers", "endpoint": endpoint},
    )
