"""Output shapes of the attribution audit and the test sessions."""

from __future__ import annotations

from typing import Any

from django.utils import timezone
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from conversions import sandbox
from conversions.attribution import click_window_over
from conversions.models import Conversion, TestSession, TestSessionStatus
from conversions.representations import commission_brief_data, partner_ref, related_or_none
from conversions.serializers import (
    CommissionBriefOut,
    ExplanationOut,
    PartnerRefOut,
    ProgramRefOut,
    StepOut,
)
from tracking.models import Click


class AuditProgramOut(ProgramRefOut):
    status = serializers.CharField()
    commission_type = serializers.CharField()
    cookie_days = serializers.IntegerField()
    currency = serializers.CharField()


class AuditPartnerOut(PartnerRefOut):
    erased = serializers.BooleanField()


class AuditReferralCodeOut(serializers.Serializer):
    code = serializers.CharField()
    disabled_at = serializers.DateTimeField(allow_null=True)


class ClickConversionOut(serializers.ModelSerializer):
    explanation = ExplanationOut(source="attribution_explanation")

    class Meta:
        model = Conversion
        fields = [
            "id",
            "external_transaction_id",
            "event_type",
            "attributed",
            "explanation",
            "status",
            "occurred_at",
            "created_at",
        ]


class ClickAuditOut(serializers.ModelSerializer):
    expired = serializers.SerializerMethodField()
    program = AuditProgramOut()
    partner = serializers.SerializerMethodField()
    referral_code = AuditReferralCodeOut(allow_null=True)
    conversions = serializers.SerializerMethodField()

    class Meta:
        model = Click
        fields = [
            "id",
            "mode",
            "created_at",
            "expires_at",
            "expired",
            "is_bot",
            "source",
            "country",
            "landing_url",
            "program",
            "partner",
            "referral_code",
            "conversions",
        ]

    def get_expired(self, click: Click) -> bool:
        # Whether a conversion now would be `click_expired`: the same rule as attribution.
        return click_window_over(click, timezone.now())

    @extend_schema_field(AuditPartnerOut())
    def get_partner(self, click: Click) -> dict[str, Any] | None:
        ref = partner_ref(click.partner, owner=click)
        return None if ref is None else {**ref, "erased": click.partner.is_erased}

    @extend_schema_field(ClickConversionOut(many=True))
    def get_conversions(self, click: Click) -> list[Any]:
        return list(ClickConversionOut(self.context["conversions"], many=True).data)


class AuditClickRefOut(serializers.Serializer):
    id = serializers.UUIDField()
    created_at = serializers.DateTimeField()
    expires_at = serializers.DateTimeField()
    is_bot = serializers.BooleanField()


class SignalsOut(serializers.Serializer):
    click_id = serializers.UUIDField(source="click_id_raw", allow_null=True)
    promo_code = serializers.CharField(source="promo_code_raw", allow_blank=True)
    customer_id = serializers.CharField(source="customer_ref", allow_blank=True)


class ConversionAuditOut(serializers.ModelSerializer):
    explanation = ExplanationOut(source="attribution_explanation")
    steps = StepOut(many=True, source="attribution_steps")
    signals = SignalsOut(source="*")
    click = AuditClickRefOut(allow_null=True)
    program = ProgramRefOut(allow_null=True)
    partner = serializers.SerializerMethodField()
    commission = serializers.SerializerMethodField()

    class Meta:
        model = Conversion
        fields = [
            "id",
            "external_transaction_id",
            "attributed",
            "explanation",
            "steps",
            "signals",
            "click",
            "program",
            "partner",
            "commission",
            "status",
            "occurred_at",
            "created_at",
        ]

    @extend_schema_field(PartnerRefOut(allow_null=True))
    def get_partner(self, conversion: Conversion) -> dict[str, Any] | None:
        return partner_ref(conversion.partner, owner=conversion)

    @extend_schema_field(CommissionBriefOut(allow_null=True))
    def get_commission(self, conversion: Conversion) -> dict[str, Any] | None:
        commission = related_or_none(conversion, "commission")
        return commission_brief_data(commission) if commission is not None else None


# A serializer cannot have fields named "fields" or "errors", so this shape is a schema.
VALIDATION_SCHEMA = {
    "type": "object",
    "required": ["fields_valid", "fields"],
    "properties": {
        "fields_valid": {"type": "boolean", "nullable": True},
        "fields": {
            "type": "object",
            "description": "Each field sent: ok, or the reasons it was refused",
            "additionalProperties": {
                "type": "object",
                "required": ["status", "errors"],
                "properties": {
                    "status": {"type": "string", "enum": ["ok", "error"]},
                    "errors": {"type": "array", "items": {"type": "string"}},
                },
            },
        },
    },
}


class TestSessionAttributionOut(ExplanationOut):
    __test__ = False

    attributed = serializers.BooleanField()


class TestSessionOut(serializers.ModelSerializer):
    __test__ = False

    status = serializers.SerializerMethodField()
    test_click_id = serializers.UUIDField(source="click_id")
    program = ProgramRefOut()
    conversion_id = serializers.UUIDField(allow_null=True)
    validation = serializers.SerializerMethodField()
    attribution = serializers.SerializerMethodField()

    class Meta:
        model = TestSession
        fields = [
            "id",
            "status",
            "test_click_id",
            "program",
            "created_at",
            "expires_at",
            "received_at",
            "attempts",
            "conversion_id",
            "validation",
            "attribution",
        ]

    @extend_schema_field(serializers.ChoiceField(choices=TestSessionStatus.choices))
    def get_status(self, session: TestSession) -> str:
        return sandbox.test_session_status(session)

    @extend_schema_field(VALIDATION_SCHEMA)
    def get_validation(self, session: TestSession) -> dict[str, Any]:
        return {
            "fields_valid": session.fields_valid,
            "fields": session.validation.get("fields", {}),
        }

    @extend_schema_field(TestSessionAttributionOut(allow_null=True))
    def get_attribution(self, session: TestSession) -> dict[str, Any] | None:
        conversion = session.conversion
        if conversion is None:
            return None
        return {"attributed": conversion.attributed, **conversion.attribution_explanation}


class TestSessionCreatedOut(TestSessionOut):
    token = serializers.SerializerMethodField()
    partner = PartnerRefOut(source="click.partner")

    class Meta(TestSessionOut.Meta):
        fields = ["token", *TestSessionOut.Meta.fields, "partner"]

    def get_token(self, session: TestSession) -> str:
        return str(self.context["token"])
