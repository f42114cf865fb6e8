"""Examples of each event type's `data`, built by the code that builds real events' data.

Each example is a graph of unsaved rows (fixed ids and moments, nothing read from or
written to the database) passed through the function the emitting service calls:
`conversion_data`, `commission_data`, `application_event_data`, `partner_event_data`,
`click_representation`, `endpoint_test_data` and `payout_data`. An example therefore has
the shape endpoints receive, and `tests/webhooks/test_event_examples.py` compares every
one with a real delivery.

The apps are imported inside the functions: they import `webhooks.services` themselves.
"""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder

PROGRAM_ID = uuid.UUID("0b7e4d1c-2a3f-4e5d-8c9b-1a2b3c4d5e6f")
PARTNER_ID = uuid.UUID("9d8c7b6a-5f4e-4d3c-2b1a-0f9e8d7c6b5a")
MERCHANT_ID = uuid.UUID("1f2e3d4c-5b6a-4798-8a7b-6c5d4e3f2a1b")
CLICK_ID = uuid.UUID("0190a1b2-c3d4-7e8f-9a0b-1c2d3e4f5a6b")
CONVERSION_ID = uuid.UUID("0190a1b3-0000-7c51-9a0e-2f7d8b6c1a23")
COMMISSION_ID = uuid.UUID("0190a1b3-0001-7d6c-9b5a-4e3d2c1b0a99")
APPLICATION_ID = uuid.UUID("7a6b5c4d-3e2f-4a1b-8c9d-0e1f2a3b4c5d")
REFERRAL_CODE_ID = uuid.UUID("4b3a2918-0706-4504-9302-010f0e0d0c0b")
CLICKED_AT = datetime(2026, 3, 1, 11, 58, tzinfo=UTC)
CONVERTED_AT = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)

PAYOUT_ID = uuid.UUID("5e4d3c2b-1a09-4f8e-9d7c-6b5a4e3d2c1b")
RUN_ID = uuid.UUID("4d3c2b1a-0f9e-4d8c-9b7a-6f5e4d3c2b1a")
PAYOUT_CREATED_AT = datetime(2026, 4, 1, 8, 0, tzinfo=UTC)


def as_json(data: dict[str, Any]) -> dict[str, Any]:
    """`data` as a delivery's body carries it (moments and ids as text)."""
    loaded: dict[str, Any] = json.loads(json.dumps(data, cls=DjangoJSONEncoder))
    return loaded


def _graph(*, mode: str) -> dict[str, Any]:
    """The rows behind the examples: a program, a partner, its code and an application."""
    from accounts.models import Merchant, Partner
    from partners.models import Application, ApplicationStatus, Program, ReferralCode

    merchant = Merchant(id=MERCHANT_ID, name="Demo Shop", slug="demo-shop")
    program = Program(
        id=PROGRAM_ID,
        merchant=merchant,
        mode=mode,
        code="spring",
        name="Spring sale",
        status="published",
        currency="EUR",
        commission_type="cps",
        percent_bps=1000,
        cookie_days=30,
        hold_days=30,
        landing_url="https://shop.example.com/",
        created_at=datetime(2026, 2, 1, 9, 0, tzinfo=UTC),
    )
    partner = Partner(
        id=PARTNER_ID,
        display_name="Deal Blog",
        website="https://blog.example.org",
        country="DE",
        created_at=datetime(2026, 2, 20, 9, 0, tzinfo=UTC),
    )
    code = ReferralCode(
        id=REFERRAL_CODE_ID,
        merchant=merchant,
        mode=mode,
        program=program,
        partner=partner,
        code="DEALBLOG",
        is_default=True,
    )
    application = Application(
        id=APPLICATION_ID,
        merchant=merchant,
        mode=mode,
        program=program,
        partner=partner,
        status=ApplicationStatus.PENDING,
        message="We review kitchen gear for 40,000 readers a month.",
        created_at=datetime(2026, 2, 20, 9, 30, tzinfo=UTC),
    )
    return {
        "merchant": merchant,
        "program": program,
        "partner": partner,
        "code": code,
        "application": application,
    }


