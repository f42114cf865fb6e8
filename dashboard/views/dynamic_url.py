"""A program's dynamic delivery URL: set, change or remove it, and see each partner's request."""

from __future__ import annotations

import uuid

from django import forms
from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render

from dashboard.access import MerchantRequest, merchant_view
from dashboard.paging import paginate
from dashboard.views.programs import scoped_program
from dynamic_delivery import selectors, services
from dynamic_delivery.models import DISABLE_AFTER_FAILURES_DOC
from selgeo.api.errors import ApiError
from webhooks.ssrf import MAX_URL_LENGTH


class DynamicUrlForm(forms.Form):
    url = forms.CharField(
        label="Dynamic URL",
        max_length=MAX_URL_LENGTH,
        strip=False,
        help_text="Selgeo POSTs each newly approved partner here; your plain-text answer "
        "(at most 500 characters) becomes their promo code or delivery text.",
        widget=forms.URLInput(attrs={"class": "mono", "autocomplete": "off"}),
    )


@merchant_view(admin=True)
def dynamic_url(request: MerchantRequest, program_id: uuid.UUID) -> HttpResponse:
    program = scoped_program(request, program_id)
    current = selectors.dynamic_url_of(program=program)
    data = request.POST if request.method == "POST" else None
    form = DynamicUrlForm(data, initial={"url": current.url if current else ""})
    if request.method == "POST" and request.POST.get("action") == "remove":
        services.dynamic_url_remove(program=program)
        messages.success(request, f"{program.name} no longer has a dynamic URL.")
        return redirect("dashboard:program-dynamic-url", program.pk)
    if request.method == "POST" and form.is_valid():
        try:
            services.dynamic_url_set(program=program, url=form.cleaned_data["url"])
        except ApiError as exc:
            form.add_error("url", exc.message)
        else:
            messages.success(request, "The dynamic URL is saved and enabled.")
            return redirect("dashboard:program-dynamic-url", program.pk)
    return render(
        request,
        "dashboard/dynamic_url.html",
        {
            "section": "programs",
            "program": program,
            "dynamic": current,
            "form": form,
            "policy": DISABLE_AFTER_FAILURES_DOC,
            **paginate(request, selectors.deliveries_of_program(program=program)),
        },
    )
