"""Staff admin for exchange rates: sets are entered by hand here and never edited.

A set entered here takes effect at its `effective_at`, at the earliest a minute from
now, for every sale from then on: amounts already recorded are never rewritten.
"""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

from django import forms
from django.contrib import admin
from django.http import HttpRequest
from django.utils import timezone

from fx.adapters import MalformedRates, parse_json
from fx.models import EFFECTIVE_DELAY, ExchangeRateSet, RateSource, ReportingCurrency
from fx.services import rate_set_record


class RateSetForm(forms.ModelForm):
    rates_text = forms.CharField(
        label="Rates",
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text='Units per one unit of the base, as JSON: {"EUR": "0.93897", "JPY": "149.5"}',
    )

    class Meta:
        model = ExchangeRateSet
        fields = ("effective_at", "base")

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        text, base = cleaned.get("rates_text"), cleaned.get("base")
        if text and base:
            try:
                rates = json.loads(text, parse_float=Decimal, parse_int=Decimal)
                self.parsed = parse_json(
                    json.dumps(
                        {"base": base, "rates": {k: str(v) for k, v in rates.items()}}
                    ).encode()
                )
            except (ValueError, AttributeError):
                self.add_error("rates_text", "Enter a JSON object of currency codes and rates.")
            except MalformedRates as exc:
                self.add_error("rates_text", str(exc))
        effective_at = cleaned.get("effective_at")
        if effective_at is not None and effective_at < timezone.now() + EFFECTIVE_DELAY:
            self.add_error(
                "effective_at",
                "A set takes effect at the earliest a minute from now: recorded amounts "
                "are never rewritten.",
            )
        return cleaned


@admin.register(ExchangeRateSet)
class ExchangeRateSetAdmin(admin.ModelAdmin):
    list_display = (
        "id",
        "effective_at",
        "fetched_at",
        "published_at",
        "confirmed_at",
        "source",
        "base",
    )
    list_filter = ("source",)
    ordering = ("-effective_at",)
    form = RateSetForm

    def get_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        if obj is None:
            return ("effective_at", "base", "rates_text")
        return (
            "effective_at",
            "fetched_at",
            "confirmed_at",
            "published_at",
            "source",
            "source_url",
            "base",
            "rates",
            "created_by",
        )

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        return self.get_fields(request, obj) if obj is not None else ()

    def get_changeform_initial_data(self, request: HttpRequest) -> dict[str, Any]:
        return {"effective_at": timezone.now() + EFFECTIVE_DELAY * 2, "base": "USD"}

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        if change:
            return
        row = rate_set_record(
            parsed=form.parsed,
            fetched_at=timezone.now(),
            effective_at=form.cleaned_data["effective_at"],
            source=RateSource.ADMIN,
            created_by=request.user,
        )
        obj.pk = row.pk

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        # Conversions record the set they used: a set is history, never removed.
        return False


@admin.register(ReportingCurrency)
class ReportingCurrencyAdmin(admin.ModelAdmin):
    list_display = ("merchant", "currency", "updated_at")
    raw_id_fields = ("merchant",)
