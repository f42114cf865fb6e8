"""Input and output of POST /v1/clicks."""

from __future__ import annotations

import uuid
from typing import Any
from urllib.parse import urlsplit

from rest_framework import serializers

from selgeo.api.serializers import StrictCharField, StrictSerializer
from tracking.models import Click
from tracking.selectors import CODE_PATTERN
from tracking.visitors import COUNTRY_PATTERN, normalise_ip

URL_MAX = 2000
# Longer user agents are accepted and cut to what a click keeps (1000 characters).
USER_AGENT_HINT_MAX = 4000


def _printable(value: str) -> bool:
    return value.isprintable()


class HttpUrlField(StrictCharField):
    """An absolute http(s) URL, as a browser's `location.href` gives it."""

    default_error_messages = {"not_http_url": "Expected an absolute http:// or https:// URL"}

    def to_internal_value(self, data: Any) -> str:
        value = super().to_internal_value(data)
        if value == "":
            return value
        parts = urlsplit(value)
        if parts.scheme.lower() not in {"http", "https"} or not parts.netloc:
            self.fail("not_http_url")
        if not _printable(value):
            self.fail("not_http_url")
        return value


class StrictUuidField(serializers.UUIDField):
    """A uuid in a JSON string; DRF's own field also turns integers into uuids."""

    def to_internal_value(self, data: Any) -> uuid.UUID:
        if not isinstance(data, str):
            self.fail("invalid", value=data)
        return super().to_internal_value(data)


class ClickIn(StrictSerializer):
    referral_code = StrictCharField(
        required=False, max_length=40, help_text="The partner's referral code (case-insensitive)"
    )
    program = StrictCharField(
        required=False, max_length=40, help_text="Instead of referral_code: program code or id"
    )
    partner = StrictUuidField(required=False, help_text="With program: the partner's id")
    landing_url = HttpUrlField(
        required=False, allow_blank=True, default="", max_length=URL_MAX, trim_whitespace=False
    )
    referrer = StrictCharField(
        required=False, allow_blank=True, default="", max_length=URL_MAX, trim_whitespace=False
    )
    user_agent = StrictCharField(
        required=False,
        allow_blank=True,
        max_length=USER_AGENT_HINT_MAX,
        trim_whitespace=False,
        help_text="Server-side calls only: the visitor's User-Agent",
    )
    ip = StrictCharField(
        required=False, max_length=45, help_text="Server-side calls only: the visitor's IP address"
    )
    country = StrictCharField(
        required=False,
        min_length=2,
        max_length=2,
        help_text="Server-side calls only: the visitor's ISO 3166-1 alpha-2 country",
    )

    def validate_referral_code(self, value: str) -> str:
        if not CODE_PATTERN.match(value):
            raise serializers.ValidationError("Letters, digits, '-' and '_' only")
        return value

    def validate_referrer(self, value: str) -> str:
        if not _printable(value):
            raise serializers.ValidationError("Control characters are not allowed")
        return value

    def validate_ip(self, value: str) -> str:
        normalised = normalise_ip(value)
        if not normalised:
            raise serializers.ValidationError("Expected an IPv4 or IPv6 address")
        return normalised

    def validate_country(self, value: str) -> str:
        if not COUNTRY_PATTERN.match(value):
            raise serializers.ValidationError("Expected an ISO 3166-1 alpha-2 country code")
        return value.upper()

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        has_code = "referral_code" in attrs
        has_program = "program" in attrs
        has_partner = "partner" in attrs
        if has_code and (has_program or has_partner):
            raise serializers.ValidationError(
                {"referral_code": "Send referral_code, or program and partner, not both"}
            )
        if not has_code and not has_program and not has_partner:
            raise serializers.ValidationError(
                {"referral_code": "Send referral_code, or program and partner"}
            )
        if has_program and not has_partner:
            raise serializers.ValidationError({"partner": "Required together with program"})
        if has_partner and not has_program:
            raise serializers.ValidationError({"program": "Required together with partner"})
        return attrs


class ClickOut(serializers.ModelSerializer):
    click_id = serializers.UUIDField(source="id")
    expires_at = serializers.DateTimeField()
    program = serializers.CharField(source="program.code", help_text="The program's code")
    partner = serializers.UUIDField(source="partner_id")
    attributable = serializers.SerializerMethodField(
        help_text="false for bots: their clicks are recorded but never attributed"
    )

    class Meta:
        model = Click
        fields = ("click_id", "expires_at", "program", "partner", "attributable")

    def get_attributable(self, click: Click) -> bool:
        return not click.is_bot


_FAST_FIELDS = frozenset(
    {"referral_code", "landing_url", "referrer", "user_agent", "ip", "country"}
)


def click_input_fast(data: Any) -> dict[str, str] | None:
    """ClickIn's validated data for the common, plainly valid body; None for anything else.

    Building and running ClickIn costs more than recording the click. This accepts only
    bodies ClickIn accepts with the same values (a property test holds the two together):
    a referral code with printable string hints. Anything else, including every invalid
    body, returns None and goes through ClickIn, which owns the error messages.
    """
    if not isinstance(data, dict) or "referral_code" not in data or not data.keys() <= _FAST_FIELDS:
        return None
    for value in data.values():
        if not isinstance(value, str) or not value.isprintable():
            return None
    if not CODE_PATTERN.match(data["referral_code"]):
        return None
    values = {"landing_url": "", "referrer": "", **data}
    landing_url = values["landing_url"]
    if len(landing_url) > URL_MAX or len(values["referrer"]) > URL_MAX:
        return None
    if landing_url:
        parts = urlsplit(landing_url)
        if parts.scheme.lower() not in {"http", "https"} or not parts.netloc:
            return None
    if len(values.get("user_agent", "")) > USER_AGENT_HINT_MAX:
        return None
    if "ip" in values:
        ip = values["ip"].strip()
        if len(ip) > 45 or not (normalised := normalise_ip(ip)):
            return None
        values["ip"] = normalised
    if "country" in values:
        country = values["country"].strip()
        if not COUNTRY_PATTERN.match(country):
            return None
        values["country"] = country.upper()
    return values
