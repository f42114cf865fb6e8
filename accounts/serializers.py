"""Input and output shapes for the accounts API."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema_serializer
from rest_framework import serializers

from accounts.models import ApiKey, Merchant, Partner, User
from accounts.services import PASSWORD_MAX
from selgeo.api.serializers import (
    PasswordField,
    StrictCharField,
    StrictIntegerField,
    StrictSerializer,
)
from selgeo.countries import COUNTRY_RULE, is_country


class UserOut(serializers.ModelSerializer):
    class Meta:
        model = User
        fields = ["id", "email", "full_name", "date_joined"]


class MerchantOut(serializers.ModelSerializer):
    class Meta:
        model = Merchant
        fields = ["id", "name", "slug", "website", "created_at"]


# partners.serializers has a PartnerOut of its own (the merchant's view of a partner).
@extend_schema_serializer(component_name="AccountPartnerOut")
class PartnerOut(serializers.ModelSerializer):
    class Meta:
        model = Partner
        fields = ["id", "display_name", "website", "country", "created_at"]


class RegisterIn(StrictSerializer):
    ACCOUNT_TYPES = ("merchant", "partner")

    # A merchant (the default) names its company, a partner its display name.
    openapi_rules = {
        "anyOf": [
            {
                "properties": {"account_type": {"enum": ["merchant"]}},
                "required": ["company_name"],
            },
            {
                "properties": {"account_type": {"enum": ["partner"]}},
                "required": ["account_type", "display_name"],
            },
        ]
    }

    email = serializers.EmailField(max_length=254)
    password = PasswordField()
    account_type = serializers.ChoiceField(choices=ACCOUNT_TYPES, default="merchant")
    full_name = StrictCharField(max_length=150, required=False, default="", allow_blank=True)
    company_name = StrictCharField(max_length=200, required=False)
    display_name = StrictCharField(max_length=120, required=False)
    website = serializers.URLField(max_length=500, required=False, default="", allow_blank=True)
    country = StrictCharField(
        required=False,
        default="",
        allow_blank=True,
        max_length=2,
        help_text="ISO 3166-1 alpha-2 (any case)",
    )

    def validate_country(self, value: str) -> str:
        if value and not is_country(value.upper()):
            raise serializers.ValidationError(COUNTRY_RULE)
        return value.upper()

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if attrs["account_type"] == "merchant" and not attrs.get("company_name"):
            raise serializers.ValidationError({"company_name": ["Required for a merchant"]})
        if attrs["account_type"] == "partner" and not attrs.get("display_name"):
            raise serializers.ValidationError({"display_name": ["Required for a partner"]})
        return attrs


class LoginIn(StrictSerializer):
    email = serializers.EmailField(max_length=254)
    password = StrictCharField(max_length=PASSWORD_MAX, trim_whitespace=False)
    merchant_id = serializers.UUIDField(required=False)


class RefreshIn(StrictSerializer):
    refresh = StrictCharField(max_length=2000)


class RefreshOut(serializers.Serializer):
    access = serializers.CharField()
    refresh = serializers.CharField(help_text="The replacement: the token sent is used up")
    token_type = serializers.CharField()


class ChangePasswordIn(StrictSerializer):
    current_password = StrictCharField(max_length=PASSWORD_MAX, trim_whitespace=False)
    new_password = StrictCharField(max_length=PASSWORD_MAX, trim_whitespace=False)


class ForgotPasswordIn(StrictSerializer):
    email = serializers.EmailField(max_length=254)


class ResetPasswordIn(StrictSerializer):
    token = StrictCharField(max_length=300)
    password = PasswordField()


class TokensOut(serializers.Serializer):
    access = serializers.CharField()
    refresh = serializers.CharField()
    token_type = serializers.CharField()
    merchant_id = serializers.UUIDField(allow_null=True)
    partner_id = serializers.UUIDField(allow_null=True)


class MembershipOut(MerchantOut):
    role = serializers.CharField(help_text="owner, admin or member")

    class Meta(MerchantOut.Meta):
        fields = [*MerchantOut.Meta.fields, "role"]


class AccountOut(serializers.Serializer):
    """Who signed in: the user, its merchants (with its role in each), its partner
    profile if it has one, and the tokens."""

    user = UserOut()
    merchants = MembershipOut(many=True)
    partner = PartnerOut(allow_null=True)
    tokens = TokensOut()


class ApiKeyOut(serializers.ModelSerializer):
    redacted = serializers.CharField(read_only=True)
    status = serializers.SerializerMethodField()
    key = serializers.SerializerMethodField(
        help_text="The full key. Public keys always; secret keys only in the create/roll answer."
    )

    class Meta:
        model = ApiKey
        fields = [
            "id",
            "kind",
            "mode",
            "name",
            "redacted",
            "key",
            "status",
            "created_at",
            "expires_at",
            "revoked_at",
            "last_used_at",
            "rolled_from",
        ]

    def get_status(self, obj: ApiKey) -> str:
        if obj.revoked_at is not None:
            return "revoked"
        return "active" if obj.is_active() else "expired"

    def get_key(self, obj: ApiKey) -> str | None:
        raw = self.context.get("raw_keys", {}).get(obj.pk)
        return raw or (obj.public_value or None)


class ApiKeyCreateIn(StrictSerializer):
    kind = serializers.ChoiceField(choices=["public", "secret"])
    name = StrictCharField(max_length=100, required=False, default="", allow_blank=True)


class ApiKeyRollIn(StrictSerializer):
    expires_in_hours = StrictIntegerField(required=False, default=0, min_value=0, max_value=168)


class RegisterOut(AccountOut):
    """The new account, and a merchant's four API keys with their raw values, this once
    (empty for a partner)."""

    api_keys = ApiKeyOut(many=True)
