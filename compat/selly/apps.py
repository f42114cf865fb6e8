from django.apps import AppConfig


class SellyConfig(AppConfig):
    name = "compat.selly"
    label = "selly"
    verbose_name = "Commerce platform dialect"
