"""Payouts for the merchant dashboard (JWT, `?mode=test|live`): settings, preview, runs,
their files and progress, and each payout's lifecycle."""

from __future__ import annotations

import csv
import io
import uuid
from typing import Any

from django.http import HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework.request import Request
from rest_framework.response import Response

from conversions.api import parse, parse_query
from payouts import selectors, services
from payouts.api import run_docs as docs
from payouts.api.run_docs import ACTION, MODE, PAGE, RAIL, errors, ok
from payouts.api.run_out import (
    PayoutOut,
    PayoutPreviewRowOut,
    PayoutRunOut,
    PayoutRunTransitionOut,
    PayoutSettingsOut,
    page_of,
)
from payouts.api.run_serializers import (
    PayoutFiltersIn,
    PreviewFiltersIn,
    RunIn,
    SettingsIn,
    TransitionIn,
)
from payouts.rails import RAILS, run_file
from payouts.rails.text import safe_cell
from payouts.representations import (
    PREVIEW_CSV_HEADER,
    payout_detail_data,
    preview_csv_row,
    run_data,
)
from payouts.run_models import Payout, PayoutRun, PayoutSettings
from payouts.selectors.runs import PreviewRow
from selgeo.api.context import request_merchant, request_mode
from selgeo.api.errors import NotFound
from selgeo.api.pagination import PagePagination
from selgeo.api.permissions import IsMerchantAdmin, IsMerchantUser
from selgeo.api.views import APIView


def _uuid(value: str, what: str) -> uuid.UUID:
    try:
        return uuid.UUID(value)
    except ValueError as exc:
        raise NotFound(f"{what} not found") from exc


def settings_data(settings: PayoutSettings) -> dict[str, Any]:
    iban = settings.sepa_debtor_iban
    return {
        "mode": settings.mode,
        "minimums": settings.minimums,
        "default_minimum_major_units": 50,
        "tax_details_required": settings.tax_details_required,
        "schedule": settings.schedule,
        "schedule_day": settings.schedule_day,
        "sepa_debtor_name": settings.sepa_debtor_name,
        "sepa_debtor_iban_last4": iban[-4:] if iban else "",
        "sepa_debtor_bic": settings.sepa_debtor_bic,
    }


def preview_row_data(row: PreviewRow) -> dict[str, Any]:
    return {
        "partner": {"id": str(row.partner_id), "display_name": row.display_name},
        "currency": row.currency,
        "commissions_count": row.commissions_count,
        "commissions_cents": row.commissions_cents,
        "adjustments_count": row.adjustments_count,
        "adjustments_cents": row.adjustments_cents,
        "net_cents": row.net_cents,
        "minimum_cents": row.minimum_cents,
        "method": row.method,
        "payable": row.payable,
        "reasons": row.reasons,
    }


def _scope(request: Request) -> dict[str, Any]:
    return {"merchant": request_merchant(request), "mode": request_mode(request)}


class PayoutSettingsView(APIView):
    def get_permissions(self) -> list[Any]:
        return [IsMerchantUser() if self.request.method == "GET" else IsMerchantAdmin()]

    @extend_schema(
        summary="Payout settings",
        parameters=[MODE],
        responses={
            200: ok(PayoutSettingsOut, "The settings of this mode", ("monthly", docs.SETTINGS)),
            **errors("bad_mode", "not_merchant"),
        },
    )
    def get(self, request: Request) -> Response:
        return Response(settings_data(selectors.payout_settings_get(**_scope(request))))

    @extend_schema(
        summary="Change payout settings",
        parameters=[MODE],
        request=SettingsIn,
        responses={
            200: ok(PayoutSettingsOut, "The settings as saved", ("monthly", docs.SETTINGS)),
            **errors("bad_minimum", "not_admin"),
        },
    )
    def patch(self, request: Request) -> Response:
        v = parse(SettingsIn, request.data)
        settings = services.payout_settings_update(**_scope(request), **v)
        return Response(settings_data(settings))


def _preview_rows(request: Request) -> list[PreviewRow]:
    v = parse_query(PreviewFiltersIn, request)
    rows = selectors.preview(**_scope(request))
    return selectors.preview_filtered(
        rows,
        payable=v.get("payable"),
        currency=v.get("currency"),
        reason=v.get("reason"),
        partner=v.get("partner"),
        search=v.get("search"),
    )


