"""The partner's earnings: totals by status, a per-day chart for a range, and every
commission across merchants."""

from __future__ import annotations

from django.http import HttpResponse
from django.shortcuts import render

from conversions import selectors
from dashboard.access import PartnerRequest, partner_view
from dashboard.figures import converted_total, default_earnings_currency, partner_earnings
from dashboard.paging import paginate
from dashboard.report_forms import RANGES, EarningsForm
from dashboard.views.forwarding import tx_url
from fx import selectors as fx_selectors
from payouts.forwarding import selectors as forwarding_selectors
from selgeo.currencies import is_currency

PER_PAGE = 20


# The currency the partner last chose for its totals.
SESSION_CURRENCY = "selgeo_earnings_currency"


@partner_view
def earnings(request: PartnerRequest) -> HttpResponse:
    """Totals in one currency the partner chooses (remembered in its session), converted
    at the latest exchange rates: commissions are paid in their own currencies, so the
    converted figure says what the earnings are worth today, and the amounts per
    currency are one click away. Merchants' reporting currencies are their own business
    and differ between merchants, so they are not used here."""
    # An unknown range or currency (an old or edited link) shows the default rather than
    # an error.
    chosen = request.GET.get("range", "")
    requested = request.GET.get("currency", "")
    if is_currency(requested):
        request.session[SESSION_CURRENCY] = requested
    currency = request.session.get(SESSION_CURRENCY) or default_earnings_currency(
        request.partner, request.mode
    )
    form = EarningsForm({"range": chosen if chosen in RANGES else "30", "currency": currency})
    days = form.days()
    commissions = selectors.commissions_of_partner(partner=request.partner, mode=request.mode)
    figures = partner_earnings(partner=request.partner, mode=request.mode, days=days)
    rate_set = fx_selectors.rate_set_current()
    return render(
        request,
        "portal/earnings.html",
        {
            "section": "earnings",
            "range_form": form,
            "days": days,
            "earnings": figures,
            "display_currency": currency,
            "rate_set": rate_set,
            "converted_totals": [
                (row, converted_total(row["totals"], currency=currency, rate_set=rate_set))
                for row in figures.totals
            ],
            "converted_earned": converted_total(
                figures.commission_cents, currency=currency, rate_set=rate_set
            ),
            **paginate(request, commissions, PER_PAGE),
            # Fees split off forwarded Bitcoin payments: paid with the payment itself.
            "forwarded_fees": [
                {"payment": p, "url": tx_url(p.forward.network, p.forward_txid)}
                for p in forwarding_selectors.fees_forwarded_to(
                    partner=request.partner, mode=request.mode
                )[:PER_PAGE]
            ],
        },
    )
