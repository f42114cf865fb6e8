"""Serializer building blocks shared by every app: strict input, exact money."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.utils import timezone
from rest_framework import ISO_8601, serializers
from rest_framework.settings import api_settings

from selgeo.currencies import CURRENCIES


class StrictInputMixin:
    """Unknown fields are an error, not silently dropped: a typo must not lose data."""

    def to_internal_value(self, data: Any) -> Any:
        if not isinstance(data, dict):
            raise serializers.ValidationError({"body": ["Expected a JSON object"]}, code="invalid")
        known = set(self.fields)  # type: ignore[attr-defined]
        unknown = sorted(set(data) - known)
        if unknown:
            raise serializers.ValidationError(
                {name: ["Unknown field"] for name in unknown}, code="unknown_field"
            )
        return super().to_internal_value(data)  # type: ignore[misc]


class StrictSerializer(StrictInputMixin, serializers.Serializer):
    pass


class StrictModelSerializer(StrictInputMixin, serializers.ModelSerializer):
    pass


class StrictIntegerField(serializers.IntegerField):
    """A JSON integer and nothing else.

    DRF's IntegerField accepts 19.0, "19", 1e3 and "1_000"; for money and counts that
    is a bug waiting to happen, so only a real int (not a bool) passes.
    """

    default_error_messages = {
        "invalid": "Expected an integer, received {kind}",
    }

    def to_internal_value(self, data: Any) -> int:
        if isinstance(data, bool) or not isinstance(data, int):
            kind = "boolean" if isinstance(data, bool) else type(data).__name__
            kind = {"str": "string", "float": "number", "NoneType": "null"}.get(kind, kind)
            self.fail("invalid", kind=kind)
        return super().to_internal_value(data)


class AmountCentsField(StrictIntegerField):
    """Money in integer minor units (cents, yen, fils); never negative."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("min_value", 0)
        kwargs.setdefault("max_value", 10**15)
        super().__init__(**kwargs)


class StrictBooleanField(serializers.BooleanField):
    default_error_messages = {"invalid": "Expected a boolean"}

    def to_internal_value(self, data: Any) -> bool:
        if not isinstance(data, bool):
            self.fail("invalid")
        return data


class StrictCharField(serializers.CharField):
    """A JSON string: numbers and booleans are not quietly turned into text."""

    default_error_messages = {"not_a_string": "Expected a string"}

    def to_internal_value(self, data: Any) -> str:
        if not isinstance(data, str):
            self.fail("not_a_string")
        return super().to_internal_value(data)


class CurrencyField(StrictCharField):
    """An ISO 4217 code, upper-cased."""

    default_error_messages = {"unknown_currency": "Unknown ISO 4217 currency code"}

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("max_length", 3)
        kwargs.setdefault("min_length", 3)
        super().__init__(**kwargs)

    def to_internal_value(self, data: Any) -> str:
        value = super().to_internal_value(data).upper()
        if value not in CURRENCIES:
            self.fail("unknown_currency")
        return value


# DRF's own field renders moments, so the API's DATETIME_FORMAT, time zone and handling
# of naive values apply to hand-built responses exactly as in every serializer.
_MOMENT_FIELD = serializers.DateTimeField()


def moment_text(value: datetime) -> str:
    """A moment as every API response writes it (DRF's DateTimeField, without its
    per-call overhead for the aware values hot paths render)."""
    output_format = api_settings.DATETIME_FORMAT
    if value.tzinfo is not None and output_format not in (None, ISO_8601):
        return value.astimezone(timezone.get_current_timezone()).strftime(output_format)
    text: str = _MOMENT_FIELD.to_representation(value)
    return text
