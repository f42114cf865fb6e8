"""Input and output shapes of the Conversion API and the commission endpoints.

The output serializers (`ConversionOut`, `CommissionOut`, `PartnerCommissionOut`) declare
the documented schema; responses and webhook events are built by the functions of
`conversions.representations`, which return the same JSON without DRF's per-instance
cost (a test compares the two).
"""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

from django.utils import timezone
from django.utils.dateparse import parse_datetime
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from conversions.models import (
    Commission,
    CommissionAdjustment,
    CommissionStatus,
    Conversion,
    ConversionStatus,
    EventType,
    ReversalReason,
)
from conversions.representations import related_or_none, reporting_data
from products.lines import MAX_LINE_ITEMS
from selgeo.api.serializers import (
    AmountCentsField,
    CurrencyField,
    StrictCharField,
    StrictIntegerField,
    StrictSerializer,
)
from selgeo.currencies import CURRENCIES

METADATA_MAX_KEYS = 20
METADATA_MAX_BYTES = 4096
# Objects and arrays inside metadata, the top-level object included.
METADATA_MAX_DEPTH = 8
# occurred_at may be this far ahead of Selgeo's clock (the merchant's clock may run fast).
FUTURE_SKEW = timedelta(minutes=5)
# A conversion happened in the Unix era: an earlier moment is a client's bug, and a year
# before 1000 could not even be written back (strftime does not pad it to four digits).
EARLIEST_OCCURRED_AT = datetime(1970, 1, 1, tzinfo=UTC)


def metadata_problem(data: Any) -> str | None:
    """Why `data` cannot be a conversion's metadata (a `MetadataField` error key), or None.

    PostgreSQL's jsonb holds no NUL in its text, keys included. The nesting is bounded
    before the size is measured, as encoding a deep value recurses.
    """
    if not isinstance(data, dict):
        return "not_an_object"
    if len(data) > METADATA_MAX_KEYS:
        return "too_many_keys"
    pending: list[tuple[Any, int]] = [(data, 1)]
    while pending:
        value, depth = pending.pop()
        if isinstance(value, str):
            if "\x00" in value:
                return "null_character"
        elif isinstance(value, dict | list):
            if depth > METADATA_MAX_DEPTH:
                return "too_deep"
            if isinstance(value, dict):
                if any("\x00" in key for key in value):
                    return "null_character"
                value = value.values()
            pending.extend((item, depth + 1) for item in value)
    encoded = json.dumps(data, separators=(",", ":"), ensure_ascii=False).encode()
    if len(encoded) > METADATA_MAX_BYTES:
        return "too_large"
    return None


class StrictUUIDField(serializers.UUIDField):
    """A UUID sent as a JSON string (DRF would also turn an integer into a UUID)."""

    def to_internal_value(self, data: Any) -> uuid.UUID:
        if not isinstance(data, str):
            self.fail("invalid", value=data)
        value: uuid.UUID = super().to_internal_value(data)
        return value


class StrictDateTimeField(serializers.DateTimeField):
    """An ISO 8601 string; numbers are refused rather than guessed at."""

    def to_internal_value(self, value: Any) -> Any:
        if not isinstance(value, str):
            self.fail("invalid", format="ISO 8601")
        return super().to_internal_value(value)


@extend_schema_field(
    {
        "type": "object",
        "additionalProperties": True,
        "maxProperties": METADATA_MAX_KEYS,
        "description": f"At most {METADATA_MAX_KEYS} keys, {METADATA_MAX_BYTES} bytes as JSON "
        f"and {METADATA_MAX_DEPTH} levels of nesting; no text may contain NUL (\\u0000)",
    }
)
class MetadataField(serializers.Field):
    default_error_messages = {
        "not_an_object": "Expected a JSON object",
        "too_many_keys": f"At most {METADATA_MAX_KEYS} keys are allowed",
        "too_deep": f"At most {METADATA_MAX_DEPTH} levels of nesting are allowed",
        "null_character": "Null characters are not allowed.",
        "too_large": f"At most {METADATA_MAX_BYTES} bytes of JSON are allowed",
    }

    def to_internal_value(self, data: Any) -> dict[str, Any]:
        problem = metadata_problem(data)
        if problem is not None:
            self.fail(problem)
        return data

    def to_representation(self, value: Any) -> Any:
        return value


