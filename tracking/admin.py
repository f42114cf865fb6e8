"""Staff admin for clicks: a huge, append-only table, so the admin never counts it,
never scans it, and never edits it."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest

from selgeo.admin_tools import BigTableAdmin, ReadOnlyMoneyAdmin, as_uuid, partner_ids_matching
from tracking.models import (
    Click,
    ClickDailyStat,
    ClickMonthlyStat,
    ClickProgramDailyStat,
    RollupWatermark,
)


@admin.register(Click)
class ClickAdmin(BigTableAdmin):
    list_display = (
        "id",
        "merchant",
        "mode",
        "program",
        "partner",
        "is_bot",
        "source",
        "created_at",
    )
    list_filter = ("mode", "is_bot", "source")
    list_select_related = ("merchant", "program", "partner")
    # Ids are time-ordered (uuid7): newest first is a backward walk of the primary key.
    ordering = ("-id",)
    search_fields = ("=id",)
    search_help_text = "Exact click id, partner name, partner email or referral code"
    raw_id_fields = ("merchant", "program", "partner", "referral_code")
    date_hierarchy = None

    def get_search_results(
        self, request: HttpRequest, queryset: QuerySet[Click], search_term: str
    ) -> tuple[QuerySet[Click], bool]:
        # The default lookup compares the id as text, which no index serves. A click id
        # is looked up by primary key; a name, email or code first finds its (few)
        # partners, whose ids the click index on the partner serves.
        term = search_term.strip()
        if not term:
            return queryset, False
        key = as_uuid(term)
        if key is not None:
            return queryset.filter(pk=key), False
        return queryset.filter(partner_id__in=partner_ids_matching(term)), False

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(ClickDailyStat)
class ClickDailyStatAdmin(admin.ModelAdmin):
    list_display = ("day", "merchant", "mode", "program", "partner", "clicks", "bot_clicks")
    list_filter = ("mode", "day")
    search_fields = ("merchant__name", "program__code")
    raw_id_fields = ("merchant", "program", "partner")
    show_full_result_count = False
    readonly_fields = ("merchant", "mode", "day", "program", "partner", "clicks", "bot_clicks")


@admin.register(RollupWatermark)
class RollupWatermarkAdmin(admin.ModelAdmin):
    list_display = ("name", "position")
    search_fields = ("name",)


@admin.register(ClickProgramDailyStat)
class ClickProgramDailyStatAdmin(ReadOnlyMoneyAdmin):
    """Kept by the click rollup (`tracking.rollups`): read-only."""

    list_display = ("day", "merchant", "mode", "program", "clicks", "bot_clicks")
    list_filter = ("mode",)
    raw_id_fields = ("merchant", "program")


@admin.register(ClickMonthlyStat)
class ClickMonthlyStatAdmin(ReadOnlyMoneyAdmin):
    """Kept by the click rollup, by month and partner, for long report ranges: read-only."""

    list_display = ("month", "merchant", "mode", "program", "partner", "clicks", "bot_clicks")
    list_filter = ("mode",)
    raw_id_fields = ("merchant", "program", "partner")
