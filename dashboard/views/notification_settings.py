"""Email notification switches: per member in the dashboard, per partner in the portal."""

from __future__ import annotations

from collections.abc import Iterable

from django import forms
from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render

from dashboard.access import MerchantRequest, PartnerRequest, merchant_view, partner_view
from notifications import selectors, services
from notifications.models import MERCHANT_KINDS, PARTNER_KINDS


class NotificationForm(forms.Form):
    """One checkbox per notification: checked is on."""

    def __init__(self, kinds: Iterable[str], *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        for kind in kinds:
            self.fields[kind] = forms.BooleanField(label=selectors.label(kind), required=False)

    def enabled(self) -> list[str]:
        return [kind for kind, on in self.cleaned_data.items() if on]


@merchant_view()
def member_notifications(request: MerchantRequest) -> HttpResponse:
    current = selectors.member_preferences(membership=request.membership)
    form = NotificationForm(
        MERCHANT_KINDS, request.POST if request.method == "POST" else None, initial=current
    )
    if request.method == "POST" and form.is_valid():
        services.member_preferences_set(membership=request.membership, enabled=form.enabled())
        messages.success(request, "Your notification settings are saved.")
        return redirect("dashboard:notifications")
    return render(
        request,
        "dashboard/notifications.html",
        {"form": form, "email": request.membership.user.email, "merchant": request.merchant},
    )


@partner_view
def partner_notifications(request: PartnerRequest) -> HttpResponse:
    current = selectors.partner_preferences(partner=request.partner)
    form = NotificationForm(
        PARTNER_KINDS, request.POST if request.method == "POST" else None, initial=current
    )
    if request.method == "POST" and form.is_valid():
        services.partner_preferences_set(partner=request.partner, enabled=form.enabled())
        messages.success(request, "Your notification settings are saved.")
        return redirect("portal:notifications")
    return render(
        request,
        "portal/notifications.html",
        {
            "form": form,
            "email": getattr(request.partner.user, "email", ""),
            "section": "notifications",
        },
    )