class LineItemIn(StrictSerializer):
    """One product sold: its commission follows the product's rule (`products.rules`)."""

    product_id = StrictCharField(
        max_length=64, help_text="The product's id or its code (the shop's own product id)"
    )
    quantity = StrictIntegerField(min_value=1, max_value=1_000_000)
    amount_cents = AmountCentsField(
        help_text="The line's total (not the unit price), in the conversion's currency"
    )


class ConversionIn(StrictSerializer):
    """The reference's conversion body. Optional fields may be omitted or null."""

    # At least one attribution signal (else 422 NO_ATTRIBUTION_SIGNAL), and a currency
    # with any amount (else 400).
    openapi_rules = {
        "allOf": [
            {
                "anyOf": [
                    {"required": ["click_id"], "properties": {"click_id": {"type": "string"}}},
                    {
                        "required": ["promo_code"],
                        "properties": {"promo_code": {"type": "string"}},
                    },
                ]
            },
            {
                "anyOf": [
                    {"not": {"required": ["amount_cents"]}},
                    {"properties": {"amount_cents": {"enum": [None]}}},
                    {"required": ["currency"], "properties": {"currency": {"type": "string"}}},
                ]
            },
            {
                "anyOf": [
                    {"not": {"required": ["line_items"]}},
                    {"properties": {"line_items": {"enum": [None]}}},
                    {"properties": {"line_items": {"maxItems": 0}}},
                    {"required": ["currency"], "properties": {"currency": {"type": "string"}}},
                ]
            },
        ]
    }

    click_id = StrictUUIDField(required=False, allow_null=True)
    promo_code = StrictCharField(required=False, allow_null=True, max_length=100)
    event_type = serializers.ChoiceField(choices=EventType.choices, default=EventType.PURCHASE)
    external_transaction_id = StrictCharField(min_length=1, max_length=255)
    amount_cents = AmountCentsField(required=False, allow_null=True)
    currency = CurrencyField(required=False, allow_null=True)
    customer_id = StrictCharField(required=False, allow_null=True, max_length=255)
    occurred_at = StrictDateTimeField(
        required=False,
        allow_null=True,
        help_text="From 1970-01-01T00:00:00Z to now (a few minutes of clock skew allowed)",
    )
    metadata = MetadataField(required=False, allow_null=True)
    line_items = LineItemIn(
        many=True,
        required=False,
        allow_null=True,
        max_length=MAX_LINE_ITEMS,  # type: ignore[call-arg]
        help_text=(
            "The products sold. The commission is the sum of each line's: its product's own "
            "percentage of the line's amount, its fixed amount per unit, nothing (excluded), "
            "or the program's terms (a CPA program's amount once per conversion); each "
            "percentage rounded half to even on its own line. The lines may add up to less "
            "than amount_cents (the rest, shipping or taxes, earns nothing) but not more; "
            "without amount_cents the sale's amount is their sum."
        ),
    )

    def validate_occurred_at(self, value: Any) -> Any:
        if value is not None and value > timezone.now() + FUTURE_SKEW:
            raise serializers.ValidationError("Must not be in the future")
        if value is not None and value < EARLIEST_OCCURRED_AT:
            raise serializers.ValidationError("Must not be before 1970-01-01T00:00:00Z")
        return value

    def validate_line_items(self, value: list[Any] | None) -> list[Any] | None:
        # `allow_null` reaches the list's items too (DRF passes it to the child): a null
        # line is an error, as the document's item schema says.
        if value and any(item is None for item in value):
            raise serializers.ValidationError(
                [["This field may not be null."] if item is None else {} for item in value]
            )
        return value

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if attrs.get("amount_cents") is not None and not attrs.get("currency"):
            raise serializers.ValidationError({"currency": ["Required when amount_cents is sent"]})
        if attrs.get("line_items") and not attrs.get("currency"):
            raise serializers.ValidationError({"currency": ["Required when line_items are sent"]})
        return attrs


