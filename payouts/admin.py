"""Staff admin for payout accounts and tax profiles: read-only, secrets only masked.

Staff may see that a partner has an account or a signed form, and where (masked) the
money goes; never an IBAN, tax id, signature or the form's personal fields. Changes go
through the partner's own pages or API (the same validation), so the admin adds,
edits and deletes nothing.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from payouts.encryption import mask
from payouts.models import PayoutAccount, TaxProfile
from payouts.selectors import describe


class _ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(PayoutAccount)
class PayoutAccountAdmin(_ReadOnlyAdmin):
    list_display = ("partner", "method", "destination", "is_active", "created_at")
    list_filter = ("method", "is_active")
    search_fields = ("partner__display_name", "iban_last4")
    raw_id_fields = ("partner",)
    fields = (
        "partner",
        "method",
        "destination",
        "account_holder",
        "bic",
        "is_active",
        "created_at",
        "deactivated_at",
    )
    readonly_fields = fields

    @admin.display(description="Destination")
    def destination(self, obj: PayoutAccount) -> str:
        return describe(obj)


@admin.register(TaxProfile)
class TaxProfileAdmin(_ReadOnlyAdmin):
    list_display = ("partner", "legal_name", "country", "form", "masked_tax_id", "signed_at")
    list_filter = ("form", "entity_type", "country")
    search_fields = ("partner__display_name", "legal_name", "tax_id_last4")
    raw_id_fields = ("partner",)
    fields = (
        "partner",
        "legal_name",
        "country",
        "entity_type",
        "tax_id_kind",
        "masked_tax_id",
        "form",
        "masked_signature",
        "signed_at",
        "updated_at",
    )
    readonly_fields = fields

    @admin.display(description="Tax id")
    def masked_tax_id(self, obj: TaxProfile) -> str:
        return mask(obj.tax_id)

    @admin.display(description="Signature")
    def masked_signature(self, obj: TaxProfile) -> str:
        return mask(obj.signature)
