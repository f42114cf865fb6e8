"""Base classes for every Selgeo API view: rate-limit zones and key-aware errors.

DRF authenticates before it throttles, so a request with a bad key would never be
counted. These bases count inside `perform_authentication`: a failed authentication
is counted in the general IP zone before its error is raised; a successful one is
counted in the view's zone (per key for key zones, per IP otherwise).
"""

from __future__ import annotations

from rest_framework import generics, mixins, viewsets
from rest_framework import views as drf_views
from rest_framework.exceptions import APIException
from rest_framework.request import Request

from selgeo.api import ratelimit
from selgeo.api.authentication import KeyPrincipal
from selgeo.api.errors import ApiError, Unauthorized


class RateLimitedMixin:
    rate_zone = "general"
    # The error for missing or invalid credentials on this endpoint (the reference
    # names a different code for the tracking, conversion and audit endpoints).
    missing_credentials_error: type[ApiError] = Unauthorized

    def perform_authentication(self, request: Request) -> None:
        try:
            user = request.user
        except (ApiError, APIException):
            ratelimit.enforce(request, zone="general")
            raise
        zone = ratelimit.ZONES[self.rate_zone]
        if zone.per_key:
            if isinstance(user, KeyPrincipal):
                ratelimit.enforce(request, zone=self.rate_zone, key=str(user.api_key.pk))
            else:
                ratelimit.enforce(request, zone="general")
        else:
            ratelimit.enforce(request, zone=self.rate_zone)


class APIView(RateLimitedMixin, drf_views.APIView):
    pass


class GenericAPIView(RateLimitedMixin, generics.GenericAPIView):
    pass


class ViewSet(RateLimitedMixin, viewsets.ViewSet):
    pass


class GenericViewSet(RateLimitedMixin, viewsets.GenericViewSet):
    pass


class ReadOnlyModelViewSet(
    RateLimitedMixin,
    mixins.RetrieveModelMixin,
    mixins.ListModelMixin,
    viewsets.GenericViewSet,
):
    pass
