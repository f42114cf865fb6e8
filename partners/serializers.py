"""Input and output shapes of the partners API (and of its webhook events' `data`)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from drf_spectacular.extensions import OpenApiSerializerFieldExtension
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from accounts.models import Merchant, Partner
from partners import rules
from partners.models import (
    Application,
    CommissionType,
    Invitation,
    Program,
    PromoCode,
    ReferralCode,
)
from selgeo.api.serializers import (
    AmountCentsField,
    CurrencyField,
    StrictBooleanField,
    StrictCharField,
    StrictIntegerField,
    StrictSerializer,
)

MESSAGE_MAX = rules.MESSAGE_MAX
# What the OpenAPI document states of an http(s) URL: the part of Django's URLValidator a
# client most often gets wrong (the scheme, a host name with a top-level domain).
HTTP_URL_PATTERN = (
    "^https?://[a-z0-9]([a-z0-9-]{0,20}[a-z0-9])?(\\.[a-z0-9]([a-z0-9-]{0,20}[a-z0-9])?){0,3}"
    "\\.[a-z]{2,20}(/[!-~]*)?$"
)


class ReadOnlyAwareSerializer(StrictSerializer):
    """Strict input that names fields the caller may read but never set."""

    read_only_names: frozenset[str] = frozenset(
        {"id", "merchant", "mode", "status", "created_at", "updated_at", "erased_at"}
    )

    def to_internal_value(self, data: Any) -> Any:
        if isinstance(data, dict):
            refused = sorted(set(data) & self.read_only_names - set(self.fields))
            if refused:
                raise serializers.ValidationError(
                    {name: ["This field is read-only"] for name in refused}
                )
        return super().to_internal_value(data)


@extend_schema_field(
    {"type": "string", "minLength": 3, "maxLength": 40, "pattern": "^[A-Za-z0-9_-]{3,40}$"}
)
class CodeField(StrictCharField):
    """A program, referral or promo code: spaces are an error, not trimmed away."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("trim_whitespace", False)
        # The document's limits are the rule's (`rules.CODE_PATTERN`), which
        # `to_internal_value` checks first, with its own message.
        kwargs.setdefault("min_length", 3)
        kwargs.setdefault("max_length", 40)
        super().__init__(**kwargs)

    def to_internal_value(self, data: Any) -> str:
        value = super().to_internal_value(data)
        errors = rules.code_errors("code", value)
        if errors:
            raise serializers.ValidationError(errors[0]["message"])
        return value


class HttpUrlField(StrictCharField):
    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("max_length", rules.URL_MAX)
        super().__init__(**kwargs)

    def to_internal_value(self, data: Any) -> str:
        value = super().to_internal_value(data)
        errors = rules.url_errors("url", value, allow_blank=self.allow_blank)
        if errors:
            raise serializers.ValidationError(errors[0]["message"])
        return value


class HttpUrlFieldSchema(OpenApiSerializerFieldExtension):
    target_class = HttpUrlField

    def map_serializer_field(self, auto_schema: Any, direction: Any) -> dict[str, Any]:
        # drf-spectacular adds the empty alternative of a field that allows blank itself.
        return {"type": "string", "maxLength": self.target.max_length, "pattern": HTTP_URL_PATTERN}


def _text(maximum: int, **kwargs: Any) -> StrictCharField:
    return StrictCharField(max_length=maximum, allow_blank=True, **kwargs)


# Programs ------------------------------------------------------------------------------


class MerchantSummary(serializers.ModelSerializer):
    class Meta:
        model = Merchant
        fields = ["id", "name", "slug"]


PROGRAM_FIELDS = [
    "id",
    "mode",
    "code",
    "name",
    "description",
    "status",
    "currency",
    "accepted_currencies",
    "commission_type",
    "cpa_amount_cents",
    "percent_bps",
    "recurring_months",
    "cookie_days",
    "hold_days",
    "landing_url",
    "is_public",
    "terms",
    "created_at",
    "updated_at",
]


ACCEPTED_CURRENCIES_HELP = (
    "Other currencies whose sales the program converts (at the exchange rate of the sale's "
    "moment) and pays commission on; the program's own `currency` is always accepted. "
    "Empty: every currency Selgeo has an exchange rate for. Sales in a currency not "
    "listed are recorded unattributed with `currency_mismatch`."
)


