from django.apps import AppConfig


class SelgeoConfig(AppConfig):
    name = "selgeo"
    verbose_name = "Selgeo"

    def ready(self) -> None:
        # Registers Selgeo's deployment checks.
        from selgeo import checks  # noqa: F401
