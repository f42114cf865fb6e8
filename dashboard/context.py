"""Template context for every page: the signed-in user's merchant, mode and partner profile."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from dashboard.access import current_membership, current_mode, current_partner


def dashboard(request: HttpRequest) -> dict[str, Any]:
    if not getattr(request, "user", None) or not request.user.is_authenticated:
        return {}
    membership = getattr(request, "membership", None) or current_membership(request)
    return {
        "current_membership": membership,
        "current_merchant": membership.merchant if membership else None,
        "current_mode": getattr(request, "mode", None) or current_mode(request),
        "current_partner": getattr(request, "partner", None) or current_partner(request),
    }