class PayoutPreviewView(APIView):
    permission_classes = [IsMerchantUser]

    @extend_schema(
        summary="What each partner would be paid now, and why not",
        parameters=[MODE, PreviewFiltersIn, *PAGE],
        responses={
            200: ok(
                page_of("PaginatedPayoutPreviewRowList", PayoutPreviewRowOut),
                "A page of partners and currencies, by partner name",
                ("one payable, one not", docs.PREVIEW_PAGE),
            ),
            **errors("bad_reason", "not_merchant"),
        },
    )
    def get(self, request: Request) -> Response:
        paginator = PagePagination()
        page = paginator.paginate_queryset(_preview_rows(request), request, self)
        return paginator.get_paginated_response([preview_row_data(r) for r in page])


class PayoutPreviewExportView(APIView):
    permission_classes = [IsMerchantUser]

    @extend_schema(
        summary="The preview as CSV",
        parameters=[MODE, PreviewFiltersIn],
        responses={
            (200, "text/csv"): OpenApiResponse(
                OpenApiTypes.STR, description="Every row the filters keep, one per line"
            ),
            **errors("bad_reason", "not_merchant"),
        },
    )
    def get(self, request: Request) -> HttpResponse:
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\r\n")
        writer.writerow(PREVIEW_CSV_HEADER)
        for row in _preview_rows(request):
            cells = preview_csv_row(row)
            cells[1] = safe_cell(row.display_name)
            writer.writerow(cells)
        response = HttpResponse(out.getvalue(), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = 'attachment; filename="payout-preview.csv"'
        return response


def _run(request: Request, run_id: str) -> PayoutRun:
    run = selectors.runs_for(**_scope(request)).filter(pk=_uuid(run_id, "Payout run")).first()
    if run is None:
        raise NotFound("Payout run not found")
    return run


class PayoutRunListView(APIView):
    def get_permissions(self) -> list[Any]:
        return [IsMerchantUser() if self.request.method == "GET" else IsMerchantAdmin()]

    @extend_schema(
        operation_id="payouts_runs_list",
        summary="List payout runs",
        parameters=[MODE, *PAGE],
        responses={
            200: ok(
                page_of("PaginatedPayoutRunList", PayoutRunOut),
                "A page of runs, newest first",
                ("one run", docs.RUN_PAGE),
            ),
            **errors("bad_page", "not_merchant"),
        },
    )
    def get(self, request: Request) -> Response:
        paginator = PagePagination()
        page = paginator.paginate_queryset(selectors.runs_for(**_scope(request)), request, self)
        return paginator.get_paginated_response([run_data(r) for r in page])

    @extend_schema(
        summary="Create a payout run (every payable partner, or those named)",
        parameters=[MODE],
        request=RunIn,
        responses={
            201: ok(
                PayoutRunOut,
                "The run: built when it pays at most 50 partners, otherwise building",
                ("built", docs.RUN),
                ("building", docs.RUN_BUILDING),
            ),
            **errors("nobody_payable", "not_admin"),
        },
    )
    def post(self, request: Request) -> Response:
        v = parse(RunIn, request.data)
        run = services.payout_run_create(
            **_scope(request),
            partner_ids=v.get("partner_ids"),
            created_by=getattr(request.user, "email", ""),
        )
        return Response(run_data(run), status=201)


class PayoutRunDetailView(APIView):
    permission_classes = [IsMerchantUser]

    @extend_schema(
        summary="A payout run and its build progress",
        parameters=[MODE],
        responses={
            200: ok(PayoutRunOut, "The run", ("built", docs.RUN), ("building", docs.RUN_BUILDING)),
            **errors("bad_mode", "not_merchant", "no_run"),
        },
    )
    def get(self, request: Request, run_id: str) -> Response:
        return Response(run_data(_run(request, run_id)))


class PayoutRunFileView(APIView):
    permission_classes = [IsMerchantAdmin]

    @extend_schema(
        summary="A run's payment file: sepa (pain.001.001.03), paypal (batch CSV) or csv",
        parameters=[MODE, RAIL],
        responses={
            (200, "application/xml"): OpenApiResponse(
                OpenApiTypes.STR, description="sepa: pain.001.001.03, as an attachment"
            ),
            (200, "text/csv"): OpenApiResponse(
                OpenApiTypes.STR, description="paypal and csv: UTF-8, as an attachment"
            ),
            **errors("bad_mode", "not_admin", "no_run", "no_file", "file_unavailable"),
        },
    )
    def get(self, request: Request, run_id: str, rail: str) -> HttpResponse:
        run = _run(request, run_id)
        if rail not in RAILS:
            raise NotFound("No such file")
        document = run_file(run=run, rail=rail)
        response = HttpResponse(document.content, content_type=document.content_type)
        response["Content-Disposition"] = f'attachment; filename="{document.filename}"'
        return response


_STATUS_OF_ACTION = {"mark-processing": "processing", "mark-paid": "paid", "mark-failed": "failed"}


class PayoutRunTransitionView(APIView):
    permission_classes = [IsMerchantAdmin]

    @extend_schema(
        operation_id="payouts_runs_transition",
        summary="Mark every payout of a run processing, paid or failed",
        parameters=[MODE, ACTION],
        request=TransitionIn,
        responses={
            200: ok(
                PayoutRunTransitionOut,
                "The run and how many of its payouts moved (those already there stay)",
                ("marked paid", docs.RUN_MOVED),
            ),
            **errors("bad_reference", "not_admin", "no_run"),
        },
    )
    def post(self, request: Request, run_id: str, action: str) -> Response:
        run = _run(request, run_id)
        v = parse(TransitionIn, request.data)
        moved = services.payout_run_transition(
            **_scope(request), run_id=run.pk, to=_STATUS_OF_ACTION[action], **v
        )
        return Response({**run_data(run), "moved": moved})


class PayoutListView(APIView):
    permission_classes = [IsMerchantUser]

    @extend_schema(
        operation_id="payouts_list",
        summary="List payouts",
        parameters=[MODE, PayoutFiltersIn, *PAGE],
        responses={
            200: ok(
                page_of("PaginatedPayoutList", PayoutOut),
                "A page of payouts, newest first",
                ("one payout", docs.PAYOUT_PAGE),
            ),
            **errors("bad_page", "not_merchant"),
        },
    )
    def get(self, request: Request) -> Response:
        v = parse_query(PayoutFiltersIn, request)
        qs = selectors.payouts_filtered(selectors.payouts_for(**_scope(request)), **v)
        paginator = PagePagination()
        page = paginator.paginate_queryset(qs, request, self)
        return paginator.get_paginated_response([payout_detail_data(p) for p in page])


def _payout(request: Request, payout_id: str) -> Payout:
    payout = selectors.payouts_for(**_scope(request)).filter(pk=_uuid(payout_id, "Payout")).first()
    if payout is None:
        raise NotFound("Payout not found")
    return payout


class PayoutDetailView(APIView):
    permission_classes = [IsMerchantUser]

    @extend_schema(
        summary="Read one payout",
        parameters=[MODE],
        responses={
            200: ok(PayoutOut, "The payout", ("pending", docs.PAYOUT), ("paid", docs.PAYOUT_PAID)),
            **errors("bad_mode", "not_merchant", "no_payout"),
        },
    )
    def get(self, request: Request, payout_id: str) -> Response:
        return Response(payout_detail_data(_payout(request, payout_id)))


class PayoutTransitionView(APIView):
    permission_classes = [IsMerchantAdmin]

    @extend_schema(
        operation_id="payouts_transition",
        summary="Mark a payout processing, paid or failed (idempotent)",
        parameters=[MODE, ACTION],
        request=TransitionIn,
        responses={
            200: ok(PayoutOut, "The payout in its new status", ("paid", docs.PAYOUT_PAID)),
            **errors("bad_reference", "not_admin", "no_payout", "status_conflict"),
        },
    )
    def post(self, request: Request, payout_id: str, action: str) -> Response:
        payout = _payout(request, payout_id)
        v = parse(TransitionIn, request.data)
        moved = services.payout_transition(
            **_scope(request), payout_id=payout.pk, to=_STATUS_OF_ACTION[action], **v
        )
        return Response(payout_detail_data(moved))
