"""GET /health: process liveness plus database and cache reachability, and how fresh
the exchange rates are (informational: stale rates never make the answer 503)."""

from __future__ import annotations

import time

from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.http import HttpRequest, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response

from selgeo.api.errors import method_not_allowed
from selgeo.api.views import APIView


def _check_database() -> str:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as exc:  # any driver error means "down" for the health check
        return f"error: {type(exc).__name__}"
    return "ok"


def _check_cache() -> str:
    try:
        cache.set("selgeo:health", "1", timeout=5)
        if cache.get("selgeo:health") != "1":
            return "error: cache did not return the value written"
    except Exception as exc:  # any client error means "down" for the health check
        return f"error: {type(exc).__name__}"
    return "ok"


def _check_fx() -> str:
    """ "ok", or "stale: ..." with the rates' date and source once no fetch has confirmed
    them for SELGEO_FX_STALE_AFTER seconds. Conversions go on with the newest rates."""
    from fx.selectors import rates_freshness

    try:
        freshness = rates_freshness(stale_after_seconds=settings.SELGEO_FX_STALE_AFTER)
    except Exception as exc:  # the database check reports the cause
        return f"error: {type(exc).__name__}"
    if freshness is None:
        return "stale: no exchange rates stored yet (the shipped snapshot loads on first use)"
    if not freshness.stale:
        return "ok"
    return (
        f"stale: {freshness.source} rates as of {freshness.as_of.isoformat()}, "
        f"last confirmed {freshness.confirmed_at.isoformat()}"
    )


# Checks that describe rather than decide: they never turn the answer into a 503.
INFORMATIONAL = frozenset({"fx"})


# Exempt from CSRF so that another method than GET is the 405 envelope, not a CSRF page.
@csrf_exempt
def health(request: HttpRequest) -> JsonResponse:
    if request.method not in ("GET", "HEAD"):
        return method_not_allowed(request, ("GET", "HEAD"))
    checks = {"database": _check_database(), "cache": _check_cache()}
    checks["fx"] = _check_fx() if checks["database"] == "ok" else "unknown: database down"
    timestamp = int(time.time() * 1000)
    failed = sorted(
        name for name, value in checks.items() if value != "ok" and name not in INFORMATIONAL
    )
    if not failed:
        return JsonResponse({"status": "ok", "timestamp": timestamp, "checks": checks})
    return JsonResponse(
        {"status": "error", "timestamp": timestamp, "checks": checks, "failed": failed},
        status=503,
    )


class Ping(APIView):
    """GET /api/v1/ping: the cheapest answer through the full API stack.

    It touches neither the database nor the cache, so the benchmark can compare every
    hot path with the framework's own floor under the same server configuration.
    """

    authentication_classes: list[type] = []
    permission_classes = [AllowAny]

    @extend_schema(
        responses={200: inline_serializer("Pong", {"pong": serializers.BooleanField()})},
        summary="No-op: answers without touching the database or cache",
    )
    def get(self, request: Request) -> Response:
        return Response({"pong": True})
