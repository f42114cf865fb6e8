"""Forms for programs: create/edit (typed input only: the rules live in `partners.rules`),
status filters and invitations.

Merchants type amounts in currency units (`25.00`) and percentages (`15`); the services
take minor units and basis points. The conversion is exact (Decimal, never float).
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from django import forms

from dashboard.forms import add_service_errors
from dashboard.report_forms import RANGES
from partners import rules
from partners.models import CommissionType, Program, ProgramStatus
from selgeo.currencies import CURRENCIES, is_currency, minor_unit_exponent

# The commission inputs each type uses; the others are sent as empty so that a value
# left in a field the type does not use (no JavaScript hides them) is not an error.
COMMISSION_INPUTS: dict[str, frozenset[str]] = {
    CommissionType.CPA: frozenset({"cpa_amount_cents"}),
    CommissionType.CPS: frozenset({"percent_bps"}),
    CommissionType.REVSHARE: frozenset({"percent_bps", "recurring_months"}),
}
COMMISSION_FIELDS = ("cpa_amount_cents", "percent_bps", "recurring_months")

# Service field → form field, and what to say instead of the API's wording (which speaks
# of cents and basis points the merchant never typed).
FORM_FIELD = {"cpa_amount_cents": "cpa_amount", "percent_bps": "percent"}
FRIENDLY = {
    "cpa_amount": "Enter an amount above zero.",
    "percent": "Enter a percentage from 0.01 to 100.",
    "recurring_months": f"Enter a number of months from 1 to {rules.RECURRING_MONTHS_MAX}.",
    "cookie_days": f"Enter a number of days from 1 to {rules.COOKIE_DAYS_MAX}.",
    "hold_days": f"Enter a number of days from 0 to {rules.HOLD_DAYS_MAX}.",
}


def _currency_choices() -> list[tuple[str, str]]:
    return [(code, code) for code in sorted(CURRENCIES)]


class ProgramForm(forms.Form):
    name = forms.CharField(label="Name", max_length=rules.NAME_MAX)
    code = forms.CharField(
        label="Code",
        max_length=40,
        help_text=f"{rules.CODE_RULE}. Fixed once the program is published.",
    )
    description = forms.CharField(
        label="Description",
        required=False,
        max_length=rules.DESCRIPTION_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    landing_url = forms.CharField(
        label="Landing page",
        max_length=rules.URL_MAX,
        widget=forms.URLInput(attrs={"placeholder": "https://shop.example.com/"}),
        help_text="Where tracking links send visitors.",
    )
    currency = forms.ChoiceField(label="Currency", choices=_currency_choices, initial="EUR")
    accepted_currencies = forms.CharField(
        label="Also accepted currencies",
        required=False,
        # Four characters a code ("EUR, ") for the most a program may list.
        max_length=4 * rules.ACCEPTED_CURRENCIES_MAX,
        widget=forms.TextInput(attrs={"placeholder": "USD, GBP", "class": "mono"}),
        help_text="ISO 4217 codes in capitals, separated by commas. Sales in these currencies "
        "are converted at the exchange rate of the sale's moment and earn commission. "
        "Empty: every currency with an exchange rate.",
    )
    commission_type = forms.ChoiceField(
        label="Commission type", choices=CommissionType.choices, initial=CommissionType.CPS
    )
    cpa_amount = forms.DecimalField(
        label="Fixed commission per action",
        required=False,
        min_value=Decimal(0),
        max_digits=16,
        decimal_places=3,
        help_text="In the program's currency, e.g. 25.00. CPA programs only.",
    )
    percent = forms.DecimalField(
        label="Commission percentage",
        required=False,
        min_value=Decimal(0),
        max_digits=5,
        decimal_places=2,
        help_text="e.g. 15 for 15%. CPS and RevShare programs.",
    )
    recurring_months = forms.IntegerField(
        label="Recurring months",
        required=False,
        help_text="How long RevShare pays on a customer's payments. RevShare programs only.",
    )
    cookie_days = forms.IntegerField(
        label="Cookie window (days)",
        initial=30,
        help_text="A conversion this long after the click still counts.",
    )
    hold_days = forms.IntegerField(
        label="Hold period (days)",
        initial=30,
        help_text="Commissions wait this long (your refund window) before approval.",
    )
    is_public = forms.BooleanField(
        label="Listed publicly",
        required=False,
        initial=True,
        help_text="Partners can find the program and apply. Otherwise by invitation only.",
    )
    terms = forms.CharField(
        label="Terms for partners",
        required=False,
        max_length=rules.TERMS_MAX,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    auto_approve_applications = forms.BooleanField(
        label="Approve applications automatically",
        required=False,
        help_text="Every application is approved as it arrives, without your decision.",
    )

    def __init__(self, *args: Any, program: Program | None = None, **kwargs: Any) -> None:
        self.program = program
        if program is not None:
            kwargs.setdefault("initial", initial_from(program))
        super().__init__(*args, **kwargs)
        if program is not None:
            self._lock_fields(program.status)

    def _lock_fields(self, status: str) -> None:
        """Disable what the program's status forbids changing (the service refuses it too)."""
        locked: set[str] = set()
        if status == ProgramStatus.ARCHIVED:
            locked = set(self.fields)
        else:
            if status not in rules.TERMS_EDITABLE_IN:
                locked |= {FORM_FIELD.get(name, name) for name in rules.TYPE_FIELDS}
            if status != ProgramStatus.DRAFT:
                locked |= set(rules.DRAFT_ONLY_FIELDS)
        for name in locked:
            field = self.fields[name]
            field.disabled = True
            if status != ProgramStatus.ARCHIVED:
                field.help_text = f"Cannot change while the program is {status}."

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        amount = cleaned.get("cpa_amount")
        currency = cleaned.get("currency")
        if amount is not None and currency and is_currency(currency):
            exponent = minor_unit_exponent(currency)
            if amount != amount.quantize(Decimal(1).scaleb(-exponent)):
                self.add_error(
                    "cpa_amount", f"{currency} amounts have at most {exponent} decimals."
                )
        return cleaned

    def clean_accepted_currencies(self) -> list[str]:
        text = self.cleaned_data.get("accepted_currencies", "")
        codes = [code.strip() for code in text.replace(";", ",").split(",") if code.strip()]
        # A code typed with spaces between ("USD GBP") reads as two codes.
        codes = [part for code in codes for part in code.split()]
        errors = rules.accepted_currencies_errors(codes)
        if errors:
            raise forms.ValidationError([error["message"] for error in errors])
        return codes

    def service_values(self) -> dict[str, Any]:
        """The typed values as `program_create`/`program_update` take them.

        Fields that did not parse are left out, so a caller can still check the others.
        """
        data = getattr(self, "cleaned_data", {})
        values: dict[str, Any] = {
            name: data[name]
            for name in (
                "name",
                "code",
                "description",
                "landing_url",
                "currency",
                "accepted_currencies",
                "commission_type",
                "recurring_months",
                "cookie_days",
                "hold_days",
                "is_public",
                "terms",
                "auto_approve_applications",
            )
            if name in data
        }
        if "cpa_amount" in data:
            amount, currency = data["cpa_amount"], data.get("currency", "")
            exponent = minor_unit_exponent(currency) if is_currency(currency) else 2
            values["cpa_amount_cents"] = (
                None if amount is None else int(amount.scaleb(exponent).to_integral_value())
            )
        if "percent" in data:
            percent = data["percent"]
            values["percent_bps"] = None if percent is None else int(percent * 100)
        used = COMMISSION_INPUTS.get(values.get("commission_type", ""), frozenset())
        for name in COMMISSION_FIELDS:
            if name in values and name not in used:
                values[name] = None
        return values

    def add_service_errors(self, details: list[dict[str, Any]] | None, fallback: str) -> None:
        friendly = []
        for detail in details or []:
            field = FORM_FIELD.get(detail.get("field", ""), detail.get("field", ""))
            message = detail.get("message", fallback)
            if field in FRIENDLY and "integer" in message:
                message = FRIENDLY[field]
            friendly.append({"field": field, "message": message})
        add_service_errors(self, friendly, fallback)


