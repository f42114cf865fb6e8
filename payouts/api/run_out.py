"""Answers of the payout endpoints, as the OpenAPI document describes them.

The views build their answers with `payouts.representations` and the functions next to
them (the webhooks share those); these serializers are the contract those answers keep,
and the payout tests check every answer against the served document field by field. Money
is integer minor units with its ISO 4217 currency, ids are UUID strings and moments ISO
8601 in UTC (`2026-12-05T09:30:00.000000Z`).
"""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import inline_serializer
from rest_framework import serializers

from accounts.models import Mode
from conversions.models import ReversalReason
from payouts.models import PayoutMethod
from payouts.run_models import PayoutSchedule, PayoutStatus, RunStatus
from payouts.selectors.runs import REASONS


def _cents(help_text: str, **kwargs: Any) -> serializers.IntegerField:
    return serializers.IntegerField(help_text=f"{help_text} (integer minor units)", **kwargs)


def _currency() -> serializers.CharField:
    return serializers.CharField(min_length=3, max_length=3, help_text="ISO 4217 code")


def _moment(help_text: str = "", **kwargs: Any) -> serializers.DateTimeField:
    return serializers.DateTimeField(help_text=help_text or "ISO 8601, UTC", **kwargs)


def page_of(name: str, item: type[serializers.Serializer]) -> serializers.Serializer:
    """A page in the API's shape: `{"data": [...], "total", "page", "limit"}`."""
    return inline_serializer(
        name,
        fields={
            "data": item(many=True),
            "total": serializers.IntegerField(help_text="Rows matching the filters"),
            "page": serializers.IntegerField(min_value=1),
            "limit": serializers.IntegerField(min_value=1, max_value=100),
        },
    )


class PayoutPartnerRefOut(serializers.Serializer):
    id = serializers.UUIDField()
    display_name = serializers.CharField()


class PayoutMerchantRefOut(serializers.Serializer):
    id = serializers.UUIDField()
    name = serializers.CharField()


class PayoutSettingsOut(serializers.Serializer):
    mode = serializers.ChoiceField(choices=Mode.choices)
    minimums = serializers.DictField(
        child=serializers.IntegerField(min_value=0),
        help_text='Minimum payout per currency in minor units ({"EUR": 5000}); a '
        "currency not listed has the default",
    )
    default_minimum_major_units = serializers.IntegerField(
        help_text="The minimum of a currency not listed, in its major unit (50.00)"
    )
    tax_details_required = serializers.BooleanField()
    schedule = serializers.ChoiceField(choices=PayoutSchedule.choices)
    schedule_day = serializers.IntegerField(
        min_value=1, max_value=28, allow_null=True, help_text="Day of the month (monthly)"
    )
    sepa_debtor_name = serializers.CharField(allow_blank=True)
    sepa_debtor_iban_last4 = serializers.CharField(
        allow_blank=True, max_length=4, help_text="The debtor IBAN is never answered in full"
    )
    sepa_debtor_bic = serializers.CharField(allow_blank=True)


class PayoutPreviewRowOut(serializers.Serializer):
    partner = PayoutPartnerRefOut()
    currency = _currency()
    commissions_count = serializers.IntegerField(min_value=0)
    commissions_cents = _cents("Approved commissions not yet in a payout", min_value=0)
    adjustments_count = serializers.IntegerField(min_value=0)
    adjustments_cents = _cents("What open negative adjustments still deduct", max_value=0)
    net_cents = _cents("commissions_cents + adjustments_cents")
    minimum_cents = _cents("The merchant's minimum in this currency", min_value=0)
    method = serializers.ChoiceField(
        choices=PayoutMethod.choices, allow_null=True, help_text="None: no payout method"
    )
    payable = serializers.BooleanField(help_text="True when `reasons` is empty")
    reasons = serializers.ListField(child=serializers.ChoiceField(choices=REASONS))


class PayoutRunProgressOut(serializers.Serializer):
    done = serializers.IntegerField(min_value=0, help_text="Partners built")
    total = serializers.IntegerField(min_value=0, help_text="Partners the run pays")
    percent = serializers.IntegerField(min_value=0, max_value=100)


