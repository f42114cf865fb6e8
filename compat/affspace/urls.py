"""The dialect's routes: `/pb` at the root, and the vendor document under
`/compat/affspace/` (so that its base URL is the only change a vendor makes)."""

from django.urls import path, re_path

from compat.affspace import account_views, views
from compat.affspace.errors import route_not_found

# Under /compat/affspace/.
dialect_urlpatterns = [
    path("pb", views.PostbackAliasView.as_view(), name="affspace-pb-compat"),
    path("health", account_views.HealthView.as_view(), name="affspace-health"),
    path("api/v1/conversions", views.ConversionsView.as_view(), name="affspace-conversions"),
    path(
        "api/v1/conversions/<str:conversion_id>",
        views.ConversionDetailView.as_view(),
        name="affspace-conversion",
    ),
    path("api/v1/stats", views.StatsView.as_view(), name="affspace-stats"),
    path("api/v1/offers", account_views.OffersView.as_view(), name="affspace-offers"),
    path(
        "api/v1/offers/<str:code>", account_views.OfferDetailView.as_view(), name="affspace-offer"
    ),
    path("api/v1/profile", account_views.ProfileView.as_view(), name="affspace-profile"),
    path(
        "api/v1/test-sessions",
        account_views.TestSessionsView.as_view(),
        name="affspace-test-sessions",
    ),
    path(
        "api/v1/test-sessions/<str:token>",
        account_views.TestSessionDetailView.as_view(),
        name="affspace-test-session",
    ),
    # Last: any other path under the base URL is the dialect's 404.
    re_path(r"^(?P<rest>.*)$", route_not_found),
]

# At the root.
urlpatterns = [path("pb", views.PostbackView.as_view(), name="affspace-pb")]
