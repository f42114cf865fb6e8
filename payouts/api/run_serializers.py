"""Input of the payout endpoints (answers are built by `payouts.representations`)."""

from __future__ import annotations

from rest_framework import serializers

from payouts.rails import RAILS
from payouts.run_models import PayoutSchedule, PayoutStatus
from payouts.selectors.runs import REASONS
from selgeo.api.serializers import (
    CurrencyField,
    StrictBooleanField,
    StrictCharField,
    StrictIntegerField,
)


class SettingsIn(serializers.Serializer):
    minimums = serializers.DictField(child=serializers.JSONField(), required=False)
    tax_details_required = StrictBooleanField(required=False)
    schedule = serializers.ChoiceField(choices=PayoutSchedule.choices, required=False)
    schedule_day = StrictIntegerField(required=False, allow_null=True)
    # JSON strings only: DRF's CharField would store the number 0 as "0".
    sepa_debtor_name = StrictCharField(max_length=70, required=False, allow_blank=True)
    sepa_debtor_iban = StrictCharField(max_length=40, required=False, allow_blank=True)
    sepa_debtor_bic = StrictCharField(max_length=11, required=False, allow_blank=True)


class PreviewFiltersIn(serializers.Serializer):
    payable = serializers.BooleanField(required=False, allow_null=True, default=None)
    currency = CurrencyField(required=False)
    reason = serializers.ChoiceField(choices=REASONS, required=False)
    partner = serializers.UUIDField(required=False)
    search = serializers.CharField(
        max_length=100, required=False, help_text="A part of the partner's name, or its id"
    )


class RunIn(serializers.Serializer):
    partner_ids = serializers.ListField(
        child=serializers.UUIDField(),
        required=False,
        allow_empty=False,
        min_length=1,  # What allow_empty says, in a form the OpenAPI document shows.
        # 1,000 ids fit in the 64 KiB a body may hold (10,000 never could: 413).
        max_length=1000,
    )


class TransitionIn(serializers.Serializer):
    reference = serializers.CharField(max_length=140, required=False, allow_blank=True, default="")
    failure_reason = serializers.CharField(
        max_length=500, required=False, allow_blank=True, default=""
    )


class PayoutFiltersIn(serializers.Serializer):
    status = serializers.ChoiceField(choices=PayoutStatus.choices, required=False)
    run = serializers.UUIDField(required=False)
    partner = serializers.UUIDField(required=False)


RAIL_CHOICES = RAILS