class ReverseIn(StrictSerializer):
    reason = serializers.ChoiceField(choices=ReversalReason.choices)


class ConversionFiltersIn(serializers.Serializer):
    program = serializers.CharField(required=False, max_length=100)
    partner = serializers.UUIDField(required=False)
    status = serializers.ChoiceField(choices=ConversionStatus.choices, required=False)
    event_type = serializers.ChoiceField(choices=EventType.choices, required=False)
    attributed = serializers.ChoiceField(choices=["true", "false"], required=False)
    external_transaction_id = serializers.CharField(required=False, max_length=255)
    created_after = serializers.DateTimeField(required=False)
    created_before = serializers.DateTimeField(required=False)


class CommissionFiltersIn(serializers.Serializer):
    status = serializers.ChoiceField(choices=CommissionStatus.choices, required=False)
    partner = serializers.UUIDField(required=False)
    program = serializers.CharField(required=False, max_length=100)


class PartnerCommissionFiltersIn(serializers.Serializer):
    status = serializers.ChoiceField(choices=CommissionStatus.choices, required=False)
    merchant = serializers.UUIDField(required=False)
    program = serializers.CharField(required=False, max_length=100)


class TestSessionIn(StrictSerializer):
    __test__ = False

    program = StrictCharField(max_length=100)


# Output shapes.


class ProgramRefOut(serializers.Serializer):
    id = serializers.UUIDField()
    code = serializers.CharField()
    name = serializers.CharField()


class PartnerRefOut(serializers.Serializer):
    id = serializers.UUIDField()
    display_name = serializers.CharField()


class MerchantRefOut(serializers.Serializer):
    id = serializers.UUIDField()
    name = serializers.CharField()


class ExplanationOut(serializers.Serializer):
    code = serializers.CharField()
    message = serializers.CharField()


class StepOut(serializers.Serializer):
    check = serializers.CharField()
    result = serializers.ChoiceField(choices=["pass", "fail", "skipped", "info"])
    message = serializers.CharField()


class AttributionOut(serializers.Serializer):
    explanation = ExplanationOut(source="attribution_explanation")
    steps = StepOut(many=True, source="attribution_steps")


class AdjustmentOut(serializers.ModelSerializer):
    class Meta:
        model = CommissionAdjustment
        fields = ["id", "amount_cents", "currency", "reason", "status", "created_at", "applied_at"]


REPORTING_FIELDS = ["reporting_currency", "reporting_rate", "reporting_amount_cents"]
_REPORTING_NOTE = (
    "Recorded at the sale's moment with the rate set then in effect, never recomputed "
    "(a later change of rates or of the reporting currency leaves it as it is). "
    "`reporting_rate` and `reporting_amount_cents` are null when no stored rate covered "
    "the currency or no amount was sent. `amount_cents` and `currency` stay the original."
)


class ReportingFields(serializers.Serializer):
    """The amount in the merchant's reporting currency (`conversions.representations.
    reporting_data`)."""

    reporting_currency = serializers.SerializerMethodField(
        help_text="The merchant's reporting currency when the amount was recorded (ISO 4217; "
        "null on rows recorded before reporting amounts existed). " + _REPORTING_NOTE
    )
    reporting_rate = serializers.SerializerMethodField(
        help_text="The exchange rate used, as a decimal string: units of `reporting_currency` "
        "per unit of `currency` (`1` when they are the same). " + _REPORTING_NOTE
    )
    reporting_amount_cents = serializers.SerializerMethodField(
        help_text="The amount in minor units of `reporting_currency`, rounded half to even. "
        + _REPORTING_NOTE
    )

    @extend_schema_field({"type": "string", "nullable": True, "example": "USD"})
    def get_reporting_currency(self, row: Any) -> str | None:
        return reporting_data(row)["reporting_currency"]

    @extend_schema_field({"type": "string", "nullable": True, "example": "1.1476"})
    def get_reporting_rate(self, row: Any) -> str | None:
        return reporting_data(row)["reporting_rate"]

    @extend_schema_field({"type": "integer", "format": "int64", "nullable": True, "example": 5623})
    def get_reporting_amount_cents(self, row: Any) -> int | None:
        return reporting_data(row)["reporting_amount_cents"]


