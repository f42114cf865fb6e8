from django.contrib import admin

from compat.selly.models import InboundDelivery


@admin.register(InboundDelivery)
class InboundDeliveryAdmin(admin.ModelAdmin):
    list_display = ("received_at", "merchant", "mode", "webhook_type", "order_id", "outcome")
    list_filter = ("mode", "outcome", "webhook_type")
    raw_id_fields = ("merchant", "conversion")
    show_full_result_count = False
