"""Routes of the products API, mounted under /api/v1/ by selgeo/urls.py."""

from rest_framework.routers import SimpleRouter

from products import api

router = SimpleRouter(trailing_slash=False)
router.register("products", api.ProductViewSet, basename="product")

api_urlpatterns = [*router.urls]
