"""The merchant's payout settings form (the rules themselves live in payouts.services)."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from django import forms

from dashboard.forms import add_errors_beside
from payouts import services
from payouts.run_models import PayoutSchedule, PayoutSettings
from payouts.selectors.runs import REASONS
from selgeo.currencies import format_amount, is_currency, minor_unit_exponent

# A line per currency ("EUR 50.00"): room for every ISO 4217 currency, and no more.
MINIMUMS_TEXT_MAX = 5000


def minimums_text(settings: PayoutSettings) -> str:
    """{"EUR": 5000} → "EUR 50.00", one line per currency."""
    lines = []
    for code, cents in sorted(settings.minimums.items()):
        amount, _ = format_amount(int(cents), code).replace(",", "").rsplit(" ", 1)
        lines.append(f"{code} {amount}")
    return "\n".join(lines)


class PayoutSettingsForm(forms.Form):
    minimums = forms.CharField(
        label="Minimum payout per currency",
        required=False,
        max_length=MINIMUMS_TEXT_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="One line per currency, e.g. “EUR 50.00”. Unlisted currencies: 50.",
    )
    tax_details_required = forms.BooleanField(
        label="Require tax details before paying", required=False
    )
    schedule = forms.ChoiceField(label="Schedule", choices=PayoutSchedule.choices)
    schedule_day = forms.IntegerField(
        label="Day of the month (1-28)", required=False, min_value=1, max_value=28
    )
    sepa_debtor_name = forms.CharField(
        label="Your account holder name", required=False, max_length=70
    )
    sepa_debtor_iban = forms.CharField(
        label="Your IBAN (debited by SEPA files)",
        required=False,
        max_length=40,
        help_text="Leave empty to keep the one saved.",
    )
    sepa_debtor_bic = forms.CharField(label="Your BIC", required=False, max_length=11)

    def clean_minimums(self) -> dict[str, int]:
        """Every line's error at once, not the first one's."""
        minimums: dict[str, int] = {}
        errors: list[str] = []
        for line in self.cleaned_data["minimums"].splitlines():
            if not line.strip():
                continue
            parts = line.split()
            if len(parts) != 2 or not is_currency(parts[0].upper()):
                errors.append(f"“{line.strip()}” is not “CODE amount”.")
                continue
            code = parts[0].upper()
            try:
                amount = Decimal(parts[1])
            except InvalidOperation:
                errors.append(f"“{parts[1]}” is not an amount.")
                continue
            cents = amount * 10 ** minor_unit_exponent(code)
            if not cents.is_finite() or cents < 0 or cents != cents.to_integral_value():
                errors.append(f"“{parts[1]}” is not an amount in {code}.")
                continue
            minimums[code] = int(cents)
        if errors:
            raise forms.ValidationError(errors)
        return minimums

    def clean(self) -> dict[str, Any]:
        # The service's own checks, so that their errors show with the form's.
        cleaned = super().clean() or {}
        schedule = cleaned.get("schedule")
        if schedule is not None:
            details = services.payout_settings_errors(
                minimums={},
                schedule=schedule,
                schedule_day=cleaned.get("schedule_day"),
                debtor_iban=(cleaned.get("sepa_debtor_iban") or "").replace(" ", "").upper(),
            )
            add_errors_beside(self, details)
        return cleaned

    def service_kwargs(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        if not data["sepa_debtor_iban"]:
            data.pop("sepa_debtor_iban")
        return data


REASON_LABELS = {
    "below_minimum": "Below the minimum",
    "no_payout_method": "No payout method",
    "tax_details_missing": "Tax details missing",
    "erased": "Erased",
}


class PreviewFilterForm(forms.Form):
    """The preview's filters, those of `GET /api/v1/payouts/preview`; a value that does not
    validate is shown with its error and left out, the others still apply."""

    search = forms.CharField(
        label="Partner",
        required=False,
        max_length=100,
        widget=forms.TextInput(attrs={"placeholder": "name or id", "type": "search"}),
    )
    payable = forms.ChoiceField(
        label="Payable",
        required=False,
        choices=[("", "All"), ("yes", "Payable"), ("no", "Not payable")],
    )
    currency = forms.ChoiceField(label="Currency", required=False)
    reason = forms.ChoiceField(
        label="Why not",
        required=False,
        choices=[("", "Any reason"), *((code, REASON_LABELS[code]) for code in REASONS)],
    )

    def __init__(self, *args: Any, currencies: Any = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # The currencies owed now, and the one asked for should nothing be owed in it
        # (then nothing is shown, rather than every currency).
        offered = set(currencies)
        asked = str(self.data.get("currency", "")).upper()
        if is_currency(asked):
            offered.add(asked)
            self.data = {**dict(self.data.items()), "currency": asked}
        field = self.fields["currency"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [("", "All"), *((code, code) for code in sorted(offered))]

    def filters(self) -> dict[str, Any]:
        """Keyword arguments of `payouts.selectors.preview_filtered`."""
        self.is_valid()
        data = getattr(self, "cleaned_data", {})
        return {
            "payable": {"yes": True, "no": False}.get(data.get("payable") or ""),
            "currency": data.get("currency") or None,
            "reason": data.get("reason") or None,
            "search": data.get("search") or None,
        }
