from django.contrib import admin

from compat.selly.models import InboundDelivery, InboundEndpoint, OrderDetail
from selgeo.admin_tools import ReadOnlyMoneyAdmin


@admin.register(InboundDelivery)
class InboundDeliveryAdmin(admin.ModelAdmin):
    list_display = ("received_at", "merchant", "mode", "webhook_type", "order_id", "outcome")
    list_filter = ("mode", "outcome", "webhook_type")
    raw_id_fields = ("merchant", "conversion")
    show_full_result_count = False


@admin.register(InboundEndpoint)
class InboundEndpointAdmin(ReadOnlyMoneyAdmin):
    """The secret URL is the merchant's to rotate (Developers → Order webhooks)."""

    list_display = ("merchant", "mode", "created_at", "rotated_at")
    list_filter = ("mode",)
    raw_id_fields = ("merchant",)
    exclude = ("token",)


@admin.register(OrderDetail)
class OrderDetailAdmin(ReadOnlyMoneyAdmin):
    list_display = ("conversion", "product_id", "gateway", "status")
    raw_id_fields = ("conversion",)