COMMISSION_TERMS = [
    "kind",
    "rate_bps",
    "terms_version_id",
    "terms_source",
    "amount_cents",
    "currency",
    "status",
    "approve_after",
    "approved_at",
    "paid_at",
    "reversed_at",
    "adjustment",
]
# The merchant's shapes: the reporting amount right after the original one.
_AFTER_CURRENCY = COMMISSION_TERMS.index("currency") + 1
COMMISSION_TERMS_REPORTED = [
    *COMMISSION_TERMS[:_AFTER_CURRENCY],
    *REPORTING_FIELDS,
    *COMMISSION_TERMS[_AFTER_CURRENCY:],
]


class CommissionBriefOut(ReportingFields, serializers.ModelSerializer):
    adjustment = serializers.SerializerMethodField()
    terms_version_id = serializers.UUIDField(
        allow_null=True,
        help_text="The program's terms version in force when the conversion occurred "
        "(`GET /api/v1/programs/{id}/terms-versions`); null for a commission recorded "
        "before terms were versioned",
    )
    terms_source = serializers.ChoiceField(
        choices=["program", "tier", "group", "partner", ""],
        help_text="Which rate applied: the program's terms, a performance tier, the "
        "partner's group's rate or the partner's own; blank before terms were versioned",
    )

    class Meta:
        model = Commission
        fields = ["id", *COMMISSION_TERMS_REPORTED]

    @extend_schema_field(AdjustmentOut(allow_null=True))
    def get_adjustment(self, commission: Commission) -> dict[str, Any] | None:
        adjustment = related_or_none(commission, "adjustment")
        return AdjustmentOut(adjustment).data if adjustment is not None else None


NULLABLE_STRING = {"type": "string", "nullable": True}


class ConversionOut(ReportingFields, serializers.ModelSerializer):
    click_id = serializers.UUIDField(source="click_id_raw", allow_null=True)
    promo_code = serializers.SerializerMethodField()
    customer_id = serializers.SerializerMethodField()
    currency = serializers.SerializerMethodField()
    attribution = AttributionOut(source="*")
    program = ProgramRefOut(allow_null=True)
    partner = PartnerRefOut(allow_null=True)
    commission = serializers.SerializerMethodField()
    metadata = MetadataField()
    reversal_reason = serializers.SerializerMethodField()

    class Meta:
        model = Conversion
        fields = [
            "id",
            "mode",
            "event_type",
            "external_transaction_id",
            "click_id",
            "promo_code",
            "customer_id",
            "amount_cents",
            "currency",
            *REPORTING_FIELDS,
            "status",
            "attributed",
            "attribution",
            "program",
            "partner",
            "commission",
            "metadata",
            "occurred_at",
            "created_at",
            "reversed_at",
            "reversal_reason",
        ]

    @extend_schema_field(NULLABLE_STRING)
    def get_promo_code(self, conversion: Conversion) -> str | None:
        return conversion.promo_code_raw or None

    @extend_schema_field(NULLABLE_STRING)
    def get_customer_id(self, conversion: Conversion) -> str | None:
        return conversion.customer_ref or None

    @extend_schema_field(NULLABLE_STRING)
    def get_currency(self, conversion: Conversion) -> str | None:
        return conversion.currency or None

    @extend_schema_field(
        {"type": "string", "nullable": True, "enum": [*ReversalReason.values, None]}
    )
    def get_reversal_reason(self, conversion: Conversion) -> str | None:
        return conversion.reversal_reason or None

    @extend_schema_field(CommissionBriefOut(allow_null=True))
    def get_commission(self, conversion: Conversion) -> dict[str, Any] | None:
        commission = related_or_none(conversion, "commission")
        return CommissionBriefOut(commission).data if commission is not None else None


