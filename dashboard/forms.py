"""Forms of the merchant dashboard and partner portal (validation lives in services)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth.password_validation import password_validators_help_text_html

from accounts import services
from accounts.models import Role
from accounts.services import PASSWORD_MAX
from selgeo.countries import COUNTRY_RULE, is_country

# A reset token longer than any issued is no token (the API's bound too).
TOKEN_MAX = 300


class CountryField(forms.CharField):
    """A two-letter ISO 3166-1 code from the maintained list (any case; stored upper)."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("max_length", 2)
        kwargs.setdefault("help_text", "Two-letter ISO code, e.g. DE.")
        super().__init__(**kwargs)

    def clean(self, value: Any) -> str:
        code = str(super().clean(value)).strip().upper()
        if code and not is_country(code):
            raise forms.ValidationError(COUNTRY_RULE, code="invalid")
        return code


class EmailLoginForm(forms.Form):
    email = forms.EmailField(
        label="Email",
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email", "autofocus": True}),
    )
    password = forms.CharField(
        label="Password",
        strip=False,
        max_length=PASSWORD_MAX,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )


class _PasswordMixin(forms.Form):
    """A new password, checked by the account rules along with the rest of the form."""

    password = forms.CharField(
        label="Password",
        strip=False,
        max_length=PASSWORD_MAX,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=password_validators_help_text_html(),
    )


class _SignupChecks(forms.Form):
    """The account service's checks (password rules, a taken email, the country) run with
    the form's own, so that every error shows at once rather than one group after another."""

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        details = services.signup_errors(
            email=str(cleaned.get("email") or ""),
            password=str(self.data.get("password", "")),
            full_name=str(cleaned.get("full_name") or cleaned.get("display_name") or ""),
            country=str(cleaned.get("country") or ""),
        )
        add_errors_beside(self, details)
        return cleaned


class MerchantSignupForm(_SignupChecks, _PasswordMixin):
    company_name = forms.CharField(label="Company name", max_length=200)
    full_name = forms.CharField(label="Your name", max_length=150, required=False)
    email = forms.EmailField(
        label="Work email", max_length=254, widget=forms.EmailInput(attrs={"autocomplete": "email"})
    )
    field_order = ["company_name", "full_name", "email", "password"]


class PartnerSignupForm(_SignupChecks, _PasswordMixin):
    display_name = forms.CharField(
        label="Display name", max_length=120, help_text="Shown to merchants"
    )
    email = forms.EmailField(
        label="Email", max_length=254, widget=forms.EmailInput(attrs={"autocomplete": "email"})
    )
    website = forms.URLField(label="Website", required=False, max_length=500, assume_scheme="https")
    country = CountryField(label="Country", required=False)
    field_order = ["display_name", "email", "password", "website", "country"]


class CreateMerchantForm(forms.Form):
    company_name = forms.CharField(label="Company name", max_length=200)


class BecomePartnerForm(forms.Form):
    display_name = forms.CharField(label="Display name", max_length=120)
    website = forms.URLField(label="Website", required=False, max_length=500, assume_scheme="https")
    country = CountryField(label="Country", required=False)


class ForgotPasswordForm(forms.Form):
    email = forms.EmailField(
        label="Email", max_length=254, widget=forms.EmailInput(attrs={"autocomplete": "email"})
    )


class ResetPasswordForm(_PasswordMixin):
    token = forms.CharField(max_length=TOKEN_MAX, widget=forms.HiddenInput)


class ChangePasswordForm(_PasswordMixin):
    current_password = forms.CharField(
        label="Current password",
        strip=False,
        max_length=PASSWORD_MAX,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )
    field_order = ["current_password", "password"]


class TeamMemberForm(forms.Form):
    email = forms.EmailField(label="Email of an existing Selgeo account", max_length=254)
    role = forms.ChoiceField(label="Role", choices=Role.choices, initial=Role.MEMBER)


class RoleForm(forms.Form):
    role = forms.ChoiceField(label="Role", choices=Role.choices)


class ApiKeyForm(forms.Form):
    kind = forms.ChoiceField(
        label="Kind", choices=[("secret", "Secret (sk_)"), ("public", "Public (pk_)")]
    )
    name = forms.CharField(
        label="Name", max_length=100, required=False, help_text="e.g. Production server"
    )


class RollKeyForm(forms.Form):
    expires_in_hours = forms.IntegerField(
        label="Keep the old key working for (hours)", min_value=0, max_value=168, initial=0
    )


def add_errors_beside(form: forms.BaseForm, details: list[dict[str, Any]]) -> None:
    """Add a service's errors to the fields they name, beside the form's own errors.

    A field the form itself refused keeps only its own errors (a missing value is not
    also "too short"); a field that passed gets every error the service found in it.
    """
    refused_by_form = set(form.errors)
    for detail in details:
        field = detail.get("field")
        if field in form.fields and field not in refused_by_form:
            form.add_error(field, detail["message"])


# Detail fields that describe the whole request rather than one input.
WHOLE_FORM_FIELDS = frozenset({"status", "body"})


def add_service_errors(
    form: forms.Form, details: list[dict[str, Any]] | None, fallback: str
) -> None:
    """Show a service's ValidationFailed details next to the matching fields."""
    placed = False
    for detail in details or []:
        field = detail.get("field")
        message = detail.get("message", fallback)
        if field in form.fields:
            form.add_error(field, message)
        elif field and field not in WHOLE_FORM_FIELDS:
            form.add_error(None, f"{field}: {message}")
        else:
            form.add_error(None, message)
        placed = True
    if not placed:
        form.add_error(None, fallback)
