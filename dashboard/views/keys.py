"""Developers: API keys (create, roll, revoke; a secret is shown once)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from accounts import selectors, services
from accounts.models import ApiKey
from accounts.services import IssuedKey
from dashboard.access import MerchantRequest, merchant_view
from dashboard.forms import ApiKeyForm, RollKeyForm
from selgeo.api.errors import ApiError

SESSION_NEW_SECRETS = "selgeo_new_secrets"


def remember_new_secrets(request: HttpRequest, issued: Iterable[IssuedKey]) -> None:
    """Keep just-issued secret keys for the keys page's next view, the one that shows them.

    Selgeo stores only a digest of a secret key: this page view is the one chance to copy
    it. Public keys need no such care (the page lists them in full).
    """
    request.session[SESSION_NEW_SECRETS] = [
        {"id": str(key.api_key.pk), "mode": key.api_key.mode, "raw": key.raw}
        for key in issued
        if key.api_key.kind == "secret"
    ]


def _pop_new_secrets(request: HttpRequest) -> list[dict[str, Any]]:
    # Shown on this one page view only: the session copy is gone after it.
    return list(request.session.pop(SESSION_NEW_SECRETS, None) or [])


@merchant_view(admin=True)
def api_keys(request: MerchantRequest) -> HttpResponse:
    merchant, mode = request.merchant, request.mode
    form = ApiKeyForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        issued = services.api_key_create(
            merchant=merchant,
            mode=mode,
            kind=form.cleaned_data["kind"],
            name=form.cleaned_data["name"],
        )
        remember_new_secrets(request, [issued])
        return redirect("dashboard:api-keys")
    return render(
        request,
        "dashboard/api_keys.html",
        {
            "section": "developers",
            "keys": selectors.api_keys_for(merchant=merchant, mode=mode),
            "form": form,
            "roll_form": RollKeyForm(),
            "new_secrets": _pop_new_secrets(request),
        },
    )


def _key(request: MerchantRequest, key_id: str) -> ApiKey:
    return get_object_or_404(
        selectors.api_keys_for(merchant=request.merchant, mode=request.mode),
        pk=key_id,
    )


@require_POST
@merchant_view(admin=True)
def api_key_roll(request: MerchantRequest, key_id: str) -> HttpResponse:
    key = _key(request, key_id)
    form = RollKeyForm(request.POST)
    hours = form.cleaned_data["expires_in_hours"] if form.is_valid() else 0
    try:
        issued = services.api_key_roll(api_key=key, expires_in_hours=hours)
    except ApiError as exc:
        messages.error(request, exc.message)
    else:
        remember_new_secrets(request, [issued])
        messages.success(request, f"{key.redacted} was rolled.")
    return redirect("dashboard:api-keys")


@require_POST
@merchant_view(admin=True)
def api_key_revoke(request: MerchantRequest, key_id: str) -> HttpResponse:
    key = services.api_key_revoke(api_key=_key(request, key_id))
    messages.success(request, f"{key.redacted} was revoked; it stops working now.")
    return redirect("dashboard:api-keys")
