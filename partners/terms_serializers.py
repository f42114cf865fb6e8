"""API shapes of terms versions, partner groups, per-partner and group rates, and tiers."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from partners import rules
from partners.models import (
    CommissionOverride,
    CommissionTier,
    PartnerGroup,
    TermsVersion,
)
from partners.serializers import ReadOnlyAwareSerializer
from partners.services.terms import (
    GROUP_DESCRIPTION_MAX,
    GROUP_NAME_MAX,
    TIER_MIN_CONVERSIONS_MAX,
)
from selgeo.api.serializers import AmountCentsField, StrictCharField, StrictIntegerField


class TermsVersionOut(serializers.ModelSerializer):
    changed_by = serializers.SerializerMethodField()

    class Meta:
        model = TermsVersion
        fields = [
            "id",
            "number",
            "commission_type",
            "cpa_amount_cents",
            "percent_bps",
            "recurring_months",
            "effective_from",
            "changed_by",
            "note",
            "created_at",
        ]

    def get_changed_by(self, obj: TermsVersion) -> str | None:
        """The email of the team member who changed the terms; null when Selgeo recorded
        the version (first publication)."""
        return obj.changed_by.email if obj.changed_by is not None else None


class PartnerGroupOut(serializers.ModelSerializer):
    partner_ids = serializers.SerializerMethodField()

    class Meta:
        model = PartnerGroup
        fields = ["id", "mode", "name", "description", "partner_ids", "created_at"]

    def get_partner_ids(self, obj: PartnerGroup) -> list[str]:
        return sorted(str(member.partner_id) for member in obj.members.all())


class PartnerGroupIn(ReadOnlyAwareSerializer):
    read_only_names = frozenset({"id", "mode", "partner_ids", "created_at"})

    name = StrictCharField(max_length=GROUP_NAME_MAX)
    description = StrictCharField(max_length=GROUP_DESCRIPTION_MAX, allow_blank=True, default="")


class PartnerGroupUpdateIn(PartnerGroupIn):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs["partial"] = True
        super().__init__(*args, **kwargs)


class GroupMemberIn(ReadOnlyAwareSerializer):
    partner = serializers.UUIDField(help_text="The partner's id (one of the merchant's partners)")


class CommissionOverrideOut(serializers.ModelSerializer):
    class Meta:
        model = CommissionOverride
        fields = [
            "id",
            "program",
            "partner",
            "group",
            "cpa_amount_cents",
            "percent_bps",
            "created_at",
            "updated_at",
        ]


class CommissionOverrideIn(ReadOnlyAwareSerializer):
    """Exactly one of `partner` and `group`; the amount of the program's type."""

    openapi_rules: dict[str, Any] | None = {
        "oneOf": [
            {"required": ["partner"], "properties": {"group": {"enum": [None]}}},
            {"required": ["group"], "properties": {"partner": {"enum": [None]}}},
        ]
    }

    partner = serializers.UUIDField(allow_null=True, default=None)
    group = serializers.UUIDField(allow_null=True, default=None)
    cpa_amount_cents = AmountCentsField(
        max_value=rules.CPA_AMOUNT_MAX,
        allow_null=True,
        default=None,
        help_text="CPA programs: the partner's amount per conversion, in minor units",
    )
    percent_bps = StrictIntegerField(
        min_value=0,
        max_value=rules.BPS_MAX,
        allow_null=True,
        default=None,
        help_text="CPS and RevShare programs: basis points of the amount (1500 = 15%)",
    )


class CommissionTierOut(serializers.ModelSerializer):
    class Meta:
        model = CommissionTier
        fields = [
            "id",
            "program",
            "min_conversions",
            "cpa_amount_cents",
            "percent_bps",
            "created_at",
        ]


class CommissionTierIn(ReadOnlyAwareSerializer):
    min_conversions = StrictIntegerField(
        min_value=1,
        max_value=TIER_MIN_CONVERSIONS_MAX,
        help_text="The tier applies once the partner has this many counted conversions in "
        "the program this calendar month (UTC): a tier of 50 pays from the 51st.",
    )
    cpa_amount_cents = AmountCentsField(
        max_value=rules.CPA_AMOUNT_MAX, allow_null=True, default=None
    )
    percent_bps = StrictIntegerField(
        min_value=0, max_value=rules.BPS_MAX, allow_null=True, default=None
    )


class CommissionTierUpdateIn(CommissionTierIn):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs["partial"] = True
        super().__init__(*args, **kwargs)
