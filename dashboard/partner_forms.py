"""Forms for applications, partners and codes, on both sides (merchant and partner)."""

from __future__ import annotations

from typing import Any

from django import forms

from dashboard.forms import CountryField
from dashboard.report_forms import RANGES
from partners import rules
from partners.models import ApplicationStatus

MESSAGE_MAX = rules.MESSAGE_MAX


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
    q = forms.CharField(
        label="Search",
        required=False,
        max_length=100,
        widget=forms.TextInput(attrs={"placeholder": "Name, email, code or website"}),
    )
    range = forms.ChoiceField(
        label="Figures for",
        required=False,
        choices=[(key, f"Last {days} days") for key, days in RANGES.items()],
    )

    def days(self) -> int:
        """The chosen number of days; 30 when nothing (or nothing known) was chosen."""
        # A filter form never refuses the page: a field that does not validate is left
        # out (and shown with its error), the others still apply.
        self.is_valid()
        return RANGES.get(self.cleaned_data.get("range") or "30", 30)

    def query(self) -> str:
        self.is_valid()
        return str(self.cleaned_data.get("q") or "").strip()


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
    country = CountryField(label="Country", required=False)

    def clean_website(self) -> str:
        # The service's rule, checked here too so that its error shows with the others.
        website: str = self.cleaned_data["website"].strip()
        for error in rules.url_errors("website", website, allow_blank=True):
            raise forms.ValidationError(error["message"])
        return website

    def changes(self) -> dict[str, Any]:
        """The profile changes for `partner_profile_update`."""
        data = self.cleaned_data
        return {
            "display_name": data["display_name"],
            "website": data["website"],
            "country": data["country"],
        }
