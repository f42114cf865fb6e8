"""Serializer building blocks shared by every app: strict input, exact money."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.utils import timezone
from drf_spectacular.utils import extend_schema_field
from rest_framework import ISO_8601, serializers
from rest_framework.settings import api_settings

from selgeo.currencies import CURRENCIES


class StrictInputMixin:
    """Unknown fields are an error, not silently dropped: a typo must not lose data.

    The OpenAPI document says so (`additionalProperties: false`, added to every strict
    request body by `selgeo.api.schema.close_strict_bodies`), and `openapi_rules`, when
    set, adds what the body's fields must satisfy together (`anyOf`, `oneOf`), which
    field-level schemas cannot say.
    """

    openapi_rules: dict[str, Any] | None = None

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


CURRENCY_SCHEMA = {
    "type": "string",
    "enum": sorted(CURRENCIES),
    "description": "An ISO 4217 currency code, in upper case (`EUR`; `eur` is refused)",
}


def currency_error(value: str) -> str | None:
    """Why `value` is not a currency code Selgeo takes, or None when it is one.

    Codes are taken in upper case only, as ISO 4217 writes them: `eur` is refused with
    a message saying so, rather than quietly rewritten, so that what a client sends is
    what Selgeo stores and the OpenAPI document's list of codes is the whole contract.
    """
    if value in CURRENCIES:
        return None
    if value.upper() in CURRENCIES:
        return f"Currency codes are upper case: send {value.upper()!r}, not {value!r}"
    return "Unknown ISO 4217 currency code"


@extend_schema_field(CURRENCY_SCHEMA)
class CurrencyField(StrictCharField):
    """An ISO 4217 code in upper case (see `currency_error`)."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("max_length", 3)
        kwargs.setdefault("min_length", 3)
        # " EUR" is not a code either: nothing is rewritten, spaces included.
        kwargs.setdefault("trim_whitespace", False)
        super().__init__(**kwargs)

    def to_internal_value(self, data: Any) -> str:
        value = super().to_internal_value(data)
        error = currency_error(value)
        if error is not None:
            raise serializers.ValidationError(error, code="invalid_currency")
        return value


@extend_schema_field(
    {
        "type": "string",
        "format": "password",
        "minLength": 10,
        "maxLength": 128,
        # Not only digits (NumericPasswordValidator).
        "pattern": "[^0-9]",
        "description": (
            "10 to 128 characters, not only digits, not a common password and not too "
            "similar to the account's email or names (Django's password validators)"
        ),
    }
)
class PasswordField(StrictCharField):
    """A new password: the account's validators run in the service, this documents them."""

    def __init__(self, **kwargs: Any) -> None:
        # The minimum of AUTH_PASSWORD_VALIDATORS, checked here too so that the field's
        # schema states it (drf-spectacular derives minLength from the field).
        kwargs.setdefault("min_length", 10)
        kwargs.setdefault("max_length", 128)
        kwargs.setdefault("trim_whitespace", False)
        super().__init__(**kwargs)


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