class PayoutRunOut(serializers.Serializer):
    id = serializers.UUIDField()
    mode = serializers.ChoiceField(choices=Mode.choices)
    test = serializers.BooleanField(help_text="A test-mode run (its files say TEST)")
    status = serializers.ChoiceField(
        choices=RunStatus.choices, help_text="building until every payout is created"
    )
    scheduled_month = serializers.DateField(
        allow_null=True, help_text="First day of the month the monthly schedule ran it for"
    )
    progress = PayoutRunProgressOut()
    created_at = _moment()
    built_at = _moment("When the last payout was built", allow_null=True)


class PayoutRunTransitionOut(PayoutRunOut):
    moved = serializers.IntegerField(min_value=0, help_text="Payouts this call moved")


class _PayoutFields(serializers.Serializer):
    id = serializers.UUIDField()
    partner_id = serializers.UUIDField()
    amount_cents = _cents("What is sent: commissions_cents + adjustments_cents", min_value=0)
    commissions_cents = _cents("The commissions it pays", min_value=0)
    adjustments_cents = _cents("The deductions it makes", max_value=0)
    currency = _currency()
    rail = serializers.ChoiceField(choices=PayoutMethod.choices)
    status = serializers.ChoiceField(choices=PayoutStatus.choices)
    reference = serializers.CharField(allow_blank=True, help_text="Bank or PayPal reference")
    failure_reason = serializers.CharField(allow_blank=True)
    created_at = _moment()
    processing_at = _moment(allow_null=True)
    paid_at = _moment(allow_null=True)
    failed_at = _moment(allow_null=True)
    mode = serializers.ChoiceField(choices=Mode.choices)
    destination = serializers.CharField(
        allow_blank=True, help_text="Masked: `IBAN ••••3000`, `PayPal ••••@example.org`"
    )


class PayoutOut(_PayoutFields):
    run_id = serializers.UUIDField()
    partner = PayoutPartnerRefOut()


class PartnerPayoutOut(_PayoutFields):
    merchant = PayoutMerchantRefOut()


class PayoutProgramRefOut(serializers.Serializer):
    id = serializers.UUIDField()
    code = serializers.CharField()


class StatementCommissionOut(serializers.Serializer):
    id = serializers.UUIDField()
    program = PayoutProgramRefOut()
    created_at = _moment()
    amount_cents = _cents("What the payout pays of it", min_value=0)
    currency = _currency()


class StatementAdjustmentOut(serializers.Serializer):
    id = serializers.UUIDField()
    commission_id = serializers.UUIDField(help_text="The paid commission it reverses")
    reason = serializers.ChoiceField(choices=ReversalReason.choices)
    created_at = _moment()
    adjustment_cents = _cents("The whole adjustment", max_value=-1)
    deducted_cents = _cents("What this payout deducts of it", max_value=0)
    currency = _currency()


class PayoutStatementOut(serializers.Serializer):
    payout = PartnerPayoutOut()
    commissions = StatementCommissionOut(many=True)
    adjustments = StatementAdjustmentOut(many=True)


class PayoutBalanceOut(serializers.Serializer):
    merchant = PayoutMerchantRefOut()
    currency = _currency()
    pending_cents = _cents("Commissions still pending", min_value=0)
    approved_cents = _cents("Approved and in no payout yet", min_value=0)
    in_payout_cents = _cents("Approved and in a payout not yet paid", min_value=0)
    open_adjustments_cents = _cents(
        "Owed back: what open adjustments still deduct, less what payouts not yet paid "
        "already deduct",
        max_value=0,
    )
    minimum_cents = _cents("The merchant's minimum in this currency", min_value=0)
    next_payout_date = serializers.DateField(
        allow_null=True, help_text="The next monthly run; null for a manual schedule"
    )


# `data` is also a Serializer attribute: the list is declared inline.
PayoutBalancesOut = inline_serializer(
    "PayoutBalancesOut", fields={"data": PayoutBalanceOut(many=True)}
)
