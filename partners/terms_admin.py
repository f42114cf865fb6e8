"""Staff admin for commission terms: read-only, as the history and rates change only
through the services (which version, validate and tell the partners)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from partners.models import (
    CommissionOverride,
    CommissionTier,
    PartnerGroup,
    PartnerGroupMember,
    TermsVersion,
)


class _ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(TermsVersion)
class TermsVersionAdmin(_ReadOnlyAdmin):
    list_display = ("program", "number", "commission_type", "percent_bps", "cpa_amount_cents",
                    "effective_from", "changed_by")  # fmt: skip
    list_filter = ("mode", "commission_type")
    search_fields = ("program__code", "program__name", "merchant__name")
    list_select_related = ("program", "changed_by")
    raw_id_fields = ("merchant", "program", "changed_by")


@admin.register(PartnerGroup)
class PartnerGroupAdmin(_ReadOnlyAdmin):
    list_display = ("name", "merchant", "mode", "created_at")
    list_filter = ("mode",)
    search_fields = ("name", "merchant__name")
    raw_id_fields = ("merchant",)


@admin.register(PartnerGroupMember)
class PartnerGroupMemberAdmin(_ReadOnlyAdmin):
    list_display = ("group", "partner", "mode", "created_at")
    search_fields = ("group__name", "partner__display_name")
    list_select_related = ("group", "partner")
    raw_id_fields = ("merchant", "group", "partner")


@admin.register(CommissionOverride)
class CommissionOverrideAdmin(_ReadOnlyAdmin):
    list_display = ("program", "partner", "group", "percent_bps", "cpa_amount_cents", "updated_at")
    list_filter = ("mode",)
    search_fields = ("program__code", "partner__display_name", "group__name")
    list_select_related = ("program", "partner", "group")
    raw_id_fields = ("merchant", "program", "partner", "group")


@admin.register(CommissionTier)
class CommissionTierAdmin(_ReadOnlyAdmin):
    list_display = ("program", "min_conversions", "percent_bps", "cpa_amount_cents")
    list_filter = ("mode",)
    search_fields = ("program__code", "program__name")
    list_select_related = ("program",)
    raw_id_fields = ("merchant", "program")