def _conversion(*, mode: str, reversed_: bool = False) -> Any:
    from conversions.models import Commission, Conversion

    graph = _graph(mode=mode)
    conversion = Conversion(
        id=CONVERSION_ID,
        merchant=graph["merchant"],
        mode=mode,
        program=graph["program"],
        partner=graph["partner"],
        click_id_raw=CLICK_ID,
        event_type="purchase",
        external_transaction_id="order_456",
        customer_ref="cust_789",
        amount_cents=4900,
        currency="EUR",
        # What the shipped snapshot's EUR→USD rate records for a USD-reporting merchant.
        reporting_currency="USD",
        reporting_rate="1.1476",
        reporting_amount_cents=5623,
        status="approved",
        attributed=True,
        attribution_explanation={
            "code": "attributed_click",
            "message": "Attributed to partner Deal Blog through referral code DEALBLOG.",
        },
        attribution_steps=[
            {
                "check": "signals",
                "result": "info",
                "message": "Received click_id with customer cust_789.",
            },
            {
                "check": "click_not_bot",
                "result": "pass",
                "message": "The click was made by a person, not a known bot.",
            },
            {
                "check": "attributed",
                "result": "pass",
                "message": "Attributed to partner Deal Blog through referral code DEALBLOG.",
            },
        ],
        metadata={"order_channel": "web"},
        occurred_at=CONVERTED_AT,
        created_at=CONVERTED_AT,
    )
    commission = Commission(
        id=COMMISSION_ID,
        conversion=conversion,
        merchant=graph["merchant"],
        mode=mode,
        partner=graph["partner"],
        program=graph["program"],
        kind="cps",
        rate_bps=1000,
        amount_cents=490,
        currency="EUR",
        reporting_currency="USD",
        reporting_rate="1.1476",
        reporting_amount_cents=562,
        status="pending",
        approve_after=CONVERTED_AT + timedelta(days=30),
        created_at=CONVERTED_AT,
    )
    if reversed_:
        moment = CONVERTED_AT + timedelta(days=3)
        conversion.status = "reversed"
        conversion.reversed_at = moment
        conversion.reversal_reason = "chargeback"
        commission.status = "reversed"
        commission.reversed_at = moment
    # The relations are cached as present or absent, so rendering asks the database nothing.
    Conversion.commission.related.set_cached_value(conversion, commission)
    Commission.adjustment.related.set_cached_value(commission, None)
    return conversion


def conversion_example(*, mode: str, reversed_: bool = False) -> dict[str, Any]:
    from conversions.representations import conversion_data

    return as_json(conversion_data(_conversion(mode=mode, reversed_=reversed_)))


def commission_example(*, mode: str, status: str = "pending") -> dict[str, Any]:
    from conversions.representations import commission_data

    commission = _conversion(mode=mode, reversed_=status == "reversed").commission
    if status == "approved":
        commission.status = "approved"
        commission.approved_at = commission.approve_after
    return as_json(commission_data(commission))


def application_example(*, mode: str, status: str = "pending") -> dict[str, Any]:
    from partners.services import application_event_data

    application = _graph(mode=mode)["application"]
    if status != "pending":
        application.status = status
        application.decided_at = datetime(2026, 2, 21, 10, 0, tzinfo=UTC)
        application.decision_message = (
            "Welcome aboard." if status == "approved" else "Not a fit for this program."
        )
    return as_json(application_event_data(application))


def partner_erased_example(*, mode: str) -> dict[str, Any]:
    from partners.services import partner_event_data
    from partners.services.erasure import ERASED_DISPLAY_NAME

    partner = _graph(mode=mode)["partner"]
    partner.display_name = ERASED_DISPLAY_NAME
    partner.website = ""
    partner.country = ""
    partner.erased_at = datetime(2026, 5, 1, 10, 0, tzinfo=UTC)
    return as_json(partner_event_data(partner))


