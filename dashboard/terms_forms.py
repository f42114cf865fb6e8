"""Forms for commission terms: a partner's or group's rate, a tier, a group and its members.

Merchants type a CPA amount in currency units (`25.00`) or a percentage (`15`); the
services take minor units and basis points. The conversion is exact (Decimal).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms

from partners.models import CommissionType, Program
from partners.services.terms import (
    GROUP_DESCRIPTION_MAX,
    GROUP_NAME_MAX,
    TIER_MIN_CONVERSIONS_MAX,
)
from partners.terms import bps_text
from selgeo.currencies import is_currency, minor_unit_exponent


def _exponent(program: Program) -> int:
    return minor_unit_exponent(program.currency) if is_currency(program.currency) else 2


def rate_label(
    program: Program, cpa_amount_cents: int | None, percent_bps: int | None, kind: str = ""
) -> str:
    """A rate as the merchant typed it: "25.00 EUR" or "15%" (of `kind`, by default the
    program's commission type)."""
    if (kind or program.commission_type) == CommissionType.CPA:
        if cpa_amount_cents is None:
            return "—"
        exponent = _exponent(program)
        return f"{Decimal(cpa_amount_cents).scaleb(-exponent):.{exponent}f} {program.currency}"
    return "—" if percent_bps is None else bps_text(percent_bps)


class _RateMixin(forms.Form):
    """One `rate` input whose meaning follows the program's commission type."""

    rate = forms.DecimalField(min_value=Decimal(0), max_digits=16, decimal_places=3)

    def setup_rate(self, program: Program) -> None:
        self.program = program
        field = self.fields["rate"]
        if program.commission_type == CommissionType.CPA:
            field.label = f"Amount per conversion ({program.currency})"
            field.help_text = "e.g. 25.00"
        else:
            field.label = "Percentage"
            field.help_text = "e.g. 20 for 20%"

    def rate_values(self) -> dict[str, int | None]:
        rate = self.cleaned_data["rate"]
        if self.program.commission_type == CommissionType.CPA:
            cents = int(rate.scaleb(_exponent(self.program)).to_integral_value())
            return {"cpa_amount_cents": cents, "percent_bps": None}
        return {"cpa_amount_cents": None, "percent_bps": int(rate * 100)}


class RateForm(_RateMixin):
    target = forms.ChoiceField(label="Partner or group")

    field_order = ["target", "rate"]

    def __init__(
        self,
        *args: Any,
        program: Program,
        partners: list[tuple[str, str]],
        groups: list[tuple[str, str]],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.setup_rate(program)
        choices: list[Any] = [("", "Choose…")]
        if partners:
            choices.append(("Partners", [(f"partner:{pk}", name) for pk, name in partners]))
        if groups:
            choices.append(("Groups", [(f"group:{pk}", name) for pk, name in groups]))
        target = self.fields["target"]
        assert isinstance(target, forms.ChoiceField)
        target.choices = choices

    def target_values(self) -> dict[str, str | None]:
        kind, _, pk = self.cleaned_data["target"].partition(":")
        return {
            "partner_id": pk if kind == "partner" else None,
            "group_id": pk if kind == "group" else None,
        }


class TierForm(_RateMixin):
    min_conversions = forms.IntegerField(
        label="Above this many conversions a month",
        min_value=1,
        max_value=TIER_MIN_CONVERSIONS_MAX,
        help_text="50 pays the tier's rate from the partner's 51st conversion of the month.",
    )

    field_order = ["min_conversions", "rate"]

    def __init__(self, *args: Any, program: Program, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.setup_rate(program)


class GroupForm(forms.Form):
    name = forms.CharField(label="Name", max_length=GROUP_NAME_MAX)
    description = forms.CharField(
        label="Description", required=False, max_length=GROUP_DESCRIPTION_MAX
    )


class MemberForm(forms.Form):
    partner = forms.ChoiceField(label="Partner")

    def __init__(self, *args: Any, partners: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["partner"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [("", "Choose…"), *partners]
