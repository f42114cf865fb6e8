"""Staff admin for payout accounts and tax profiles: read-only, secrets masked."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from payouts.encryption import mask
from payouts.models import PayoutAccount, TaxProfile


class _ReadOnly(admin.ModelAdmin):
    # Partners enter these themselves, validated by the payouts services; staff only look.
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(PayoutAccount)
class PayoutAccountAdmin(_ReadOnly):
    list_display = ("partner", "method", "masked_iban", "is_active", "created_at")
    list_filter = ("method", "is_active")
    raw_id_fields = ("partner",)
    exclude = ("iban",)

    @admin.display(description="IBAN")
    def masked_iban(self, obj: PayoutAccount) -> str:
        return mask(obj.iban_last4)


@admin.register(TaxProfile)
class TaxProfileAdmin(_ReadOnly):
    list_display = ("partner", "country", "entity_type", "form", "masked_tax_id", "signed_at")
    list_filter = ("form", "entity_type")
    raw_id_fields = ("partner",)
    exclude = ("tax_id", "form_fields", "signature")

    @admin.display(description="Tax id")
    def masked_tax_id(self, obj: TaxProfile) -> str:
        return mask(obj.tax_id_last4)
