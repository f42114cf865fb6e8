"""Payouts in the merchant dashboard: the preview with a run form, runs (with a build
progress bar that polls), their files, and marking payouts processing, paid or failed."""

from __future__ import annotations

import uuid

from django.contrib import messages
from django.http import Http404, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from dashboard.access import MerchantRequest, merchant_view
from dashboard.csv_export import csv_response
from dashboard.paging import paginate
from dashboard.payout_forms import PayoutSettingsForm, PreviewFilterForm, minimums_text
from dashboard.views.conversions import export_query
from payouts import selectors, services
from payouts.rails import RAILS, run_file
from payouts.representations import PREVIEW_CSV_HEADER, preview_csv_row
from payouts.run_errors import PayoutFileUnavailable, PayoutTransitionRefused
from payouts.run_models import PayoutRun
from payouts.selectors.runs import PreviewRow
from selgeo.api.errors import ValidationFailed

ACTIONS = {"processing": "processing", "paid": "paid", "failed": "failed"}


def _preview(
    request: MerchantRequest,
) -> tuple[list[PreviewRow], PreviewFilterForm, list[PreviewRow]]:
    """Every preview row, the filter form, and the rows it keeps."""
    rows = selectors.preview(merchant=request.merchant, mode=request.mode)
    form = PreviewFilterForm(request.GET, currencies=[row.currency for row in rows])
    return rows, form, selectors.preview_filtered(rows, **form.filters())


@merchant_view()
def payout_overview(request: MerchantRequest) -> HttpResponse:
    rows, form, shown = _preview(request)
    return render(
        request,
        "dashboard/payouts.html",
        {
            "section": "payouts",
            "payable": [r for r in rows if r.payable],
            "filters": form,
            "export_query": export_query(request),
            "runs": selectors.runs_for(merchant=request.merchant, mode=request.mode)[:20],
            **paginate(request, shown, 50),  # type: ignore[arg-type]
        },
    )


@merchant_view()
def preview_export(request: MerchantRequest) -> StreamingHttpResponse:
    """The preview as CSV: the rows the page's filters keep, all pages."""
    _, _, shown = _preview(request)
    stamp = timezone.now().strftime("%Y%m%d")
    return csv_response(
        f"payout-preview-{request.mode}-{stamp}.csv",
        PREVIEW_CSV_HEADER,
        (preview_csv_row(row) for row in shown),
    )


@require_POST
@merchant_view(admin=True)
def run_create(request: MerchantRequest) -> HttpResponse:
    try:
        picked = [uuid.UUID(value) for value in request.POST.getlist("partner")]
    except ValueError:
        picked = []
    if not picked:
        messages.error(request, "Pick at least one partner to pay.")
        return redirect("dashboard:payouts")
    try:
        run = services.payout_run_create(
            merchant=request.merchant,
            mode=request.mode,
            partner_ids=picked,
            created_by=request.user.get_username(),
        )
    except ValidationFailed:
        messages.error(request, "None of these partners can be paid now.")
        return redirect("dashboard:payouts")
    return redirect("dashboard:payout-run", run_id=run.pk)


def _run(request: MerchantRequest, run_id: uuid.UUID) -> PayoutRun:
    run = selectors.runs_for(merchant=request.merchant, mode=request.mode).filter(pk=run_id).first()
    if run is None:
        raise Http404("No such run")
    return run


@merchant_view()
def run_detail(request: MerchantRequest, run_id: uuid.UUID) -> HttpResponse:
    run = _run(request, run_id)
    payouts = selectors.payouts_filtered(
        selectors.payouts_for(merchant=request.merchant, mode=request.mode), run=run.pk
    )
    return render(
        request,
        "dashboard/payout_run.html",
        {"section": "payouts", "run": run, "rails": RAILS, **paginate(request, payouts, 50)},
    )


@merchant_view()
def run_progress(request: MerchantRequest, run_id: uuid.UUID) -> HttpResponse:
    return render(request, "dashboard/_payout_run_progress.html", {"run": _run(request, run_id)})


@merchant_view(admin=True)
def run_download(request: MerchantRequest, run_id: uuid.UUID, rail: str) -> HttpResponse:
    run = _run(request, run_id)
    if rail not in RAILS:
        raise Http404("No such file")
    try:
        document = run_file(run=run, rail=rail)
    except PayoutFileUnavailable as exc:
        messages.error(request, exc.message)
        return redirect("dashboard:payout-run", run_id=run.pk)
    response = HttpResponse(document.content, content_type=document.content_type)
    response["Content-Disposition"] = f'attachment; filename="{document.filename}"'
    return response


@require_POST
@merchant_view(admin=True)
def run_mark(request: MerchantRequest, run_id: uuid.UUID, action: str) -> HttpResponse:
    run = _run(request, run_id)
    if action not in ACTIONS:
        raise Http404("No such action")
    moved = services.payout_run_transition(
        merchant=request.merchant,
        mode=request.mode,
        run_id=run.pk,
        to=ACTIONS[action],
        reference=request.POST.get("reference", "")[:140],
    )
    messages.success(request, f"{moved} payout{'s' if moved != 1 else ''} marked {action}.")
    return redirect("dashboard:payout-run", run_id=run.pk)


@require_POST
@merchant_view(admin=True)
def payout_mark(request: MerchantRequest, payout_id: uuid.UUID, action: str) -> HttpResponse:
    payout = (
        selectors.payouts_for(merchant=request.merchant, mode=request.mode)
        .filter(pk=payout_id)
        .first()
    )
    if payout is None or action not in ACTIONS:
        raise Http404("No such payout")
    try:
        services.payout_transition(
            merchant=request.merchant,
            mode=request.mode,
            payout_id=payout.pk,
            to=ACTIONS[action],
            reference=request.POST.get("reference", "")[:140],
            failure_reason=request.POST.get("failure_reason", "")[:500],
        )
    except PayoutTransitionRefused as exc:
        messages.error(request, exc.message)
    return redirect("dashboard:payout-run", run_id=payout.run_id)


@merchant_view(admin=True)
def payout_settings(request: MerchantRequest) -> HttpResponse:
    current = selectors.payout_settings_get(merchant=request.merchant, mode=request.mode)
    if request.method == "POST":
        form = PayoutSettingsForm(request.POST)
        if form.is_valid():
            try:
                services.payout_settings_update(
                    merchant=request.merchant, mode=request.mode, **form.service_kwargs()
                )
            except ValidationFailed as exc:
                for detail in exc.details or []:
                    field = detail["field"].split(".")[0]
                    form.add_error(field if field in form.fields else None, detail["message"])
            else:
                messages.success(request, "Payout settings saved.")
                return redirect("dashboard:payout-settings")
    else:
        form = PayoutSettingsForm(
            initial={
                "minimums": minimums_text(current),
                "tax_details_required": current.tax_details_required,
                "schedule": current.schedule,
                "schedule_day": current.schedule_day,
                "sepa_debtor_name": current.sepa_debtor_name,
                "sepa_debtor_bic": current.sepa_debtor_bic,
            }
        )
    iban = current.sepa_debtor_iban
    return render(
        request,
        "dashboard/payout_settings.html",
        {"section": "payouts", "form": form, "iban_last4": iban[-4:] if iban else ""},
    )
