"""GET /health: process liveness plus database and cache reachability, how fresh the
exchange rates are (informational: stale rates never make the answer 503), and the
webhook backlog (back-pressure: past SELGEO_WEBHOOKS_BACKLOG_THRESHOLD due deliveries the
answer is "degraded", still 200, and the log says so)."""

from __future__ import annotations

import logging
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


logger = logging.getLogger("selgeo.health")
# A degraded backlog is logged at most this often per process (load balancers poll).
BACKLOG_LOG_SECONDS = 60.0
_backlog_logged_at = -BACKLOG_LOG_SECONDS


def _check_webhooks() -> str:
    """ "ok", or "degraded: N deliveries due (threshold T)" once more than the threshold
    wait to be sent (workers are not keeping up, or none runs). The count stops at ten
    times the threshold ("more than ..."), so a huge backlog costs /health little."""
    global _backlog_logged_at
    from webhooks.selectors import deliveries_backlog

    threshold = int(settings.SELGEO_WEBHOOKS_BACKLOG_THRESHOLD)
    ceiling = threshold * 10
    try:
        backlog = deliveries_backlog(limit=ceiling + 1)
    except Exception as exc:  # the database check reports the cause
        return f"error: {type(exc).__name__}"
    if backlog <= threshold:
        return "ok"
    count = f"more than {ceiling}" if backlog > ceiling else str(backlog)
    now = time.monotonic()
    if now - _backlog_logged_at >= BACKLOG_LOG_SECONDS:
        _backlog_logged_at = now
        logger.warning(
            "Webhook backlog: %s deliveries are due and not yet sent (threshold %d); "
            "the workers are not keeping up, or none is running",
            count,
            threshold,
        )
    return f"degraded: {count} deliveries due (threshold {threshold})"


# Checks that describe rather than decide: they never turn the answer into a 503.
INFORMATIONAL = frozenset({"fx", "webhooks"})
# Checks whose trouble makes the answer "degraded" (200): the service works, late.
DEGRADING = frozenset({"webhooks"})


# Exempt from CSRF so that another method than GET is the 405 envelope, not a CSRF page.
@csrf_exempt
def health(request: HttpRequest) -> JsonResponse:
    if request.method not in ("GET", "HEAD"):
        return method_not_allowed(request, ("GET", "HEAD"))
    checks = {"database": _check_database(), "cache": _check_cache()}
    database_up = checks["database"] == "ok"
    checks["fx"] = _check_fx() if database_up else "unknown: database down"
    checks["webhooks"] = _check_webhooks() if database_up else "unknown: database down"
    timestamp = int(time.time() * 1000)
    failed = sorted(
        name for name, value in checks.items() if value != "ok" and name not in INFORMATIONAL
    )
    if not failed:
        degraded = sorted(name for name in DEGRADING if checks[name] != "ok")
        if degraded:
            return JsonResponse(
                {
                    "status": "degraded",
                    "timestamp": timestamp,
                    "checks": checks,
                    "degraded": degraded,
                }
            )
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
