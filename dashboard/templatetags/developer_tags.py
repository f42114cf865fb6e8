"""Template helpers of the Developers pages: the banner for endpoints Selgeo disabled."""

from __future__ import annotations

from typing import Any

from django import template

from accounts.models import Mode, Role
from webhooks import selectors

register = template.Library()

# More would not help the merchant act; the endpoints page lists them all.
BANNER_ROWS = 10


@register.inclusion_tag("dashboard/_webhook_alerts.html", takes_context=True)
def webhook_alerts(context: template.Context) -> dict[str, Any]:
    """Endpoints disabled by failures (or a 410), in the merchant's current mode."""
    merchant = context.get("current_merchant")
    membership = context.get("current_membership")
    if merchant is None or membership is None:
        return {"alerts": []}
    mode = str(context.get("current_mode") or Mode.LIVE)
    alerts = selectors.endpoint_alerts(merchant=merchant, mode=mode)
    return {
        "alerts": list(alerts[:BANNER_ROWS]),
        "mode": mode,
        "can_manage": membership.role in (Role.OWNER, Role.ADMIN),
    }
