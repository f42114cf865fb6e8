"""Forms of the conversions, commissions and earnings pages: table filters and the reversal.

Filter forms never refuse a whole page: a value that does not validate is shown with its
error and left out of the query, the valid ones still apply.
"""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from django import forms

from conversions.models import CommissionStatus, ConversionStatus, EventType, ReversalReason
from conversions.selectors import ConversionFilters

DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
RANGES = {"7": 7, "30": 30, "90": 90}


def _set_choices(form: forms.Form, name: str, choices: list[tuple[str, str]]) -> None:
    field = form.fields[name]
    assert isinstance(field, forms.ChoiceField)
    field.choices = choices


def _midnight(day: date | None) -> datetime | None:
    return datetime.combine(day, time.min, tzinfo=UTC) if day else None


class _CreatedRangeForm(forms.Form):
    """Program, partner and a created-on range of UTC days, both ends included."""

    program = forms.ChoiceField(label="Program", required=False)
    partner = forms.ChoiceField(label="Partner", required=False)
    created_from = forms.DateField(label="Created from", required=False, widget=DATE_INPUT)
    created_to = forms.DateField(label="Created to", required=False, widget=DATE_INPUT)

    def __init__(self, *args: Any, programs: Any = (), partners: Any = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _set_choices(
            self,
            "program",
            [("", "All programs"), *((str(p.pk), f"{p.name} ({p.code})") for p in programs)],
        )
        _set_choices(
            self, "partner", [("", "All partners"), *((str(p.pk), str(p)) for p in partners)]
        )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("created_from"), data.get("created_to")
        if start and end and end < start:
            self.add_error("created_to", "The end date is before the start date.")
        return data

    def value(self, name: str) -> Any:
        """A filter's cleaned value, or None when it was empty or did not validate."""
        if not hasattr(self, "cleaned_data"):
            self.is_valid()
        return self.cleaned_data.get(name) or None

    def partner_id(self) -> uuid.UUID | None:
        partner = self.value("partner")
        return uuid.UUID(partner) if partner else None

    def created_after(self) -> datetime | None:
        return _midnight(self.value("created_from"))

    def created_before(self) -> datetime | None:
        end = self.value("created_to")
        # The last day a date can name has no next day: it is no upper bound at all.
        return _midnight(end + timedelta(days=1)) if end and end < date.max else None


class ConversionFilterForm(_CreatedRangeForm):
    status = forms.ChoiceField(
        label="Status", required=False, choices=[("", "All"), *ConversionStatus.choices]
    )
    event_type = forms.ChoiceField(
        label="Event", required=False, choices=[("", "All"), *EventType.choices]
    )
    attributed = forms.ChoiceField(
        label="Attributed",
        required=False,
        choices=[("", "All"), ("yes", "Attributed"), ("no", "Not attributed")],
    )
    transaction = forms.CharField(
        label="Transaction id",
        required=False,
        max_length=255,
        widget=forms.TextInput(attrs={"placeholder": "exact id, e.g. order_456"}),
    )
    field_order = [
        "transaction",
        "program",
        "partner",
        "status",
        "event_type",
        "attributed",
        "created_from",
        "created_to",
    ]

    def filters(self) -> ConversionFilters:
        attributed = self.value("attributed")
        return ConversionFilters(
            program=self.value("program"),
            partner=self.partner_id(),
            status=self.value("status"),
            event_type=self.value("event_type"),
            attributed=None if attributed is None else attributed == "yes",
            external_transaction_id=(self.value("transaction") or "").strip() or None,
            created_after=self.created_after(),
            created_before=self.created_before(),
        )


class CommissionFilterForm(_CreatedRangeForm):
    status = forms.ChoiceField(
        label="Status", required=False, choices=[("", "All"), *CommissionStatus.choices]
    )
    field_order = ["status", "program", "partner", "created_from", "created_to"]


class ReverseForm(forms.Form):
    reason = forms.ChoiceField(label="Reason", choices=ReversalReason.choices)
    confirm = forms.BooleanField(
        label="I understand: the partner's commission for this conversion is cancelled",
        error_messages={"required": "Tick the box to confirm the reversal."},
    )


class RangeForm(forms.Form):
    range = forms.ChoiceField(
        label="Range",
        required=False,
        choices=[(key, f"Last {days} days") for key, days in RANGES.items()],
    )

    def days(self) -> int:
        """The chosen number of days; 30 when nothing (or nothing known) was chosen."""
        return RANGES.get(self.cleaned_data["range"], 30) if self.is_valid() else 30


def _display_currency_choices() -> list[tuple[str, str]]:
    from selgeo.currencies import CURRENCIES

    return [(code, code) for code in CURRENCIES]


class EarningsForm(RangeForm):
    """The earnings page's range and the currency its totals are shown in."""

    currency = forms.ChoiceField(
        label="Show totals in", required=False, choices=_display_currency_choices
    )
