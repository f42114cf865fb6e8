"""The vendor document's camelCase shapes of Selgeo's rows, and its opaque cursors.

A conversion's vendor status is Selgeo's, except that a conversion attributed to no
partner (it pays nothing) is `rejected`: Selgeo records it, approved, with the reason
in its attribution explanation. Times are Unix milliseconds.
"""

from __future__ import annotations

import base64
import binascii
import json
import uuid
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from django.db.models import Q, QuerySet

from accounts.models import Merchant
from compat.affspace.errors import DialectError
from conversions.models import Conversion, ConversionStatus
from conversions.representations import related_or_none
from partners.models import CommissionType, Program

VENDOR_STATUSES = ("pending", "approved", "rejected", "reversed")


def millis(moment: datetime) -> int:
    return int(moment.timestamp() * 1000)


def from_millis(value: int) -> datetime:
    return datetime.fromtimestamp(value / 1000, tz=UTC)


def vendor_status(conversion: Conversion) -> str:
    if conversion.status == ConversionStatus.REVERSED:
        return "reversed"
    if not conversion.attributed:
        return "rejected"
    return str(conversion.status)


def status_filter(vendor: str) -> dict[str, Any]:
    """The Selgeo filters (`conversions.selectors.ConversionFilters` fields) of a vendor
    status: an unattributed conversion is recorded approved and stays so unless reversed."""
    if vendor == "reversed":
        return {"status": ConversionStatus.REVERSED}
    if vendor == "rejected":
        return {"status": ConversionStatus.APPROVED, "attributed": False}
    return {"status": vendor, "attributed": True}


def conversion_shape(conversion: Conversion) -> dict[str, Any]:
    commission = related_or_none(conversion, "commission")
    program = conversion.program
    return {
        "id": str(conversion.pk),
        "offerCode": program.code if program is not None else None,
        "vendorTxId": conversion.external_transaction_id,
        "currency": conversion.currency,
        "saleAmountCents": conversion.amount_cents,
        "advertiserPayoutCents": commission.amount_cents if commission is not None else 0,
        "status": vendor_status(conversion),
        "createdAt": millis(conversion.created_at),
    }


def payout_terms(program: Program) -> dict[str, Any]:
    """What the offer pays: a fixed amount (CPA) or a percentage of the sale."""
    if program.commission_type == CommissionType.CPA:
        return {"advertiserPayoutCents": program.cpa_amount_cents or 0}
    percent = (Decimal(program.percent_bps or 0) / 100).quantize(Decimal("0.01"))
    terms: dict[str, Any] = {"advertiserPayoutPercent": str(percent)}
    if program.commission_type == CommissionType.REVSHARE:
        terms["recurringMonths"] = program.recurring_months
    return terms


def offer_shape(program: Program, *, detail: bool = False) -> dict[str, Any]:
    shape: dict[str, Any] = {
        "code": program.code,
        "name": program.name,
        "status": program.status,
        "currency": program.currency,
        "commissionType": program.commission_type,
    }
    if detail:
        shape["primaryUrl"] = program.landing_url
    shape["payoutTerms"] = payout_terms(program)
    return shape


def profile_shape(*, merchant: Merchant, contact_email: str) -> dict[str, Any]:
    # A key authenticated this request, so the account has one; Selgeo has no vendor
    # approval step, so every merchant is approved.
    return {
        "companyName": merchant.name,
        "contactEmail": contact_email,
        "status": "approved",
        "hasApiKey": True,
    }


# Cursors: the (created_at, id) of the last row of a page, newest first, as opaque text.


def cursor_after(moment: datetime, pk: uuid.UUID) -> str:
    raw = json.dumps([moment.isoformat(), str(pk)]).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _cursor_position(cursor: str) -> tuple[datetime, uuid.UUID]:
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        moment, pk = json.loads(base64.urlsafe_b64decode(padded.encode("ascii")))
        position = datetime.fromisoformat(moment), uuid.UUID(pk)
    except (ValueError, TypeError, UnicodeError, binascii.Error) as exc:
        raise DialectError("Invalid cursor", field="cursor") from exc
    if position[0].tzinfo is None:
        raise DialectError("Invalid cursor", field="cursor")
    return position


def page_of(
    rows: QuerySet[Any], *, cursor: str | None, limit: int, newest_first: bool = True
) -> tuple[list[Any], dict[str, Any]]:
    """One page of `rows` (ordered by created_at then id) after `cursor`, and its
    `meta.pagination`."""
    if cursor:
        moment, pk = _cursor_position(cursor)
        if newest_first:
            rows = rows.filter(Q(created_at__lt=moment) | Q(created_at=moment, id__lt=pk))
        else:
            rows = rows.filter(Q(created_at__gt=moment) | Q(created_at=moment, id__gt=pk))
    found = list(rows[: limit + 1])
    page = found[:limit]
    has_more = len(found) > limit
    next_cursor = cursor_after(page[-1].created_at, page[-1].pk) if has_more else None
    return page, {"pagination": {"hasMore": has_more, "nextCursor": next_cursor}}
