"""Partner portal: payout account, tax details and the signed tax form (printable).

The method (or tax form) is chosen by a GET form first, so every page works without
JavaScript; the POST saves through the same payouts services as the API. What is on
file is shown masked.
"""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render

from dashboard.access import PartnerRequest, partner_view
from dashboard.forms import add_service_errors
from dashboard.payout_detail_forms import (
    MethodChoiceForm,
    PayoutAccountForm,
    TaxDetailsForm,
    TaxFormChoiceForm,
    service_errors,
)
from payouts import selectors, services
from payouts.encryption import mask
from payouts.models import PayoutMethod, TaxForm
from payouts.tax_forms import expires_on, form_for
from selgeo.api.errors import ApiError, ValidationFailed


@partner_view
def payout_account(request: PartnerRequest) -> HttpResponse:
    active = selectors.active_payout_account(request.partner)
    chosen = request.POST.get("method") or request.GET.get("method")
    if chosen not in PayoutMethod.values:
        chosen = active.method if active is not None else PayoutMethod.SEPA
    keep_iban = active is not None and active.method == PayoutMethod.SEPA
    initial = {}
    if active is not None and active.method == chosen:
        initial = {
            "account_holder": active.account_holder,
            "bic": active.bic,
            "email": active.paypal_email,
            "address": active.bitcoin_address,
            "instructions": active.instructions,
        }
    form = PayoutAccountForm(
        request.POST or None, method=chosen, keep_iban=keep_iban, initial=initial
    )
    if request.method == "POST" and form.is_valid():
        details = form.details()
        if chosen == PayoutMethod.SEPA and not details["iban"] and active is not None:
            # The page never shows the IBAN back, so a blank one keeps what is on file.
            details["iban"] = active.iban
        try:
            services.payout_account_replace(partner=request.partner, method=chosen, details=details)
        except ValidationFailed as exc:
            add_service_errors(form, exc.details, exc.message)
        except ApiError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, "Your payout account was saved.")
            return redirect("portal:payout-account")
    return render(
        request,
        "portal/payout_account.html",
        {
            "section": "payout-details",
            "active": active,
            "description": selectors.describe(active) if active is not None else "",
            "chooser": MethodChoiceForm(initial={"method": chosen}, auto_id="choose_%s"),
            "chosen_label": PayoutMethod(chosen).label,
            "form": form,
        },
    )


@partner_view
def tax_details(request: PartnerRequest) -> HttpResponse:
    profile = selectors.tax_profile_of(request.partner)
    on_file = profile is not None and bool(profile.signature)
    chosen = request.POST.get("form") or request.GET.get("form")
    if chosen not in TaxForm.values:
        chosen = profile.form if on_file and profile is not None else TaxForm.W8BEN
    initial = {}
    if on_file and profile is not None:
        initial = {
            "legal_name": profile.legal_name,
            "country": profile.country,
            "entity_type": profile.entity_type,
        }
        if profile.form == chosen:
            initial.update(selectors.form_fields_of(profile))
    form = TaxDetailsForm(request.POST or None, tax_form=chosen, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.tax_profile_save(partner=request.partner, **form.values())
        except ValidationFailed as exc:
            add_service_errors(form, service_errors(exc.details), exc.message)
        except ApiError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, "Your tax details were signed and saved.")
            return redirect("portal:tax-details")
    return render(
        request,
        "portal/tax_details.html",
        {
            "section": "payout-details",
            "profile": profile if on_file else None,
            "tax_id_masked": mask(profile.tax_id) if on_file and profile is not None else "",
            "expires_on": expires_on(profile.form, profile.signed_at)
            if on_file and profile is not None
            else None,
            "chooser": TaxFormChoiceForm(initial={"form": chosen}, auto_id="choose_%s"),
            "chosen_label": TaxForm(chosen).label,
            "suggested": form_for(country=profile.country, entity_type=profile.entity_type)
            if on_file and profile is not None
            else "",
            "form": form,
        },
    )


@partner_view
def tax_document(request: PartnerRequest) -> HttpResponse:
    profile = selectors.tax_profile_of(request.partner)
    if profile is None or not profile.signature:
        raise Http404("No tax details on file")
    return render(
        request,
        "portal/tax_document.html",
        {"section": "payout-details", "document": selectors.tax_document(profile)},
    )
