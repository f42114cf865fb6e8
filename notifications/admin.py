"""Staff admin for notifications: what was sent and who switched what off, read-only
(each recipient keeps its own switches on its preferences page)."""

from __future__ import annotations

from django.contrib import admin

from notifications.models import MemberOptOut, PartnerOptOut, SentNotification
from selgeo.admin_tools import ReadOnlyMoneyAdmin


@admin.register(SentNotification)
class SentNotificationAdmin(ReadOnlyMoneyAdmin):
    list_display = ("kind", "subject_key", "user", "sent_at")
    list_filter = ("kind",)
    search_fields = ("subject_key", "user__email")
    raw_id_fields = ("user",)


@admin.register(MemberOptOut)
class MemberOptOutAdmin(ReadOnlyMoneyAdmin):
    list_display = ("membership", "kind")
    list_filter = ("kind",)


@admin.register(PartnerOptOut)
class PartnerOptOutAdmin(ReadOnlyMoneyAdmin):
    list_display = ("partner", "kind")
    list_filter = ("kind",)
