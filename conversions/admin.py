"""Staff admin for conversions, commissions and adjustments: big tables, never fully
counted, and money rows, read-only here.

A status changes only through `conversions.services` (which keeps the history and emits
the events), by the actions below: reverse a conversion, approve a due commission.
Adjustments change only when a payout deducts them.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import Q, QuerySet
from django.http import HttpRequest

from accounts.models import Merchant, Mode
from conversions import services
from conversions.models import (
    Commission,
    CommissionAdjustment,
    Conversion,
    ReversalReason,
    TestSession,
)
from conversions.rollup_models import (
    CommissionDailyStat,
    CommissionMonthlyStat,
    ConversionDailyStat,
    ConversionMonthlyStat,
)
from selgeo.admin_tools import (
    BoundedTextAdmin,
    ReadOnlyMoneyAdmin,
    as_uuid,
    partner_ids_matching,
    run_each,
)

SEARCH_HELP = "Partner name, partner email, referral or promo code, transaction id, or an id"


def _transaction_q(term: str, prefix: str = "") -> Q:
    # The unique (merchant, mode, external_transaction_id) index serves this lookup when
    # its leading columns are given: every merchant's id (a small table, read first, so
    # the planner probes the index per merchant) and both modes.
    merchants = list(Merchant.objects.values_list("pk", flat=True))
    return Q(
        **{
            f"{prefix}merchant_id__in": merchants,
            f"{prefix}mode__in": Mode.values,
            f"{prefix}external_transaction_id": term,
        }
    )


def _search(queryset: QuerySet[Any], term: str, *, by_transaction: Q) -> QuerySet[Any]:
    term = term.strip()
    if not term:
        return queryset
    found = Q(partner_id__in=partner_ids_matching(term)) | by_transaction
    key = as_uuid(term)
    if key is not None:
        found |= Q(pk=key)
    return queryset.filter(found)


@admin.register(Conversion)
class ConversionAdmin(ReadOnlyMoneyAdmin):
    list_display = (
        "external_transaction_id",
        "merchant",
        "mode",
        "partner",
        "event_type",
        "attributed",
        "status",
        "amount_cents",
        "currency",
        "created_at",
    )
    list_filter = ("mode", "status", "attributed", "event_type")
    list_select_related = ("merchant", "partner")
    ordering = ("-created_at",)
    search_fields = ("external_transaction_id",)
    search_help_text = SEARCH_HELP
    raw_id_fields = ("merchant", "program", "partner", "click", "promo_code")
    actions = ["reverse_refund", "reverse_chargeback", "reverse_fraud"]

    def get_search_results(
        self, request: HttpRequest, queryset: QuerySet[Conversion], search_term: str
    ) -> tuple[QuerySet[Conversion], bool]:
        return _search(queryset, search_term, by_transaction=_transaction_q(search_term)), False

    def _reverse(self, request: HttpRequest, queryset: QuerySet[Conversion], reason: str) -> None:
        run_each(
            self,
            request,
            queryset,
            lambda c: services.conversion_reverse(
                merchant=c.merchant,
                mode=c.mode,
                conversion_id=c.pk,
                reason=reason,
                refuse_reversed=True,
            ),
            "reversed",
        )

    @admin.action(description="Reverse selected conversions (refund)")
    def reverse_refund(self, request: HttpRequest, queryset: QuerySet[Conversion]) -> None:
        self._reverse(request, queryset, ReversalReason.REFUND)

    @admin.action(description="Reverse selected conversions (chargeback)")
    def reverse_chargeback(self, request: HttpRequest, queryset: QuerySet[Conversion]) -> None:
        self._reverse(request, queryset, ReversalReason.CHARGEBACK)

    @admin.action(description="Reverse selected conversions (fraud)")
    def reverse_fraud(self, request: HttpRequest, queryset: QuerySet[Conversion]) -> None:
        self._reverse(request, queryset, ReversalReason.FRAUD)


@admin.register(Commission)
class CommissionAdmin(ReadOnlyMoneyAdmin):
    list_display = (
        "id",
        "merchant",
        "mode",
        "partner",
        "kind",
        "amount_cents",
        "currency",
        "status",
        "approve_after",
    )
    list_filter = ("mode", "status", "kind")
    list_select_related = ("merchant", "partner")
    ordering = ("-created_at",)
    search_fields = ("conversion__external_transaction_id",)
    search_help_text = SEARCH_HELP
    raw_id_fields = ("conversion", "merchant", "partner", "program")
    actions = ["approve_due"]

    def get_search_results(
        self, request: HttpRequest, queryset: QuerySet[Commission], search_term: str
    ) -> tuple[QuerySet[Commission], bool]:
        by_transaction = Q(
            conversion_id__in=Conversion.objects.filter(_transaction_q(search_term.strip())).values(
                "pk"
            )[:100]
        )
        return _search(queryset, search_term, by_transaction=by_transaction), False

    @admin.action(description="Approve selected commissions whose hold period is over")
    def approve_due(self, request: HttpRequest, queryset: QuerySet[Commission]) -> None:
        run_each(
            self,
            request,
            queryset,
            lambda c: services.commission_approve(commission_id=c.pk),
            "approved",
        )


@admin.register(CommissionAdjustment)
class CommissionAdjustmentAdmin(ReadOnlyMoneyAdmin):
    list_display = ("id", "merchant", "mode", "partner", "amount_cents", "currency", "status")
    list_filter = ("mode", "status", "reason")
    list_select_related = ("merchant", "partner")
    ordering = ("-created_at",)
    search_fields = ("commission__conversion__external_transaction_id",)
    search_help_text = SEARCH_HELP
    raw_id_fields = ("commission", "merchant", "partner")

    def get_search_results(
        self, request: HttpRequest, queryset: QuerySet[CommissionAdjustment], search_term: str
    ) -> tuple[QuerySet[CommissionAdjustment], bool]:
        by_transaction = Q(
            commission__conversion_id__in=Conversion.objects.filter(
                _transaction_q(search_term.strip())
            ).values("pk")[:100]
        )
        return _search(queryset, search_term, by_transaction=by_transaction), False


@admin.register(TestSession)
class TestSessionAdmin(BoundedTextAdmin):
    list_display = ("id", "merchant", "program", "created_at", "expires_at", "received_at")
    search_fields = ("=id",)
    raw_id_fields = ("merchant", "program", "click", "conversion")
    exclude = ("token_hash",)


@admin.register(ConversionDailyStat, CommissionDailyStat)
class SalesDailyStatAdmin(ReadOnlyMoneyAdmin):
    """Kept by the sales rollup (`conversions.rollups`) and the services that change a
    row's status: read-only."""

    list_display = ("day", "merchant", "mode", "status")
    list_filter = ("mode", "status")
    raw_id_fields = ("merchant",)


@admin.register(ConversionMonthlyStat, CommissionMonthlyStat)
class SalesMonthlyStatAdmin(ReadOnlyMoneyAdmin):
    """The same rollups by month, for long report ranges: read-only."""

    list_display = ("month", "merchant", "mode", "status")
    list_filter = ("mode", "status")
    raw_id_fields = ("merchant",)
