"""The merchant's reporting currency: the one currency its dashboard totals are in."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render

from dashboard.access import MerchantRequest, merchant_view
from fx import selectors, services
from fx.currencies import exponent
from selgeo.api.errors import ValidationFailed


class ReportingCurrencyForm(forms.Form):
    currency = forms.CharField(
        max_length=3,
        min_length=3,
        help_text="An ISO 4217 code: USD, EUR, JPY, KWD…",
        widget=forms.TextInput(attrs={"autocomplete": "off", "class": "mono"}),
    )

    def clean_currency(self) -> str:
        code = self.cleaned_data["currency"]
        if code != code.upper() or exponent(code) is None:
            raise forms.ValidationError("Enter an ISO 4217 currency code in capitals, like EUR.")
        return code


@merchant_view(admin=True)
def reporting_currency(request: MerchantRequest) -> HttpResponse:
    current = selectors.reporting_currency_of(request.merchant)
    form = ReportingCurrencyForm(request.POST or None, initial={"currency": current})
    if request.method == "POST" and form.is_valid():
        try:
            services.reporting_currency_set(
                merchant=request.merchant, currency=form.cleaned_data["currency"]
            )
        except ValidationFailed as exc:
            form.add_error("currency", exc.message)
        else:
            messages.success(
                request,
                f"Figures are now reported in {form.cleaned_data['currency']} for conversions "
                "from now on; amounts already recorded keep their currency and rate.",
            )
            return redirect("dashboard:reporting-currency")
    rate_set = selectors.rate_set_current()
    return render(
        request,
        "dashboard/reporting_currency.html",
        {
            "section": "overview",
            "form": form,
            "current": current,
            "rate_set": rate_set,
            "rates": selectors.rates_usd_strings(rate_set),
        },
    )
