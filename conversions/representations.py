"""Conversions and commissions as the API returns them and as webhook events carry them.

Plain functions build the dictionaries that `ConversionOut`, `CommissionOut` and
`PartnerCommissionOut` (in `conversions.serializers`) describe: those serializers stay
as the OpenAPI declaration, and `tests/conversions/test_representations.py` checks that
both give the same JSON, byte for byte. A DRF serializer builds and deep-copies its
fields for every instance it renders, which cost milliseconds on each reported
conversion; these functions only read attributes.

They read the same related objects as the serializers did, in the same way, so a
caller's `select_related` and the relations cached as absent (see `conversions.services`)
spare the same queries.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from conversions.models import Commission, CommissionAdjustment, Conversion
from partners.selectors import FORMER_PARTNER
from selgeo.api.serializers import moment_text


def related_or_none(instance: Any, name: str) -> Any:
    """A reverse one-to-one relation, or None where a missing one would raise."""
    try:
        return getattr(instance, name)
    except (Commission.DoesNotExist, CommissionAdjustment.DoesNotExist):
        return None


def _text(value: Any) -> str | None:
    # Text, ids included.
    return None if value is None else str(value)


def _int(value: Any) -> int | None:
    return None if value is None else int(value)


def _datetime(value: datetime | None) -> str | None:
    return None if value is None else moment_text(value)


def _program_ref(program: Any) -> dict[str, Any] | None:
    if program is None:
        return None
    return {"id": _text(program.id), "code": _text(program.code), "name": _text(program.name)}


def partner_ref(partner: Any, *, owner: Any) -> dict[str, Any] | None:
    """The partner of a merchant's row (`owner`): its name only while it is the merchant's
    own (the selectors annotate `partner_current`; a row just written is)."""
    if partner is None:
        return None
    current = getattr(owner, "partner_current", True)
    name = partner.display_name if current else FORMER_PARTNER
    return {"id": _text(partner.id), "display_name": _text(name)}


def _merchant_ref(merchant: Any) -> dict[str, Any] | None:
    if merchant is None:
        return None
    return {"id": _text(merchant.id), "name": _text(merchant.name)}


def _explanation(explanation: Any) -> dict[str, Any] | None:
    if explanation is None:
        return None
    return {"code": _text(explanation["code"]), "message": _text(explanation["message"])}


def _steps(steps: Any) -> list[dict[str, Any]] | None:
    if steps is None:
        return None
    return [
        {
            "check": _text(step["check"]),
            "result": _text(step["result"]),
            "message": _text(step["message"]),
        }
        for step in steps
    ]


def adjustment_data(adjustment: CommissionAdjustment) -> dict[str, Any]:
    """`AdjustmentOut`: what a paid commission's reversal owes back."""
    return {
        "id": _text(adjustment.id),
        "amount_cents": _int(adjustment.amount_cents),
        "currency": _text(adjustment.currency),
        "reason": _text(adjustment.reason),
        "status": _text(adjustment.status),
        "created_at": _datetime(adjustment.created_at),
        "applied_at": _datetime(adjustment.applied_at),
    }


def reporting_data(row: Conversion | Commission) -> dict[str, Any]:
    """The amount in the merchant's reporting currency as recorded at the sale's moment
    (never recomputed): the currency, the rate used (a decimal string, units of the
    reporting currency per unit of the original) and the amount in its minor units. The
    rate and amount are null when no stored rate covered the currency or no amount was
    sent; everything is null on a row recorded before reporting amounts existed."""
    return {
        "reporting_currency": row.reporting_currency or None,
        "reporting_rate": row.reporting_rate or None,
        "reporting_amount_cents": _int(row.reporting_amount_cents),
    }


def _commission_terms(commission: Commission) -> dict[str, Any]:
    # The fields every shape of a commission shares, after its identity.
    adjustment = related_or_none(commission, "adjustment")
    return {
        "kind": _text(commission.kind),
        "rate_bps": _int(commission.rate_bps),
        "terms_version_id": _text(commission.terms_version_id),
        "terms_source": _text(commission.terms_source),
        "amount_cents": _int(commission.amount_cents),
        "currency": _text(commission.currency),
        "status": _text(commission.status),
        "approve_after": _datetime(commission.approve_after),
        "approved_at": _datetime(commission.approved_at),
        "paid_at": _datetime(commission.paid_at),
        "reversed_at": _datetime(commission.reversed_at),
        "adjustment": adjustment_data(adjustment) if adjustment is not None else None,
    }


def _with_reporting(terms: dict[str, Any], commission: Commission) -> dict[str, Any]:
    # The merchant's shapes carry the reporting amount right after the original one;
    # the partner's does not (the merchant's reporting currency is its own business).
    out: dict[str, Any] = {}
    for name, value in terms.items():
        out[name] = value
        if name == "currency":
            out.update(reporting_data(commission))
    return out


def commission_brief_data(commission: Commission) -> dict[str, Any]:
    """`CommissionBriefOut`: a commission inside its conversion."""
    return {
        "id": _text(commission.id),
        **_with_reporting(_commission_terms(commission), commission),
    }


def commission_data(commission: Commission) -> dict[str, Any]:
    """`CommissionOut`: a commission as the merchant sees it."""
    head = {
        "id": _text(commission.id),
        "mode": _text(commission.mode),
        "conversion_id": _text(commission.conversion_id),
        "program": _program_ref(commission.program),
        "partner": partner_ref(commission.partner, owner=commission),
    }
    terms = _with_reporting(_commission_terms(commission), commission)
    return {**head, **terms, "created_at": _datetime(commission.created_at)}


def partner_commission_data(commission: Commission) -> dict[str, Any]:
    """`PartnerCommissionOut`: a commission as its partner sees it."""
    head = {
        "id": _text(commission.id),
        "mode": _text(commission.mode),
        "merchant": _merchant_ref(commission.merchant),
        "program": _program_ref(commission.program),
        "event_type": _text(commission.conversion.event_type),
        "occurred_at": _datetime(commission.conversion.occurred_at),
    }
    return {**head, **_commission_terms(commission), "created_at": _datetime(commission.created_at)}


def conversion_data(conversion: Conversion) -> dict[str, Any]:
    """`ConversionOut`: a conversion with its attribution and its commission."""
    program = conversion.program
    partner = conversion.partner
    commission = related_or_none(conversion, "commission")
    return {
        "id": _text(conversion.id),
        "mode": _text(conversion.mode),
        "event_type": _text(conversion.event_type),
        "external_transaction_id": _text(conversion.external_transaction_id),
        "click_id": _text(conversion.click_id_raw),
        "promo_code": conversion.promo_code_raw or None,
        "customer_id": conversion.customer_ref or None,
        "amount_cents": _int(conversion.amount_cents),
        "currency": conversion.currency or None,
        **reporting_data(conversion),
        "status": _text(conversion.status),
        "attributed": bool(conversion.attributed),
        "attribution": {
            "explanation": _explanation(conversion.attribution_explanation),
            "steps": _steps(conversion.attribution_steps),
        },
        "program": _program_ref(program),
        "partner": partner_ref(partner, owner=conversion),
        "commission": commission_brief_data(commission) if commission is not None else None,
        "metadata": conversion.metadata,
        "occurred_at": _datetime(conversion.occurred_at),
        "created_at": _datetime(conversion.created_at),
        "reversed_at": _datetime(conversion.reversed_at),
        "reversal_reason": conversion.reversal_reason or None,
    }
