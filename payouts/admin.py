"""Staff admin for payouts: everything read-only, secrets only masked, big tables never counted.

Staff may see that a partner has an account or a signed form, and where (masked) the
money goes; never an IBAN, tax id, signature or the form's personal fields. Runs, payouts
and their claims are money rows: their status changes only through `payouts.services`.
Changes to accounts go through the partner's own pages or API (the same validation).
"""

from __future__ import annotations

from django.contrib import admin

from payouts.encryption import mask
from payouts.forwarding.models import ForwardedPayment, PaymentForward, WatchCursor
from payouts.models import PayoutAccount, TaxProfile
from payouts.run_models import (
    Payout,
    PayoutAdjustment,
    PayoutCommission,
    PayoutRun,
    PayoutSettings,
)
from payouts.selectors import describe
from selgeo.admin_tools import BoundedTextAdmin, ReadOnlyMoneyAdmin


class _ReadOnlyAdmin(ReadOnlyMoneyAdmin):
    pass


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


@admin.register(PayoutRun)
class PayoutRunAdmin(_ReadOnlyAdmin):
    list_display = ("id", "merchant", "mode", "status", "partners_total", "created_at")
    list_filter = ("mode", "status")
    search_fields = ("=id",)
    exclude = ("targets",)


@admin.register(Payout)
class PayoutAdmin(_ReadOnlyAdmin):
    list_display = (
        "id",
        "merchant",
        "mode",
        "partner",
        "amount_cents",
        "currency",
        "rail",
        "status",
        "created_at",
    )
    list_filter = ("mode", "status", "rail")
    search_fields = ("=id", "=reference")
    raw_id_fields = ("run", "merchant", "partner", "payout_account")


@admin.register(PayoutCommission)
class PayoutCommissionAdmin(_ReadOnlyAdmin):
    list_display = ("id", "payout", "commission", "amount_cents", "live")
    list_filter = ("live",)
    search_fields = ("=payout__id", "=commission__id")
    raw_id_fields = ("payout", "commission")


@admin.register(PayoutAdjustment)
class PayoutAdjustmentAdmin(_ReadOnlyAdmin):
    list_display = ("id", "payout", "adjustment", "amount_cents", "live")
    list_filter = ("live",)
    search_fields = ("=payout__id", "=adjustment__id")
    raw_id_fields = ("payout", "adjustment")


@admin.register(PayoutSettings)
class PayoutSettingsAdmin(BoundedTextAdmin):
    list_display = ("merchant", "mode", "schedule", "schedule_day", "tax_details_required")
    list_filter = ("mode", "schedule")
    raw_id_fields = ("merchant",)
    # The debtor IBAN stays out of the admin, like every other account number.
    exclude = ("sepa_debtor_iban",)


# Payment forwarding: the node's record, read-only. A send changes only through the
# watcher (`payouts.forwarding.services`), which labels it before the node is asked.
@admin.register(PaymentForward)
class PaymentForwardAdmin(_ReadOnlyAdmin):
    list_display = ("id", "merchant", "mode", "payment_address", "partner", "created_at")
    list_filter = ("mode",)
    search_fields = ("=id", "payment_address", "address", "merchant__name")
    raw_id_fields = ("merchant", "partner", "webhook_endpoint")


@admin.register(ForwardedPayment)
class ForwardedPaymentAdmin(_ReadOnlyAdmin):
    list_display = ("txid", "forward", "amount_sats", "confirmations", "status", "forward_txid")
    list_filter = ("status",)
    search_fields = ("=txid", "=forward_txid", "label")
    raw_id_fields = ("forward",)


@admin.register(WatchCursor)
class WatchCursorAdmin(_ReadOnlyAdmin):
    list_display = ("mode", "block_hash", "updated_at")
