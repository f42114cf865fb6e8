"""The partner's payouts in the portal: history, balance waiting, one statement per
payout (a printable page and its CSV)."""

from __future__ import annotations

import uuid

from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from dashboard.access import PartnerRequest, partner_view
from dashboard.paging import paginate
from payouts import selectors
from payouts.api.partner import statement_csv
from payouts.representations import destination_masked
from payouts.run_models import Payout


@partner_view
def payout_history(request: PartnerRequest) -> HttpResponse:
    payouts = selectors.payouts_of_partner(partner=request.partner, mode=request.mode)
    return render(
        request,
        "portal/payouts.html",
        {
            "section": "payouts",
            "balances": selectors.partner_balances(
                partner=request.partner, mode=request.mode, today=timezone.now().date()
            ),
            **paginate(request, payouts, 20),
        },
    )


def _mine(request: PartnerRequest, payout_id: uuid.UUID) -> Payout:
    payout = (
        selectors.payouts_of_partner(partner=request.partner, mode=request.mode)
        .filter(pk=payout_id)
        .first()
    )
    if payout is None:
        raise Http404("No such payout")
    return payout


@partner_view
def payout_statement(request: PartnerRequest, payout_id: uuid.UUID) -> HttpResponse:
    payout = _mine(request, payout_id)
    return render(
        request,
        "portal/payout_statement.html",
        {
            "section": "payouts",
            "statement": selectors.statement(payout),
            "destination": destination_masked(payout),
        },
    )


@partner_view
def payout_statement_csv(request: PartnerRequest, payout_id: uuid.UUID) -> HttpResponse:
    statement = selectors.statement(_mine(request, payout_id))
    response = HttpResponse(statement_csv(statement), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="statement-{payout_id}.csv"'
    return response
