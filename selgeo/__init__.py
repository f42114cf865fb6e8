"""Selgeo: a self-hostable affiliate and partner platform."""

from selgeo.celery import app as celery_app

__all__ = ["celery_app"]
