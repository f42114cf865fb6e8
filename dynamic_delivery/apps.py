from django.apps import AppConfig


class DynamicDeliveryConfig(AppConfig):
    name = "dynamic_delivery"
    verbose_name = "Dynamic delivery"