def initial_from(program: Program) -> dict[str, Any]:
    exponent = minor_unit_exponent(program.currency) if is_currency(program.currency) else 2
    cents = program.cpa_amount_cents
    return {
        "name": program.name,
        "code": program.code,
        "description": program.description,
        "landing_url": program.landing_url,
        "currency": program.currency,
        "accepted_currencies": ", ".join(program.accepted_currencies or []),
        "commission_type": program.commission_type,
        "cpa_amount": None if cents is None else Decimal(cents).scaleb(-exponent),
        "percent": None if program.percent_bps is None else Decimal(program.percent_bps) / 100,
        "recurring_months": program.recurring_months,
        "cookie_days": program.cookie_days,
        "hold_days": program.hold_days,
        "is_public": program.is_public,
        "terms": program.terms,
        "auto_approve_applications": program.auto_approve_applications,
    }


def rule_errors(
    form: ProgramForm, *, values: Mapping[str, Any], current: Mapping[str, Any] | None
) -> list[dict[str, str]]:
    """What the partners rules say about `values` (edited from `current`, if editing)."""
    errors: list[dict[str, str]] = []
    merged = dict(values)
    if current is not None and form.program is not None:
        changed = {name for name, value in values.items() if current.get(name) != value}
        errors += rules.program_change_errors(form.program.status, changed)
        merged = {**current, **values}
    errors += rules.program_errors(merged)
    return errors


class ProgramFilterForm(forms.Form):
    status = forms.ChoiceField(
        label="Status", required=False, choices=[("", "All"), *ProgramStatus.choices]
    )
    q = forms.CharField(label="Search", required=False, max_length=100)
    range = forms.ChoiceField(
        label="Figures for",
        required=False,
        choices=[(key, f"Last {days} days") for key, days in RANGES.items()],
    )

    def days(self) -> int:
        """The chosen number of days; 30 when nothing (or nothing known) was chosen."""
        self.is_valid()
        return RANGES.get(self.cleaned_data.get("range") or "30", 30)


class InviteForm(forms.Form):
    email = forms.EmailField(
        label="Email",
        max_length=254,
        help_text="They get an email to accept or decline (and to sign up if they are new).",
    )
    message = forms.CharField(
        label="Message (optional)",
        required=False,
        max_length=rules.MESSAGE_MAX,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