def click_example(*, mode: str) -> dict[str, Any]:
    from tracking.models import Click
    from tracking.services import click_representation

    graph = _graph(mode=mode)
    click = Click(
        id=CLICK_ID,
        merchant=graph["merchant"],
        mode=mode,
        program=graph["program"],
        partner=graph["partner"],
        referral_code=graph["code"],
        source="link",
        landing_url="https://shop.example.com/p/1",
        country="DE",
        is_bot=False,
        created_at=CLICKED_AT,
        expires_at=CLICKED_AT + timedelta(days=30),
    )
    return as_json(click_representation(click))


def payout_example(*, mode: str, status: str = "pending") -> dict[str, Any]:
    from payouts.models import Payout
    from payouts.representations import payout_data

    payout = Payout(
        id=PAYOUT_ID,
        run_id=RUN_ID,
        partner_id=PARTNER_ID,
        mode=mode,
        amount_cents=12500,
        commissions_cents=13000,
        adjustments_cents=-500,
        currency="EUR",
        rail="sepa",
        status=status,
        created_at=PAYOUT_CREATED_AT,
    )
    if status in ("paid", "failed"):
        payout.processing_at = PAYOUT_CREATED_AT + timedelta(hours=1)
    if status == "paid":
        payout.reference = "SELGEO-2026-03-0001"
        payout.paid_at = PAYOUT_CREATED_AT + timedelta(days=1)
    if status == "failed":
        payout.failure_reason = "The IBAN was refused by the bank"
        payout.failed_at = PAYOUT_CREATED_AT + timedelta(days=1)
    return payout_data(payout)


def endpoint_test_example(*, mode: str) -> dict[str, Any]:
    from webhooks.services.events import endpoint_test_data

    return endpoint_test_data(endpoint_id="2d1c0b9a-8e7f-4a6b-9c5d-3e2f1a0b9c8d")


def _forward_rows(*, mode: str, sent: bool) -> tuple[Any, Any]:
    from payouts.forwarding.models import ForwardedPayment, PaymentForward

    forward = PaymentForward(
        id=uuid.UUID("0193b1c2-3d4e-7f50-8a61-b2c3d4e5f607"),
        mode=mode,
        network="mainnet" if mode == "live" else "testnet",
        address="bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq",
        payment_address="bc1q9vza2e8x573nczrlzms0wvx3gsqjx7vavgkx0l",
        webhook_url="https://shop.example.com/hooks/bitcoin",
        processing_fee_percent=10,
        processing_fee_address="bc1qxy2kgdygjrsqtzq2n0yrf2493p83kkfjhx0wlh",
        partner_id=PARTNER_ID,
        created_at=CONVERTED_AT,
        expires_at=CONVERTED_AT + timedelta(hours=24),
    )
    payment = ForwardedPayment(
        id=uuid.UUID("0193b1c2-5f60-7a71-9b82-c3d4e5f60718"),
        forward=forward,
        txid="b215e9cf9fd2035daec6fa6c4197f3eab8788315169662fe0fcffaccdc3313ba",
        vout=1,
        amount_sats=250000,
        confirmations=1,
        first_seen_at=CONVERTED_AT + timedelta(minutes=4),
        status="sent" if sent else "failed",
        forward_txid="eea491f5ffb25b7f2f25cb511389a6aeac71ae795ccd7ce720b3f46b4b364010"
        if sent
        else "",
        forward_to_sats=219774 if sent else None,
        processing_fee_sats=25000 if sent else None,
        miner_fee_sats=5226 if sent else None,
        failure_reason="" if sent else "The miner fee exceeds the forward-to output",
        forwarded_at=CONVERTED_AT + timedelta(minutes=14) if sent else None,
    )
    return forward, payment


def payment_forward_confirmation_example(*, mode: str) -> dict[str, Any]:
    from payouts.forwarding.representations import confirmation_data

    forward, payment = _forward_rows(mode=mode, sent=True)
    return as_json(confirmation_data(forward, [payment], payment, 1))


def payment_forward_failed_example(*, mode: str) -> dict[str, Any]:
    from payouts.forwarding.representations import failure_data

    forward, payment = _forward_rows(mode=mode, sent=False)
    return as_json(failure_data(forward, [payment], payment))
