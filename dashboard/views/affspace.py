"""Developers: "AffSpace dialect", copy-paste examples for a merchant moving from the
AffSpace vendor API: the base URL to change, the `/pb` postback URL template with the
partner's click id macro, and the requests of `compat.affspace` with this mode's offer."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpResponse
from django.shortcuts import render

from accounts import selectors as accounts_selectors
from dashboard.access import MerchantRequest, merchant_view
from partners import selectors as partner_selectors
from partners.models import CommissionType, ProgramStatus

# A program code for the examples when the mode has no published program yet.
EXAMPLE_CODE = "MYOFFER123"


@merchant_view()
def affspace_dialect(request: MerchantRequest) -> HttpResponse:
    program = (
        partner_selectors.programs_for(merchant=request.merchant, mode=request.mode)
        .filter(status=ProgramStatus.PUBLISHED)
        .order_by("created_at")
        .first()
    )
    keys = accounts_selectors.api_keys_for(merchant=request.merchant, mode=request.mode)
    secret_key = next((k for k in keys.filter(kind="secret") if k.is_active()), None)
    base = settings.SELGEO_PUBLIC_URL
    return render(
        request,
        "dashboard/affspace_dialect.html",
        {
            "section": "developers",
            "program": program,
            "code": program.code if program is not None else EXAMPLE_CODE,
            "currency": program.currency if program is not None else "USD",
            "is_cpa": program is not None and program.commission_type == CommissionType.CPA,
            "secret_key": secret_key,
            "key_prefix": f"sk_{request.mode}_",
            "api_base": base,
            "dialect_base": f"{base}/compat/affspace",
        },
    )
