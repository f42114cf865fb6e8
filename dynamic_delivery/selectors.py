"""Reads for dynamic delivery: a program's URL and deliveries, a partner's delivered texts."""

from __future__ import annotations

import uuid
from typing import Any

from django.db.models import QuerySet

from accounts.models import Merchant, Partner
from dynamic_delivery.models import DeliveryStatus, DynamicDelivery, DynamicUrl
from partners.models import Program
from partners.selectors import programs_for


def program_of(*, merchant: Merchant, mode: str, program_id: Any) -> Program | None:
    """The merchant's program in this mode, or None (another's, another mode's, no UUID)."""
    try:
        pk = uuid.UUID(str(program_id))
    except ValueError:
        return None
    return programs_for(merchant=merchant, mode=mode).filter(pk=pk).first()


def dynamic_url_of(*, program: Program) -> DynamicUrl | None:
    return DynamicUrl.objects.filter(program=program).first()


def deliveries_of_program(*, program: Program) -> QuerySet[DynamicDelivery]:
    return (
        DynamicDelivery.objects.select_related("partner")
        .filter(program=program)
        .order_by("-created_at")
    )


def delivered_text(*, partner: Partner, program: Program) -> str | None:
    return (
        DynamicDelivery.objects.filter(
            partner=partner, program=program, status=DeliveryStatus.DELIVERED
        )
        .values_list("text", flat=True)
        .first()
    )


def disabled_urls(*, merchant: Merchant, mode: str) -> QuerySet[DynamicUrl]:
    """The merchant's programs whose dynamic URL Selgeo disabled: the dashboard's notice."""
    return DynamicUrl.objects.select_related("program").filter(
        program__merchant=merchant, program__mode=mode, disabled_at__isnull=False
    )
