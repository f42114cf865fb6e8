import os
import sys

from django.apps import AppConfig


class SelgeoConfig(AppConfig):
    name = "selgeo"
    verbose_name = "Selgeo"

    def ready(self) -> None:
        # Registers Selgeo's deployment checks.
        from selgeo import checks  # noqa: F401
        from selgeo.scheduler import start_if_serving

        # `runserver` embedded runs the beat schedule in its serving process.
        start_if_serving(sys.argv, os.environ)
