"""URL map: the JSON API under /api/v1/ (and /v1/ for tracking), pages elsewhere."""

from django.contrib import admin
from django.urls import include, path, re_path
from drf_spectacular.views import SpectacularJSONAPIView

import selgeo.api.schema  # noqa: F401  (registers the OpenAPI auth extensions)
from accounts.urls import api_urlpatterns as accounts_api
from compat.affspace.urls import dialect_urlpatterns as affspace_dialect
from compat.affspace.urls import urlpatterns as affspace_postback
from conversions.urls import api_urlpatterns as conversions_api
from dashboard.urls import urlpatterns as dashboard_pages
from dynamic_delivery.urls import api_urlpatterns as dynamic_delivery_api
from fx.urls import api_urlpatterns as fx_api
from partners.urls import api_urlpatterns as partners_api
from payouts.urls import api_urlpatterns as payouts_api
from products.urls import api_urlpatterns as products_api
from selgeo.api.docs import DocsView
from selgeo.api.errors import api_route_not_found
from selgeo.health import Ping, health
from stats.urls import api_urlpatterns as stats_api
from tracking.urls import api_urlpatterns as tracking_api
from tracking.urls import urlpatterns as tracking_public
from webhooks.urls import api_urlpatterns as webhooks_api

handler400 = "selgeo.api.errors.handler400"
handler403 = "selgeo.api.errors.handler403"
handler404 = "selgeo.api.errors.handler404"
handler500 = "selgeo.api.errors.handler500"

# Django tries the patterns in order, and each miss costs: the conversion API, the
# busiest, is tried first.
api_v1 = [
    path("ping", Ping.as_view(), name="ping"),
    *conversions_api,
    path("openapi.json", SpectacularJSONAPIView.as_view(), name="openapi"),
    path("docs", DocsView.as_view(url_name="openapi"), name="api-docs"),
    *accounts_api,
    *stats_api,
    *partners_api,
    *dynamic_delivery_api,
    *payouts_api,
    *webhooks_api,
    *fx_api,
    *products_api,
]

urlpatterns = [
    path("v1/", include(tracking_api)),
    path("api/v1/", include(api_v1)),
    path("health", health, name="health"),
    # The AffSpace vendor dialect: its legacy postback, and its API under a base URL.
    *affspace_postback,
    path("compat/affspace/", include(affspace_dialect)),
    path("admin/", admin.site.urls),
    path("compat/selly/", include("compat.selly.urls")),
    *tracking_public,
    *dashboard_pages,
    # Last: any other /api/ or /v1/ path is the envelope's 404, whatever DEBUG says.
    re_path(r"^(?:api|v1)/", api_route_not_found),
]