class CommissionOut(CommissionBriefOut):
    """A commission as the merchant's dashboard sees it."""

    conversion_id = serializers.UUIDField()
    program = ProgramRefOut()
    partner = PartnerRefOut()

    class Meta(CommissionBriefOut.Meta):
        fields = [
            "id",
            "mode",
            "conversion_id",
            "program",
            "partner",
            *COMMISSION_TERMS_REPORTED,
            "created_at",
        ]


class PartnerCommissionOut(CommissionBriefOut):
    """A commission as its partner sees it: no customer or order data of the merchant."""

    merchant = MerchantRefOut()
    program = ProgramRefOut()
    event_type = serializers.CharField(source="conversion.event_type")
    occurred_at = serializers.DateTimeField(source="conversion.occurred_at")

    class Meta(CommissionBriefOut.Meta):
        fields = [
            "id",
            "mode",
            "merchant",
            "program",
            "event_type",
            "occurred_at",
            *COMMISSION_TERMS,
            "created_at",
        ]


_FAST_FIELDS = frozenset(ConversionIn._declared_fields)
_EVENT_TYPES = frozenset(EventType.values)


def _fast_text(value: Any, *, max_length: int) -> str | None:
    # ConversionIn's text fields: trimmed, not blank, no control characters (theirs
    # refuses NUL and surrogates; anything unusual is left to it).
    if not isinstance(value, str):
        return None
    value = value.strip()
    if not value or len(value) > max_length or not value.isprintable():
        return None
    return value


def conversion_values_fast(data: Any) -> dict[str, Any] | None:
    """ConversionIn's validated data for a plainly valid body; None for anything else.

    Building ConversionIn costs more than recording the conversion. This accepts only
    bodies ConversionIn accepts with the same values (a property test holds the two
    together); anything else, every invalid body included, goes through ConversionIn,
    which owns the error messages.
    """
    # Line items name products: ConversionIn checks them.
    if not isinstance(data, dict) or not data.keys() <= _FAST_FIELDS or "line_items" in data:
        return None
    values: dict[str, Any] = {"event_type": EventType.PURCHASE.value}
    for name, value in data.items():
        if value is None:
            if name in {"event_type", "external_transaction_id"}:
                return None
            values[name] = None
        elif name == "click_id":
            if not isinstance(value, str):
                return None
            try:
                values[name] = uuid.UUID(hex=value)
            except ValueError:
                return None
        elif name == "event_type":
            if not isinstance(value, str) or value not in _EVENT_TYPES:
                return None
            values[name] = value
        elif name == "amount_cents":
            if type(value) is not int or not 0 <= value <= 10**15:
                return None
            values[name] = value
        elif name == "currency":
            if type(value) is not str or value not in CURRENCIES:
                return None
            values[name] = value
        elif name == "occurred_at":
            try:
                moment = parse_datetime(value) if isinstance(value, str) else None
                if moment is None or moment.tzinfo is None:
                    return None
                moment = moment.astimezone(UTC)
            except (ValueError, OverflowError):
                return None
            if moment > timezone.now() + FUTURE_SKEW or moment < EARLIEST_OCCURRED_AT:
                return None
            values[name] = moment
        elif name == "metadata":
            if metadata_problem(value) is not None:
                return None
            values[name] = value
        else:
            limit = 255 if name in {"external_transaction_id", "customer_id"} else 100
            text = _fast_text(value, max_length=limit)
            if text is None:
                return None
            values[name] = text
    if "external_transaction_id" not in values:
        return None
    if values.get("amount_cents") is not None and not values.get("currency"):
        return None
    return values
