"""The partner's earnings: totals by status, a per-day chart for a range, and every
commission across merchants."""

from __future__ import annotations

from django.http import HttpResponse
from django.shortcuts import render

from conversions import selectors
from dashboard.access import PartnerRequest, partner_view
from dashboard.figures import partner_earnings
from dashboard.paging import paginate
from dashboard.report_forms import RANGES, RangeForm
from dashboard.views.forwarding import tx_url
from payouts.forwarding import selectors as forwarding_selectors

PER_PAGE = 20


@partner_view
def earnings(request: PartnerRequest) -> HttpResponse:
    # An unknown range (an old or edited link) shows the default rather than an error.
    chosen = request.GET.get("range", "")
    form = RangeForm({"range": chosen if chosen in RANGES else "30"})
    days = form.days()
    commissions = selectors.commissions_of_partner(partner=request.partner, mode=request.mode)
    return render(
        request,
        "portal/earnings.html",
        {
            "section": "earnings",
            "range_form": form,
            "days": days,
            "earnings": partner_earnings(partner=request.partner, mode=request.mode, days=days),
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
