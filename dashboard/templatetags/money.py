"""Money in templates, always exact: integer minor units formatted by `format_amount`.

`{% load money %}` gives `money` (one amount) and `money_totals` (a {currency: cents} map,
one amount per currency: figures are never summed across currencies).
"""

from __future__ import annotations

from collections.abc import Mapping

from django import template

from dashboard.templatetags.dashboard_tags import money as _money
from selgeo.currencies import format_amount

register = template.Library()

register.filter("money", _money)


@register.filter
def money_totals(totals: Mapping[str, int] | None) -> str:
    """`{"USD": 500, "EUR": 4900}` → `49.00 EUR · 5.00 USD` (by currency code); none → `—`."""
    amounts = [format_amount(int(cents), code) for code, cents in sorted((totals or {}).items())]
    return " · ".join(amounts) or "—"
