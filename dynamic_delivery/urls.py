"""Routes of the dynamic delivery API, mounted under /api/v1/ by selgeo/urls.py."""

from django.urls import path

from dynamic_delivery.api import DynamicUrlView

api_urlpatterns = [
    path(
        "programs/<str:program_id>/dynamic-url",
        DynamicUrlView.as_view(),
        name="program-dynamic-url",
    ),
]
