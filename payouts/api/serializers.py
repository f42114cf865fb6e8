"""Bodies of the partner's payout-account and tax-profile endpoints.

Input is strict (unknown fields refused, strings only); what each value must be is
checked by the services, which name the field and the reason. Output never carries an
IBAN, tax id or signature in full: only masked (last four characters).
"""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema_field, inline_serializer
from rest_framework import serializers

from payouts import selectors
from payouts.encryption import mask
from payouts.models import PayoutAccount, PayoutMethod, TaxEntityType, TaxForm, TaxProfile
from payouts.tax_forms import expires_on
from selgeo.api.serializers import StrictCharField, StrictSerializer

# Bodies are capped here only against abuse; the services give the real limits.
_ANY_TEXT = 2000


def _optional_text() -> StrictCharField:
    return StrictCharField(
        required=False, allow_blank=True, max_length=_ANY_TEXT, trim_whitespace=False
    )


class PayoutAccountIn(StrictSerializer):
    method = serializers.ChoiceField(choices=PayoutMethod.choices)
    account_holder = _optional_text()
    iban = _optional_text()
    bic = _optional_text()
    email = _optional_text()
    address = _optional_text()
    instructions = _optional_text()


class PayoutAccountOut(serializers.ModelSerializer):
    """The active payout account; the IBAN only masked."""

    description = serializers.SerializerMethodField()
    iban = serializers.SerializerMethodField()
    email = serializers.CharField(source="paypal_email")
    address = serializers.CharField(source="bitcoin_address")
    network = serializers.CharField(source="bitcoin_network")

    class Meta:
        model = PayoutAccount
        fields = [
            "id",
            "method",
            "description",
            "account_holder",
            "iban",
            "bic",
            "email",
            "address",
            "network",
            "instructions",
            "created_at",
        ]

    def get_description(self, obj: PayoutAccount) -> str:
        return selectors.describe(obj)

    def get_iban(self, obj: PayoutAccount) -> str:
        return mask(obj.iban)


class TaxProfileIn(StrictSerializer):
    legal_name = StrictCharField(max_length=_ANY_TEXT, trim_whitespace=False)
    country = StrictCharField(max_length=_ANY_TEXT)
    entity_type = serializers.ChoiceField(choices=TaxEntityType.choices)
    tax_id = StrictCharField(max_length=_ANY_TEXT)
    form = serializers.ChoiceField(
        choices=TaxForm.choices,
        help_text="w9 for a US person (country US); otherwise w8ben (individual) or "
        "w8bene (business). Another form is a 400 naming `form`.",
    )
    form_fields = serializers.DictField(
        help_text="The form's fields. W-9: business_name?, tax_classification, address, "
        "city_state_zip, tin_type (ssn|itin|ein). W-8BEN: citizenship_country, "
        "permanent_address, permanent_city, permanent_country, mailing_address?, "
        "date_of_birth (YYYY-MM-DD), treaty_country?, treaty_article?, treaty_rate?, "
        "treaty_income_type?. W-8BEN-E: incorporation_country, chapter3_status, "
        "chapter4_status, permanent_address, permanent_city, permanent_country, "
        "mailing_address?, treaty_*?."
    )
    signature = StrictCharField(
        max_length=_ANY_TEXT, help_text="The legal name, typed (case-insensitive)"
    )


class DocumentPart(serializers.Serializer):
    heading = serializers.CharField()
    lines = inline_serializer(
        "TaxDocumentLine",
        fields={"label": serializers.CharField(), "value": serializers.CharField()},
        many=True,
    )


class TaxDocumentOut(serializers.Serializer):
    form = serializers.ChoiceField(choices=TaxForm.choices)
    title = serializers.CharField()
    parts = DocumentPart(many=True)


class TaxProfileOut(serializers.ModelSerializer):
    """The tax details on file; the tax id and the signature only masked."""

    tax_id = serializers.SerializerMethodField()
    signature = serializers.SerializerMethodField()
    form_fields = serializers.SerializerMethodField()
    expires_on = serializers.SerializerMethodField()
    document = serializers.SerializerMethodField()

    class Meta:
        model = TaxProfile
        fields = [
            "legal_name",
            "country",
            "entity_type",
            "tax_id_kind",
            "tax_id",
            "form",
            "form_fields",
            "signature",
            "signed_at",
            "expires_on",
            "updated_at",
            "document",
        ]

    def get_tax_id(self, obj: TaxProfile) -> str:
        return mask(obj.tax_id)

    def get_signature(self, obj: TaxProfile) -> str:
        return mask(obj.signature)

    @extend_schema_field(serializers.DictField(child=serializers.CharField()))
    def get_form_fields(self, obj: TaxProfile) -> dict[str, str]:
        return selectors.form_fields_of(obj)

    @extend_schema_field(serializers.DateField(allow_null=True))
    def get_expires_on(self, obj: TaxProfile) -> str | None:
        expiry = expires_on(obj.form, obj.signed_at)
        return expiry.isoformat() if expiry else None

    @extend_schema_field(TaxDocumentOut)
    def get_document(self, obj: TaxProfile) -> dict[str, Any]:
        return selectors.tax_document(obj)
