"""GET /api/v1/docs: Swagger UI over the OpenAPI document.

drf-spectacular's view renders every answer, errors included, with its HTML template;
another method than GET is the API's 405 envelope here, as on every /api/ path.
"""

from __future__ import annotations

from typing import Any

from drf_spectacular.views import SpectacularSwaggerView
from rest_framework.request import Request
from rest_framework.response import Response

from selgeo.api.errors import MethodNotAllowed, error_response
from selgeo.api.renderers import JSONRenderer


class DocsView(SpectacularSwaggerView):
    # DRF's stubs narrow Django's HttpRequest to Request here themselves (and ignore it).
    def http_method_not_allowed(  # type: ignore[override]
        self, request: Request, *args: Any, **kwargs: Any
    ) -> Response:
        renderer = JSONRenderer()
        request.accepted_renderer = renderer
        request.accepted_media_type = renderer.media_type
        return error_response(MethodNotAllowed(f'Method "{request.method}" not allowed'))
