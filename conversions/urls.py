"""Conversion API, attribution audit, test sessions and commission routes."""

from django.urls import path
from rest_framework.routers import SimpleRouter

from conversions import api, audit_api, commission_api

router = SimpleRouter(trailing_slash=False)
router.register("conversions", api.ConversionViewSet, basename="conversion")
router.register("commissions", commission_api.CommissionViewSet, basename="commission")
router.register(
    "partner/commissions", commission_api.PartnerCommissionViewSet, basename="partner-commission"
)

api_urlpatterns = [
    *router.urls,
    path(
        "attribution/clicks/<str:click_id>",
        audit_api.ClickAuditView.as_view(),
        name="attribution-click",
    ),
    path(
        "attribution/conversions/<str:conversion_id>",
        audit_api.ConversionAuditView.as_view(),
        name="attribution-conversion",
    ),
    path("test-sessions", audit_api.TestSessionCreateView.as_view(), name="test-session-create"),
    path(
        "test-sessions/<str:token>",
        audit_api.TestSessionDetailView.as_view(),
        name="test-session-detail",
    ),
]
urlpatterns: list = []
