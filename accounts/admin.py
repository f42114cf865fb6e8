"""Staff admin for accounts. Key digests and secrets are never displayed."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.contrib.auth.forms import AdminPasswordChangeForm, AdminUserCreationForm
from django.core.validators import MaxLengthValidator
from django.forms import BaseForm
from django.http import HttpRequest

from accounts import services
from accounts.models import ApiKey, Membership, Merchant, Partner, User


def _bound_passwords(form: BaseForm) -> None:
    """Django's password inputs have no maximum; Selgeo's everywhere else have this one."""
    for name in ("password1", "password2"):
        field = form.fields.get(name)
        if field is not None:
            field.max_length = services.PASSWORD_MAX  # type: ignore[attr-defined]
            field.validators.append(MaxLengthValidator(services.PASSWORD_MAX))
            field.widget.attrs["maxlength"] = str(services.PASSWORD_MAX)


class UserCreationForm(AdminUserCreationForm):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _bound_passwords(self)


class PasswordChangeForm(AdminPasswordChangeForm):
    """Staff setting a password go through the service, which revokes the user's tokens."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _bound_passwords(self)

    def save(self, commit: bool = True) -> Any:
        user = super().save(commit=False)
        if commit:
            user.save(update_fields=["password"])
            services.user_tokens_revoke(user=user)
        return user


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    change_password_form = PasswordChangeForm
    add_form = UserCreationForm
    ordering = ("email",)
    list_display = ("email", "full_name", "is_staff", "is_active", "date_joined")
    list_filter = ("is_staff", "is_superuser", "is_active")
    search_fields = ("email", "full_name")
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        ("Profile", {"fields": ("full_name",)}),
        (
            "Permissions",
            {"fields": ("is_active", "is_staff", "is_superuser", "groups", "user_permissions")},
        ),
        ("Dates", {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = ((None, {"classes": ("wide",), "fields": ("email", "password1", "password2")}),)

    def save_model(self, request: HttpRequest, obj: User, form: Any, change: bool) -> None:
        super().save_model(request, obj, form, change)
        if change and "is_active" in form.changed_data:
            # Disabled or enabled again, the login starts over without its old tokens.
            services.user_tokens_revoke(user=obj)


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    raw_id_fields = ("user",)


@admin.register(Merchant)
class MerchantAdmin(admin.ModelAdmin):
    list_display = ("name", "slug", "website", "created_at")
    search_fields = ("name", "slug", "website")
    list_filter = ("created_at",)
    inlines = [MembershipInline]


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ("user", "merchant", "role", "created_at")
    list_filter = ("role",)
    search_fields = ("user__email", "merchant__name")
    raw_id_fields = ("user", "merchant")


@admin.register(Partner)
class PartnerAdmin(admin.ModelAdmin):
    list_display = ("display_name", "country", "created_at", "erased_at")
    list_filter = ("country", "erased_at")
    search_fields = ("display_name", "website", "user__email")
    raw_id_fields = ("user",)
    actions = ["erase_partners"]

    @admin.action(description="Erase selected partners (GDPR): personal data is anonymised")
    def erase_partners(self, request: HttpRequest, queryset: object) -> None:
        from partners.errors import ParticipantErased
        from partners.services import partner_erase

        erased = 0
        for partner in queryset:  # type: ignore[attr-defined]
            try:
                partner_erase(partner=partner)
            except ParticipantErased:
                continue
            erased += 1
        self.message_user(request, f"{erased} partner(s) erased.")


@admin.register(ApiKey)
class ApiKeyAdmin(admin.ModelAdmin):
    list_display = ("redacted", "merchant", "kind", "mode", "name", "created_at", "revoked_at")
    list_filter = ("kind", "mode", "revoked_at")
    search_fields = ("prefix", "merchant__name", "name")
    raw_id_fields = ("merchant", "rolled_from")
    readonly_fields = ("prefix", "last4", "kind", "mode", "created_at", "last_used_at")
    exclude = ("secret_hash", "public_value")
    actions = ["revoke_keys"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        # Keys are issued by the dashboard or API, where the secret can be shown once.
        return False

    @admin.action(description="Revoke selected keys")
    def revoke_keys(self, request: HttpRequest, queryset: object) -> None:
        for key in queryset:  # type: ignore[attr-defined]
            services.api_key_revoke(api_key=key)
