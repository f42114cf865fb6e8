"""Portal forms for the partner's payout account and tax details.

Each form shows the fields of one payout method or one tax form, picked beforehand by a
plain GET chooser (radio buttons and a button), so the pages work without JavaScript.
Validation is the payouts services' (the same as the API's); their errors are shown by
the fields they name.
"""

from __future__ import annotations

import copy
from typing import Any

from django import forms

from dashboard.forms import CountryField, add_errors_beside
from payouts import services
from payouts.models import PayoutMethod, TaxEntityType, TaxForm
from payouts.services.accounts import METHOD_FIELDS
from payouts.tax_forms import FORMS

METHOD_INPUTS: dict[str, forms.Field] = {
    "account_holder": forms.CharField(label="Account holder", max_length=140),
    "iban": forms.CharField(
        label="IBAN", max_length=50, widget=forms.TextInput(attrs={"autocomplete": "off"})
    ),
    "bic": forms.CharField(
        label="BIC (optional)",
        required=False,
        max_length=11,
        help_text="Left blank, the bank's BIC is derived from the IBAN where known.",
    ),
    "email": forms.CharField(label="PayPal email", max_length=254),
    "address": forms.CharField(
        label="Bitcoin address",
        max_length=100,
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    ),
    "instructions": forms.CharField(
        label="Payment instructions",
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="How the merchant should pay you (at most 1000 characters).",
    ),
}


class MethodChoiceForm(forms.Form):
    method = forms.ChoiceField(
        label="Payout method", choices=PayoutMethod.choices, widget=forms.RadioSelect
    )


class PayoutAccountForm(forms.Form):
    """The fields of one method; `method` is carried by a hidden input."""

    method = forms.ChoiceField(choices=PayoutMethod.choices, widget=forms.HiddenInput)

    def __init__(
        self,
        data: Any = None,
        *,
        method: str,
        keep_iban: bool = False,
        initial: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(data, initial={"method": method, **(initial or {})})
        self.chosen_method = method
        for name in METHOD_FIELDS[method]:
            self.fields[name] = copy.deepcopy(METHOD_INPUTS[name])
        if method == PayoutMethod.SEPA:
            self.fields["iban"].required = not keep_iban
            if keep_iban:
                self.fields["iban"].help_text = "Leave blank to keep the IBAN on file."

    def clean(self) -> dict[str, Any]:
        # The service's checks of what was typed, so that their errors (a bad IBAN) show
        # together with the form's own (a missing account holder).
        cleaned = super().clean() or {}
        names = METHOD_FIELDS[self.chosen_method]
        typed = {name: str(self.data.get(name, "")).strip() for name in names}
        keeping = self.chosen_method == PayoutMethod.SEPA and not self.fields["iban"].required
        details = services.payout_account_errors(method=self.chosen_method, details=typed)
        if keeping and not typed["iban"]:
            details = [detail for detail in details if detail["field"] != "iban"]
        add_errors_beside(self, details)
        return cleaned

    def details(self) -> dict[str, str]:
        names = METHOD_FIELDS[self.chosen_method]
        return {name: self.cleaned_data.get(name, "") for name in names}


class TaxFormChoiceForm(forms.Form):
    form = forms.ChoiceField(
        label="Which form?",
        choices=TaxForm.choices,
        widget=forms.RadioSelect,
        help_text="US persons (tax country US) sign a W-9; others a W-8BEN as an individual "
        "or a W-8BEN-E as a business.",
    )


class TaxDetailsForm(forms.Form):
    """Tax details, the chosen form's fields, and the typed signature."""

    form = forms.ChoiceField(choices=TaxForm.choices, widget=forms.HiddenInput)
    legal_name = forms.CharField(label="Legal name", max_length=200)
    country = CountryField(label="Tax residence country")
    entity_type = forms.ChoiceField(label="Entity type", choices=TaxEntityType.choices)
    tax_id = forms.CharField(
        label="Tax id",
        max_length=40,
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
        help_text="Your VAT number or national tax id for that country (for a W-9: SSN, "
        "ITIN or EIN).",
    )

    def __init__(
        self, data: Any = None, *, tax_form: str, initial: dict[str, Any] | None = None
    ) -> None:
        super().__init__(data, initial={"form": tax_form, **(initial or {})})
        self.tax_form = tax_form
        self.form_field_names: list[str] = []
        for spec in FORMS[tax_form]:
            field: forms.Field
            if spec.kind == "choice" and spec.choices is not None:
                choices = [("", "—"), *spec.choices.items()]
                field = forms.ChoiceField(label=spec.label, choices=choices)
            elif spec.kind == "date":
                field = forms.CharField(
                    label=spec.label,
                    max_length=10,
                    widget=forms.DateInput(attrs={"type": "date"}),
                )
            elif spec.kind == "country":
                field = CountryField(label=spec.label, help_text="")
            else:
                field = forms.CharField(label=spec.label, max_length=200)
            field.required = spec.required
            self.fields[spec.name] = field
            self.form_field_names.append(spec.name)
        self.fields["signature"] = forms.CharField(
            label="Signature",
            max_length=200,
            widget=forms.TextInput(attrs={"autocomplete": "off"}),
            help_text="Type your legal name to sign. The date is today's.",
        )

    def clean(self) -> dict[str, Any]:
        # The service's checks of what was typed, so that a wrong form, a tax id of another
        # country or a signature that is not the legal name show with the form's errors.
        cleaned = super().clean() or {}
        raw = {name: str(self.data.get(name, "")).strip() for name in self.fields}
        values = {
            "legal_name": raw["legal_name"],
            "country": raw["country"].upper(),
            "entity_type": raw["entity_type"],
            "tax_id": raw["tax_id"],
            "form": self.tax_form,
            "form_fields": {name: raw[name] for name in self.form_field_names if raw[name]},
            "signature": raw["signature"],
        }
        add_errors_beside(self, service_errors(services.tax_profile_errors(**values)))
        return cleaned

    def form_field_boxes(self) -> list[Any]:
        return [self[name] for name in self.form_field_names]

    def values(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "legal_name": data["legal_name"],
            "country": data["country"],
            "entity_type": data["entity_type"],
            "tax_id": data["tax_id"],
            "form": data["form"],
            "form_fields": {name: data[name] for name in self.form_field_names if data.get(name)},
            "signature": data["signature"],
        }


def service_errors(details: list[dict[str, Any]] | None) -> list[dict[str, Any]]:
    """Service fields (`form_fields.date_of_birth`) renamed to the form's (`date_of_birth`)."""
    return [
        {**detail, "field": str(detail.get("field", "")).removeprefix("form_fields.")}
        for detail in details or []
    ]
