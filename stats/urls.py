"""Stats routes: the merchant's and the partner's."""

from django.urls import path

from stats import api

api_urlpatterns = [
    path("stats", api.StatsView.as_view(), name="stats"),
    path("partner/stats", api.PartnerStatsView.as_view(), name="partner-stats"),
]
