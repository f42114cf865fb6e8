"""Staff admin for programs, applications and codes."""

from __future__ import annotations

from django.contrib import admin

from partners.models import Application, Program, PromoCode, ReferralCode


@admin.register(Program)
class ProgramAdmin(admin.ModelAdmin):
    list_display = ("name", "code", "merchant", "mode", "status", "commission_type", "currency")
    list_filter = ("mode", "status", "commission_type", "currency", "is_public")
    search_fields = ("name", "code", "merchant__name")
    raw_id_fields = ("merchant",)


@admin.register(Application)
class ApplicationAdmin(admin.ModelAdmin):
    list_display = ("partner", "program", "mode", "status", "invited", "created_at")
    list_filter = ("mode", "status", "invited")
    search_fields = ("partner__display_name", "program__name", "program__code")
    raw_id_fields = ("merchant", "program", "partner")


@admin.register(ReferralCode)
class ReferralCodeAdmin(admin.ModelAdmin):
    list_display = ("code", "partner", "program", "mode", "is_default", "disabled_at")
    list_filter = ("mode", "is_default")
    search_fields = ("code", "partner__display_name", "program__code")
    raw_id_fields = ("merchant", "program", "partner")


@admin.register(PromoCode)
class PromoCodeAdmin(admin.ModelAdmin):
    list_display = ("code", "partner", "program", "mode", "disabled_at")
    list_filter = ("mode",)
    search_fields = ("code", "partner__display_name", "program__code")
    raw_id_fields = ("merchant", "program", "partner")
