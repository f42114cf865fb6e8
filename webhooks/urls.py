"""Webhook routes under /api/v1/webhooks/."""

from django.urls import path
from rest_framework.routers import SimpleRouter

from webhooks import api

router = SimpleRouter(trailing_slash=False)
router.register("webhooks/endpoints", api.EndpointViewSet, basename="webhook-endpoint")
router.register("webhooks/events", api.EventViewSet, basename="webhook-event")
router.register("webhooks/deliveries", api.DeliveryViewSet, basename="webhook-delivery")

api_urlpatterns = [
    path("webhooks/event-types", api.EventTypesView.as_view(), name="webhook-event-types"),
    *router.urls,
]
urlpatterns: list = []
