"""Template helpers: money, percentages, masked bank details, tracking links."""

from __future__ import annotations

from typing import Any

from django import template
from django.conf import settings

from selgeo.currencies import format_amount

register = template.Library()


@register.filter
def money(amount_cents: int | None, currency: str) -> str:
    """`4900|money:"EUR"` → `49.00 EUR` (exact: minor units, no float)."""
    if amount_cents is None:
        return "—"
    return format_amount(int(amount_cents), currency)


@register.filter
def bps(value: int | None) -> str:
    """Basis points as a percentage: 1500 → `15%`, 1250 → `12.5%`."""
    if value is None:
        return "—"
    units, hundredths = divmod(int(value), 100)
    if not hundredths:
        return f"{units}%"
    return f"{units}.{hundredths:02d}".rstrip("0") + "%"


@register.filter
def masked_iban(iban: Any) -> str:
    """Only the country, check digits and last four characters of an IBAN are ever shown."""
    if not isinstance(iban, str) or len(iban) <= 8:
        return "••••"
    return f"{iban[:4]} •••• {iban[-4:]}"


@register.simple_tag
def public_url(path: str = "") -> str:
    """An absolute address on Selgeo's public base URL (links partners share, the snippet)."""
    return f"{settings.SELGEO_PUBLIC_URL}{path}"


@register.simple_tag
def tracking_link(merchant_slug: str, code: str) -> str:
    return f"{settings.SELGEO_PUBLIC_URL}/r/{merchant_slug}/{code}"


@register.simple_tag
def commission_summary(program: Any) -> str:
    """What a partner earns, in one line: `15% of each sale`, `25.00 EUR per action`."""
    if program.commission_type == "cpa":
        return f"{money(program.cpa_amount_cents, program.currency)} per action"
    if program.commission_type == "cps":
        return f"{bps(program.percent_bps)} of each sale"
    months = program.recurring_months or 0
    period = f"{months} month{'s' * (months != 1)}"
    return f"{bps(program.percent_bps)} of recurring revenue for {period}"
