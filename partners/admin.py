"""Staff admin for programs, applications and codes.

Statuses change only through actions that call the same services as the API, so the
admin cannot skip the status machines, the partner-erasure check or the events.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, ClassVar

from django.contrib import admin, messages
from django.db import models
from django.db.models import QuerySet
from django.http import HttpRequest

from partners import rules, services
from partners.models import Application, Invitation, Program, PromoCode, ReferralCode
from selgeo.admin_tools import BoundedTextAdmin
from selgeo.api.errors import ApiError


def _run_each(
    modeladmin: admin.ModelAdmin, request: HttpRequest, queryset: QuerySet[Any], call: Callable
) -> None:
    done = 0
    for obj in queryset:
        try:
            call(obj)
        except ApiError as exc:
            modeladmin.message_user(request, f"{obj}: {exc.message}", level=messages.ERROR)
        else:
            done += 1
    if done:
        modeladmin.message_user(request, f"{done} updated", level=messages.SUCCESS)


@admin.register(Program)
class ProgramAdmin(BoundedTextAdmin):
    text_max: ClassVar[dict[str, int]] = {
        "description": rules.DESCRIPTION_MAX,
        "terms": rules.TERMS_MAX,
    }
    list_display = ("name", "code", "merchant", "mode", "status", "commission_type", "currency")
    list_filter = ("mode", "status", "commission_type", "currency", "is_public")
    search_fields = ("name", "code", "merchant__name", "merchant__slug")
    raw_id_fields = ("merchant",)
    list_select_related = ("merchant",)
    readonly_fields = ("status", "created_at", "updated_at")
    date_hierarchy = "created_at"
    actions = ["publish", "pause", "archive"]
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}

    @admin.action(description="Publish (or resume) selected programs")
    def publish(self, request: HttpRequest, queryset: QuerySet[Program]) -> None:
        _run_each(self, request, queryset, lambda p: services.program_publish(program=p))

    @admin.action(description="Pause selected programs")
    def pause(self, request: HttpRequest, queryset: QuerySet[Program]) -> None:
        _run_each(self, request, queryset, lambda p: services.program_pause(program=p))

    @admin.action(description="Archive selected programs (final)")
    def archive(self, request: HttpRequest, queryset: QuerySet[Program]) -> None:
        _run_each(self, request, queryset, lambda p: services.program_archive(program=p))


@admin.register(Application)
class ApplicationAdmin(BoundedTextAdmin):
    text_max: ClassVar[dict[str, int]] = {
        "message": rules.MESSAGE_MAX,
        "decision_message": rules.MESSAGE_MAX,
    }
    list_display = ("partner", "program", "mode", "status", "invited", "created_at")
    list_filter = ("mode", "status", "invited")
    search_fields = ("partner__display_name", "program__name", "program__code", "merchant__name")
    raw_id_fields = ("merchant", "program", "partner")
    list_select_related = ("partner", "program")
    readonly_fields = ("status", "invited", "decided_at", "created_at")
    date_hierarchy = "created_at"
    actions = ["approve", "reject"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        # Partners apply or accept invitations; an application made here would skip both.
        return False

    @admin.action(description="Approve selected applications")
    def approve(self, request: HttpRequest, queryset: QuerySet[Application]) -> None:
        _run_each(self, request, queryset, lambda a: services.application_approve(application=a))

    @admin.action(description="Reject selected applications")
    def reject(self, request: HttpRequest, queryset: QuerySet[Application]) -> None:
        _run_each(self, request, queryset, lambda a: services.application_reject(application=a))


@admin.register(ReferralCode)
class ReferralCodeAdmin(admin.ModelAdmin):
    list_display = ("code", "partner", "program", "mode", "is_default", "disabled_at")
    list_filter = ("mode", "is_default", ("disabled_at", admin.EmptyFieldListFilter))
    search_fields = ("code", "partner__display_name", "program__code", "merchant__name")
    raw_id_fields = ("merchant", "program", "partner")
    list_select_related = ("partner", "program")
    readonly_fields = ("code", "merchant", "mode", "program", "partner", "is_default", "created_at")
    actions = ["disable"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    @admin.action(description="Disable selected referral codes")
    def disable(self, request: HttpRequest, queryset: QuerySet[ReferralCode]) -> None:
        _run_each(
            self, request, queryset, lambda c: services.referral_code_disable(referral_code=c)
        )


@admin.register(PromoCode)
class PromoCodeAdmin(admin.ModelAdmin):
    list_display = ("code", "partner", "program", "mode", "disabled_at")
    list_filter = ("mode", ("disabled_at", admin.EmptyFieldListFilter))
    search_fields = ("code", "partner__display_name", "program__code", "merchant__name")
    raw_id_fields = ("merchant", "program", "partner")
    list_select_related = ("partner", "program")
    readonly_fields = ("code", "merchant", "mode", "program", "partner", "created_at")
    actions = ["disable"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    @admin.action(description="Disable selected promo codes")
    def disable(self, request: HttpRequest, queryset: QuerySet[PromoCode]) -> None:
        _run_each(self, request, queryset, lambda c: services.promo_code_disable(promo_code=c))


@admin.register(Invitation)
class InvitationAdmin(BoundedTextAdmin):
    """Read-only: merchants invite and partners answer; staff may revoke."""

    list_display = ("email", "program", "mode", "status", "created_at", "answered_at")
    list_filter = ("mode", "status")
    search_fields = ("email", "program__code", "merchant__name")
    raw_id_fields = ("merchant", "program", "partner", "application")
    list_select_related = ("program",)
    readonly_fields = (
        "merchant",
        "mode",
        "program",
        "email",
        "message",
        "status",
        "partner",
        "application",
        "created_at",
        "answered_at",
    )
    exclude = ("token_digest",)
    actions = ["revoke"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    @admin.action(description="Revoke selected open invitations")
    def revoke(self, request: HttpRequest, queryset: QuerySet[Invitation]) -> None:
        _run_each(self, request, queryset, lambda i: services.invitation_revoke(invitation=i))


# Commission terms have their own (read-only) admin module.
from partners import terms_admin  # noqa: E402, F401
