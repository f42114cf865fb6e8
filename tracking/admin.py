"""Staff admin for clicks: a huge table, so the admin never counts it."""

from __future__ import annotations

from django.contrib import admin
from django.core.paginator import Paginator
from django.utils.functional import cached_property

from tracking.models import Click


class NoCountPaginator(Paginator):
    @cached_property
    def count(self) -> int:
        # COUNT(*) over millions of clicks would take seconds on every page view.
        return 10**9


@admin.register(Click)
class ClickAdmin(admin.ModelAdmin):
    list_display = ("id", "merchant", "mode", "program", "partner", "is_bot", "created_at")
    list_filter = ("mode", "is_bot", "source")
    search_fields = ("=id",)
    raw_id_fields = ("merchant", "program", "partner", "referral_code")
    show_full_result_count = False
    paginator = NoCountPaginator
    date_hierarchy = None
    readonly_fields = ("ip_hash",)
