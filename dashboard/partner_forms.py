"""Forms for applications, partners and codes, on both sides (merchant and partner)."""

from __future__ import annotations

from typing import Any

from django import forms

from accounts.models import PayoutMethod
from partners import rules
from partners.models import ApplicationStatus

MESSAGE_MAX = 2000


def _program_choices(programs: Any) -> list[tuple[str, str]]:
    return [(str(program.pk), f"{program.name} ({program.code})") for program in programs]


def _set_choices(form: forms.Form, name: str, choices: list[tuple[str, str]]) -> None:
    field = form.fields[name]
    assert isinstance(field, forms.ChoiceField)
    field.choices = choices


class DecisionForm(forms.Form):
    message = forms.CharField(
        label="Message to the partner (optional)",
        required=False,
        max_length=MESSAGE_MAX,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class ApplicationFilterForm(forms.Form):
    status = forms.ChoiceField(
        label="Status", required=False, choices=[("", "All"), *ApplicationStatus.choices]
    )
    program = forms.ChoiceField(label="Program", required=False)

    def __init__(self, *args: Any, programs: Any = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _set_choices(self, "program", [("", "All programs"), *_program_choices(programs)])


class SearchForm(forms.Form):
    q = forms.CharField(label="Search", required=False, max_length=100)


class CodeForm(forms.Form):
    """A code for one program; the merchant picks among the partner's approved programs."""

    program = forms.ChoiceField(label="Program")
    code = forms.CharField(label="Code", max_length=40, help_text=rules.CODE_RULE)

    def __init__(self, *args: Any, programs: Any = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _set_choices(self, "program", _program_choices(programs))


class ReferralCodeForm(forms.Form):
    """A partner's extra referral code: their choice, or generated when left blank."""

    program = forms.UUIDField(widget=forms.HiddenInput)
    code = forms.CharField(
        label="New referral code",
        required=False,
        max_length=40,
        help_text=f"{rules.CODE_RULE}. Leave blank for a generated one.",
    )


class ConfirmByNameForm(forms.Form):
    """An irreversible action confirmed by typing a name exactly."""

    confirm = forms.CharField(label="Type the name to confirm", max_length=200)

    def __init__(self, *args: Any, expected: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.expected = expected
        self.fields["confirm"].label = f"Type “{expected}” to confirm"

    def clean_confirm(self) -> str:
        value: str = self.cleaned_data["confirm"].strip()
        if value != self.expected:
            raise forms.ValidationError("This does not match the name; nothing was erased.")
        return value


class ApplyForm(forms.Form):
    message = forms.CharField(
        label="Why you? (optional)",
        required=False,
        max_length=MESSAGE_MAX,
        help_text="Tell the merchant where and how you will promote the program.",
        widget=forms.Textarea(attrs={"rows": 4}),
    )


class MerchantFilterForm(forms.Form):
    merchant = forms.ChoiceField(label="Merchant", required=False)
    q = forms.CharField(label="Search", required=False, max_length=100)

    def __init__(self, *args: Any, merchants: Any = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _set_choices(self, "merchant", [("", "All merchants"), *merchants])


# Payout detail keys per method (`partners.rules.PAYOUT_FIELDS`) and the form fields for them.
PAYOUT_INPUTS = {
    "sepa": {"iban": "payout_iban", "account_holder": "payout_account_holder", "bic": "payout_bic"},
    "paypal": {"email": "payout_email"},
    "manual": {"note": "payout_note"},
}


class ProfileForm(forms.Form):
    display_name = forms.CharField(
        label="Display name", max_length=120, help_text="Merchants see this name."
    )
    website = forms.CharField(
        label="Website",
        required=False,
        max_length=500,
        widget=forms.URLInput(attrs={"placeholder": "https://"}),
    )
    country = forms.CharField(
        label="Country",
        required=False,
        max_length=2,
        help_text="Two-letter ISO code, e.g. DE.",
    )
    payout_method = forms.ChoiceField(label="Payout method", choices=PayoutMethod.choices)
    payout_iban = forms.CharField(
        label="IBAN",
        required=False,
        max_length=50,
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    payout_account_holder = forms.CharField(label="Account holder", required=False, max_length=140)
    payout_bic = forms.CharField(label="BIC (optional)", required=False, max_length=11)
    payout_email = forms.EmailField(label="PayPal email", required=False)
    payout_note = forms.CharField(
        label="Payment instructions",
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="For the manual method: how the merchant should pay you.",
    )

    def __init__(self, *args: Any, stored_iban: str = "", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.stored_iban = stored_iban
        if stored_iban:
            self.fields["payout_iban"].help_text = "Leave blank to keep the IBAN on file."

    def changes(self) -> dict[str, Any]:
        """The profile changes for `partner_profile_update`, details for the chosen method only.

        A blank IBAN keeps the stored one: the page never shows the full IBAN back, so the
        partner cannot be asked to retype it on every save.
        """
        data = self.cleaned_data
        method = data["payout_method"]
        details: dict[str, str] = {}
        for key, field in PAYOUT_INPUTS.get(method, {}).items():
            value = data.get(field, "").strip()
            if key == "iban" and not value:
                value = self.stored_iban
            if value:
                details[key] = value
        return {
            "display_name": data["display_name"],
            "website": data["website"].strip(),
            "country": data["country"].strip().upper(),
            "payout_method": method,
            "payout_details": details,
        }

    def service_errors(self, details: list[dict[str, Any]] | None) -> list[dict[str, Any]]:
        """Service fields (`payout_details.iban`) renamed to this form's (`payout_iban`)."""
        renamed = []
        for detail in details or []:
            field = str(detail.get("field", ""))
            if field.startswith("payout_details."):
                key = field.removeprefix("payout_details.")
                field = "payout_email" if key == "email" else f"payout_{key}"
            renamed.append({**detail, "field": field})
        return renamed