def _accepted_currencies(**kwargs: Any) -> serializers.ListField:
    return serializers.ListField(
        child=CurrencyField(), help_text=ACCEPTED_CURRENCIES_HELP, **kwargs
    )


class ProgramOut(serializers.ModelSerializer):
    accepted_currencies = _accepted_currencies(read_only=True)

    class Meta:
        model = Program
        fields = [*PROGRAM_FIELDS, "auto_approve_applications"]


class PartnerProgramOut(serializers.ModelSerializer):
    """A program as partners see it: with its merchant and their own application status."""

    merchant = MerchantSummary(read_only=True)
    accepted_currencies = _accepted_currencies(read_only=True)
    application_status = serializers.SerializerMethodField()

    class Meta:
        model = Program
        fields = [*PROGRAM_FIELDS, "merchant", "application_status"]

    def get_application_status(self, obj: Program) -> str | None:
        return getattr(obj, "application_status", None)


def _commission_shape(kind: str, integers: list[str], nulls: list[str]) -> dict[str, Any]:
    properties: dict[str, Any] = {"commission_type": {"enum": [kind]}}
    properties.update({name: {"type": "integer"} for name in integers})
    properties.update({name: {"enum": [None]} for name in nulls})
    return {"properties": properties, "required": integers}


class ProgramIn(ReadOnlyAwareSerializer):
    # What `rules.commission_errors` asks of each commission type.
    openapi_rules: dict[str, Any] | None = {
        "oneOf": [
            _commission_shape("cpa", ["cpa_amount_cents"], ["percent_bps", "recurring_months"]),
            _commission_shape("cps", ["percent_bps"], ["cpa_amount_cents", "recurring_months"]),
            _commission_shape(
                "revshare", ["percent_bps", "recurring_months"], ["cpa_amount_cents"]
            ),
        ]
    }

    code = CodeField()
    name = StrictCharField(max_length=200)
    description = _text(rules.DESCRIPTION_MAX, default="")
    currency = CurrencyField()
    accepted_currencies = _accepted_currencies(
        max_length=rules.ACCEPTED_CURRENCIES_MAX, default=list
    )
    commission_type = serializers.ChoiceField(choices=CommissionType.choices)
    cpa_amount_cents = AmountCentsField(
        min_value=1, max_value=rules.CPA_AMOUNT_MAX, allow_null=True, default=None
    )
    percent_bps = StrictIntegerField(
        min_value=1, max_value=rules.BPS_MAX, allow_null=True, default=None
    )
    recurring_months = StrictIntegerField(
        min_value=1, max_value=rules.RECURRING_MONTHS_MAX, allow_null=True, default=None
    )
    cookie_days = StrictIntegerField(min_value=1, max_value=rules.COOKIE_DAYS_MAX, default=30)
    hold_days = StrictIntegerField(min_value=0, max_value=rules.HOLD_DAYS_MAX, default=30)
    landing_url = HttpUrlField()
    is_public = StrictBooleanField(default=True)
    terms = _text(rules.TERMS_MAX, default="")
    auto_approve_applications = StrictBooleanField(default=False)


class ProgramUpdateIn(ProgramIn):
    """PATCH: every field optional; what the status allows is the service's decision."""

    # The commission fields a PATCH needs depend on the stored program.
    openapi_rules = None

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs["partial"] = True
        super().__init__(*args, **kwargs)


# Partners ------------------------------------------------------------------------------


class PartnerOut(serializers.ModelSerializer):
    """A partner as merchants see it: public profile only, never payout details."""

    erased = serializers.SerializerMethodField()

    class Meta:
        model = Partner
        fields = ["id", "display_name", "website", "country", "created_at", "erased", "erased_at"]

    def get_erased(self, obj: Partner) -> bool:
        return obj.erased_at is not None


class MerchantPartnerOut(PartnerOut):
    """A partner in the merchant's partner list and detail: the profile and the email
    address the partner agreed to share when it applied (or accepted an invitation)."""

    email = serializers.SerializerMethodField(
        help_text="The partner's sign-in address, shared with the merchants it applies to; "
        "null once the partner's account is erased."
    )

    class Meta(PartnerOut.Meta):
        fields = [*PartnerOut.Meta.fields[:2], "email", *PartnerOut.Meta.fields[2:]]

    @extend_schema_field({"type": "string", "format": "email", "nullable": True})
    def get_email(self, obj: Partner) -> str | None:
        user = obj.user
        return user.email if user is not None and obj.erased_at is None else None


