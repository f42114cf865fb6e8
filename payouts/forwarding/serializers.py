"""Shapes of the payment-forwarding API (input checked by the service, which reports
every field at once)."""

from __future__ import annotations

from decimal import Decimal

from rest_framework import serializers

from accounts.models import Mode
from selgeo.api.serializers import StrictSerializer

# A forward's status as its answer shows it (`representations.forward_status`).
FORWARD_STATUSES = ["awaiting_payment", "expired", "received", "forwarded", "failed"]


class PaymentForwardIn(StrictSerializer):
    address = serializers.CharField(max_length=100, help_text="The Bitcoin address to forward to")
    webhook_url = serializers.CharField(
        max_length=2000,
        help_text="Receives a signed call per confirmation (0 to 6) of each payment; HTTPS in live",
    )
    processing_fee_percent = serializers.DecimalField(
        max_digits=4,
        decimal_places=2,
        min_value=Decimal("0.01"),
        max_value=Decimal(50),
        required=False,
        coerce_to_string=False,
        help_text="More than 0, at most 50, two decimals",
    )
    processing_fee_address = serializers.CharField(
        max_length=100, required=False, help_text="Where the processing fee goes"
    )
    partner_id = serializers.UUIDField(
        required=False,
        help_text="Or: an approved partner, paid at its Bitcoin payout address",
    )


class ForwardOut(serializers.Serializer):
    status = serializers.ChoiceField(choices=["waiting", "sending", "sent", "failed"])
    txid = serializers.CharField(allow_null=True)
    forward_to_sats = serializers.IntegerField(allow_null=True)
    processing_fee_sats = serializers.IntegerField(allow_null=True)
    miner_fee_sats = serializers.IntegerField(allow_null=True)
    failure_reason = serializers.CharField(allow_null=True)
    forwarded_at = serializers.DateTimeField(allow_null=True)


class ForwardedPaymentOut(serializers.Serializer):
    txid = serializers.CharField()
    vout = serializers.IntegerField(min_value=0)
    amount_sats = serializers.IntegerField()
    confirmations = serializers.IntegerField(min_value=0)
    first_seen_at = serializers.DateTimeField()
    forward = ForwardOut()


class PaymentForwardOut(serializers.Serializer):
    id = serializers.UUIDField()
    mode = serializers.ChoiceField(choices=Mode.choices)
    status = serializers.ChoiceField(choices=FORWARD_STATUSES)
    network = serializers.CharField()
    address = serializers.CharField()
    payment_address = serializers.CharField()
    webhook_url = serializers.CharField()
    processing_fee_percent = serializers.CharField(help_text='Two decimals, e.g. "2.50"')
    processing_fee_address = serializers.CharField(allow_null=True)
    partner_id = serializers.UUIDField(allow_null=True)
    received_sats = serializers.IntegerField()
    transactions = ForwardedPaymentOut(many=True)
    created_at = serializers.DateTimeField()
    expires_at = serializers.DateTimeField()


class PaymentForwardDetailOut(PaymentForwardOut):
    webhook_secret = serializers.CharField(
        help_text="Verifies the calls to webhook_url (Standard Webhooks, whsec_...)"
    )


class PaymentForwardFiltersIn(StrictSerializer):
    address = serializers.CharField(max_length=100, required=False)
    payment_address = serializers.CharField(max_length=100, required=False)
    partner_id = serializers.UUIDField(required=False)
    created_after = serializers.DateTimeField(required=False)
    created_before = serializers.DateTimeField(required=False)
