"""WSGI entry point (gunicorn selgeo.wsgi)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "selgeo.settings")
application = get_wsgi_application()