class ProfileOut(serializers.ModelSerializer):
    """The partner's own profile (payout account and tax details have their own endpoints)."""

    email = serializers.SerializerMethodField()

    class Meta:
        model = Partner
        fields = [
            "id",
            "email",
            "display_name",
            "website",
            "country",
            "created_at",
        ]

    def get_email(self, obj: Partner) -> str | None:
        return obj.user.email if obj.user is not None else None


class ProfileUpdateIn(ReadOnlyAwareSerializer):
    read_only_names = frozenset({"id", "email", "created_at", "erased_at", "user"})

    display_name = StrictCharField(max_length=120, required=False)
    website = HttpUrlField(max_length=500, allow_blank=True, required=False)
    country = StrictCharField(max_length=2, allow_blank=True, required=False)


# Applications --------------------------------------------------------------------------


class ApplicationOut(serializers.ModelSerializer):
    program_code = serializers.CharField(source="program.code", read_only=True)
    program_name = serializers.CharField(source="program.name", read_only=True)
    partner_display_name = serializers.CharField(source="partner.display_name", read_only=True)

    class Meta:
        model = Application
        fields = [
            "id",
            "mode",
            "program",
            "program_code",
            "program_name",
            "partner",
            "partner_display_name",
            "status",
            "invited",
            "message",
            "decision_message",
            "decided_at",
            "created_at",
        ]


class PartnerApplicationOut(ApplicationOut):
    merchant = MerchantSummary(source="program.merchant", read_only=True)

    class Meta(ApplicationOut.Meta):
        fields = [*ApplicationOut.Meta.fields, "merchant"]


class MessageIn(ReadOnlyAwareSerializer):
    message = _text(MESSAGE_MAX, default="")


class InviteIn(ReadOnlyAwareSerializer):
    """Invite an email address (with a Selgeo account or not) to a program."""

    email = serializers.EmailField(max_length=254)
    message = _text(MESSAGE_MAX, default="")


INVITATION_FIELDS = [
    "id",
    "mode",
    "program",
    "program_code",
    "program_name",
    "email",
    "message",
    "status",
    "application",
    "created_at",
    "answered_at",
]


class InvitationOut(serializers.ModelSerializer):
    """An invitation as the merchant sees it: the address, never the account behind it.

    `application` is the partner's application once it accepted (null before): from
    there on the partner is one of the merchant's partners.
    """

    program_code = serializers.CharField(source="program.code", read_only=True)
    program_name = serializers.CharField(source="program.name", read_only=True)

    class Meta:
        model = Invitation
        fields = INVITATION_FIELDS


class PartnerInvitationOut(InvitationOut):
    merchant = MerchantSummary(source="program.merchant", read_only=True)

    class Meta(InvitationOut.Meta):
        fields = [*INVITATION_FIELDS, "merchant"]


# Codes ---------------------------------------------------------------------------------


class _CodeOut(serializers.ModelSerializer):
    status = serializers.SerializerMethodField()

    def get_status(self, obj: ReferralCode | PromoCode) -> str:
        return "disabled" if obj.disabled_at is not None else "active"


class ReferralCodeOut(_CodeOut):
    url = serializers.SerializerMethodField(help_text="The tracking link for this code")

    class Meta:
        model = ReferralCode
        fields = [
            "id",
            "mode",
            "code",
            "program",
            "partner",
            "is_default",
            "status",
            "url",
            "created_at",
            "disabled_at",
        ]

    def get_url(self, obj: ReferralCode) -> str:
        return f"{settings.SELGEO_PUBLIC_URL}/r/{obj.code}"


class PromoCodeOut(_CodeOut):
    class Meta:
        model = PromoCode
        fields = ["id", "mode", "code", "program", "partner", "status", "created_at", "disabled_at"]


class ReferralCodeCreateIn(ReadOnlyAwareSerializer):
    program = serializers.UUIDField()
    partner = serializers.UUIDField()
    code = CodeField(required=False)


class PartnerReferralCodeCreateIn(ReadOnlyAwareSerializer):
    read_only_names = frozenset({"id", "merchant", "mode", "status", "partner", "is_default"})

    program = serializers.UUIDField()
    code = CodeField(required=False)


class PromoCodeCreateIn(ReadOnlyAwareSerializer):
    program = serializers.UUIDField()
    partner = serializers.UUIDField()
    code = CodeField()
