"""The dynamic delivery section of a program's page, and the notice of disabled URLs."""

from __future__ import annotations

from typing import Any

from django import template

from dynamic_delivery import selectors
from partners.models import Program

register = template.Library()


@register.inclusion_tag("dashboard/_dynamic_url_notice.html", takes_context=True)
def dynamic_url_notice(context: template.Context, program: Program) -> dict[str, Any]:
    membership = context.get("current_membership")
    return {
        "program": program,
        "dynamic": selectors.dynamic_url_of(program=program),
        "can_manage": membership is not None and membership.role in ("owner", "admin"),
    }


@register.inclusion_tag("dashboard/_dynamic_url_alerts.html", takes_context=True)
def dynamic_url_alerts(context: template.Context) -> dict[str, Any]:
    merchant, mode = context.get("current_merchant"), context.get("current_mode")
    if merchant is None or mode is None:
        return {"alerts": []}
    return {"alerts": list(selectors.disabled_urls(merchant=merchant, mode=mode))}


@register.inclusion_tag("portal/_delivery_text.html", takes_context=True)
def partner_delivery_text(context: template.Context, program: Program) -> dict[str, Any]:
    """The text the program's dynamic URL made for the signed-in partner, if any."""
    partner = context.get("current_partner")
    text = None
    if partner is not None:
        text = selectors.delivered_text(partner=partner, program=program)
    return {"program": program, "text": text}
