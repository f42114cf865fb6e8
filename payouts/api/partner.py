"""The signed-in partner's payouts (partner JWT, `?mode=`): history, one payout, its
statement (JSON or CSV) and the balance waiting per merchant and currency."""

from __future__ import annotations

import csv
import io
from typing import Any

from django.http import HttpResponse
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework.request import Request
from rest_framework.response import Response

from payouts import selectors
from payouts.api import run_docs as docs
from payouts.api.run_docs import MODE, PAGE, errors, ok
from payouts.api.run_out import PartnerPayoutOut, PayoutBalancesOut, PayoutStatementOut, page_of
from payouts.api.runs import _uuid
from payouts.representations import partner_payout_data
from payouts.run_models import Payout
from payouts.selectors.runs import Statement
from selgeo.api.context import request_mode, request_partner
from selgeo.api.errors import NotFound
from selgeo.api.pagination import PagePagination
from selgeo.api.permissions import IsPartnerUser
from selgeo.api.serializers import moment_text
from selgeo.api.views import APIView

STATEMENT_CSV_HEADER = [
    "kind",
    "id",
    "created_at",
    "program",
    "reference",
    "amount_cents",
    "currency",
]


def _mine(request: Request, payout_id: str) -> Payout:
    payout = (
        selectors.payouts_of_partner(partner=request_partner(request), mode=request_mode(request))
        .filter(pk=_uuid(payout_id, "Payout"))
        .first()
    )
    if payout is None:
        raise NotFound("Payout not found")
    return payout


def statement_data(statement: Statement) -> dict[str, Any]:
    return {
        "payout": partner_payout_data(statement.payout),
        "commissions": [
            {
                "id": str(c.pk),
                "program": {"id": str(c.program_id), "code": c.program.code},
                "created_at": moment_text(c.created_at),
                "amount_cents": amount,
                "currency": c.currency,
            }
            for c, amount in statement.commissions
        ],
        "adjustments": [
            {
                "id": str(a.pk),
                "commission_id": str(a.commission_id),
                "reason": a.reason,
                "created_at": moment_text(a.created_at),
                "adjustment_cents": a.amount_cents,
                "deducted_cents": amount,
                "currency": a.currency,
            }
            for a, amount in statement.adjustments
        ],
    }


def statement_csv(statement: Statement) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(STATEMENT_CSV_HEADER)
    for c, amount in statement.commissions:
        writer.writerow(
            ["commission", c.pk, moment_text(c.created_at), c.program.code, "", amount, c.currency]
        )
    for a, amount in statement.adjustments:
        writer.writerow(
            ["adjustment", a.pk, moment_text(a.created_at), "", a.reason, amount, a.currency]
        )
    payout = statement.payout
    writer.writerow(
        [
            "total",
            payout.pk,
            moment_text(payout.created_at),
            "",
            payout.reference,
            payout.amount_cents,
            payout.currency,
        ]
    )
    return out.getvalue().encode()


class PartnerPayoutListView(APIView):
    permission_classes = [IsPartnerUser]

    @extend_schema(
        operation_id="partner_payouts_list",
        summary="List my payouts",
        parameters=[MODE, *PAGE],
        responses={
            200: ok(
                page_of("PaginatedPartnerPayoutList", PartnerPayoutOut),
                "A page of my payouts from every merchant, newest first",
                ("one payout", docs.PARTNER_PAYOUT_PAGE),
            ),
            **errors("bad_page", "not_partner"),
        },
    )
    def get(self, request: Request) -> Response:
        qs = selectors.payouts_of_partner(
            partner=request_partner(request), mode=request_mode(request)
        )
        paginator = PagePagination()
        page = paginator.paginate_queryset(qs, request, self)
        return paginator.get_paginated_response([partner_payout_data(p) for p in page])


class PartnerPayoutDetailView(APIView):
    permission_classes = [IsPartnerUser]

    @extend_schema(
        summary="Read one of my payouts",
        parameters=[MODE],
        responses={
            200: ok(PartnerPayoutOut, "The payout", ("paid", docs.PARTNER_PAYOUT)),
            **errors("bad_mode", "not_partner", "no_payout"),
        },
    )
    def get(self, request: Request, payout_id: str) -> Response:
        return Response(partner_payout_data(_mine(request, payout_id)))


class PartnerPayoutStatementView(APIView):
    permission_classes = [IsPartnerUser]

    @extend_schema(
        summary="What one of my payouts pays and deducts",
        parameters=[MODE],
        responses={
            200: ok(
                PayoutStatementOut,
                "The payout, each commission it pays and each deduction it makes",
                ("with a deduction", docs.STATEMENT),
            ),
            **errors("bad_mode", "not_partner", "no_payout"),
        },
    )
    def get(self, request: Request, payout_id: str) -> Response:
        return Response(statement_data(selectors.statement(_mine(request, payout_id))))


class PartnerPayoutStatementCsvView(APIView):
    permission_classes = [IsPartnerUser]

    @extend_schema(
        summary="The statement of one of my payouts as CSV",
        parameters=[MODE],
        responses={
            (200, "text/csv"): OpenApiResponse(
                OpenApiTypes.STR,
                description="kind,id,created_at,program,reference,amount_cents,currency; "
                "a line per commission and deduction, then the total",
            ),
            **errors("bad_mode", "not_partner", "no_payout"),
        },
    )
    def get(self, request: Request, payout_id: str) -> HttpResponse:
        statement = selectors.statement(_mine(request, payout_id))
        response = HttpResponse(statement_csv(statement), content_type="text/csv; charset=utf-8")
        name = f"statement-{statement.payout.pk}.csv"
        response["Content-Disposition"] = f'attachment; filename="{name}"'
        return response


class PartnerBalanceView(APIView):
    permission_classes = [IsPartnerUser]

    @extend_schema(
        summary="What I am waiting for, per merchant and currency",
        parameters=[MODE],
        responses={
            200: ok(PayoutBalancesOut, "One row per merchant and currency", ("one", docs.BALANCES)),
            **errors("bad_mode", "not_partner"),
        },
    )
    def get(self, request: Request) -> Response:
        balances = selectors.partner_balances(
            partner=request_partner(request),
            mode=request_mode(request),
            today=timezone.now().date(),
        )
        return Response(
            {
                "data": [
                    {
                        "merchant": {"id": str(b.merchant.pk), "name": b.merchant.name},
                        "currency": b.currency,
                        "pending_cents": b.pending_cents,
                        "approved_cents": b.approved_cents,
                        "in_payout_cents": b.in_payout_cents,
                        "open_adjustments_cents": b.open_adjustments_cents,
                        "minimum_cents": b.minimum_cents,
                        "next_payout_date": b.next_payout_date.isoformat()
                        if b.next_payout_date
                        else None,
                    }
                    for b in balances
                ]
            }
        )
