"""The representation functions give the output serializers' JSON, byte for byte.

`conversion_data()` and the commission functions build responses and webhook events;
the serializers they replace remain the documented schema. Every case here renders the
same row both ways and compares the bytes, and the queries each way asks, so the code
and the schema cannot drift apart.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework.renderers import JSONRenderer
from rest_framework.serializers import BaseSerializer

from accounts.models import Merchant, Partner
from conversions import selectors, services
from conversions.models import Commission, CommissionStatus, Conversion
from conversions.representations import (
    commission_brief_data,
    commission_data,
    conversion_data,
    partner_commission_data,
)
from conversions.serializers import (
    AdjustmentOut,
    AttributionOut,
    CommissionBriefOut,
    CommissionOut,
    ConversionOut,
    ExplanationOut,
    MerchantRefOut,
    PartnerCommissionOut,
    PartnerRefOut,
    ProgramRefOut,
    StepOut,
)
from partners import services as partner_services
from partners.models import Program, PromoCode
from tests.conversions.factories import ApplicationFactory, ClickFactory, ProgramFactory
from tracking.models import Click

pytestmark = pytest.mark.django_db

Render = Callable[[Any], dict[str, Any]]


def report(merchant: Merchant, mode: str = "live", **fields: Any) -> Conversion:
    data = services.ConversionInput(
        external_transaction_id=fields.pop("external_transaction_id", uuid.uuid4().hex),
        **{"amount_cents": 4900, "currency": "EUR", **fields},
    )
    return services.conversion_create(merchant=merchant, mode=mode, data=data).conversion


def reverse(conversion: Conversion, reason: str = "refund") -> Conversion:
    return services.conversion_reverse(
        merchant=conversion.merchant,
        mode=conversion.mode,
        conversion_id=conversion.pk,
        reason=reason,
    )


def assert_same_json(render: Render, serializer: type[BaseSerializer], load: Callable[[], Any]):
    """Two loads of one row, one per renderer: same bytes, and no query more."""
    old_instance, new_instance = load(), load()
    with CaptureQueriesContext(connection) as old_queries:
        expected = serializer(old_instance).data
    with CaptureQueriesContext(connection) as new_queries:
        actual = render(new_instance)
    # The API's renderer (responses) and Django's encoder (webhook events) alike.
    assert JSONRenderer().render(actual) == JSONRenderer().render(expected)
    assert json.dumps(actual, cls=DjangoJSONEncoder) == json.dumps(
        dict(expected), cls=DjangoJSONEncoder
    )
    assert len(new_queries) <= len(old_queries), [q["sql"] for q in new_queries]


def assert_conversion_renders_alike(conversion: Conversion) -> None:
    # As the services return it (relations cached, some as absent), as the API's
    # selectors read it (joined), and as a bare row (every relation a query).
    assert_same_json(conversion_data, ConversionOut, lambda: conversion)
    assert_same_json(
        conversion_data,
        ConversionOut,
        lambda: selectors.conversion_get(
            merchant=conversion.merchant, mode=conversion.mode, conversion_id=conversion.pk
        ),
    )
    assert_same_json(
        conversion_data, ConversionOut, lambda: Conversion.objects.get(pk=conversion.pk)
    )
    commission = Commission.objects.filter(conversion=conversion).first()
    if commission is not None:
        assert_commission_renders_alike(commission)


def assert_commission_renders_alike(commission: Commission) -> None:
    def bare() -> Commission:
        return Commission.objects.get(pk=commission.pk)

    def for_merchant() -> Commission:
        qs = selectors.commissions_for(merchant=commission.merchant, mode=commission.mode)
        return qs.get(pk=commission.pk)

    def for_partner() -> Commission:
        qs = selectors.commissions_of_partner(partner=commission.partner, mode=commission.mode)
        return qs.get(pk=commission.pk)

    for load in (bare, for_merchant, for_partner):
        assert_same_json(commission_data, CommissionOut, load)
        assert_same_json(partner_commission_data, PartnerCommissionOut, load)
        assert_same_json(commission_brief_data, CommissionBriefOut, load)


def test_click_attributed_conversion_with_metadata(
    merchant: Merchant, click: Click, approved: Any
) -> None:
    conversion = report(
        merchant,
        click_id=click.pk,
        customer_id="cust_1",
        metadata={"cart": ["sku-1", "sku-2"], "note": "Größe L — 🎁", "gift": True, "n": 2},
        occurred_at=timezone.now(),
    )
    assert conversion.attributed and conversion.metadata["note"] == "Größe L — 🎁"
    assert_conversion_renders_alike(conversion)


def test_promo_code_attributed_conversion(
    merchant: Merchant, promo: PromoCode, approved: Any
) -> None:
    conversion = report(merchant, promo_code=promo.code, event_type="lead")
    assert conversion.attributed and conversion.promo_code_raw == promo.code
    assert_conversion_renders_alike(conversion)


def test_unattributed_conversion_without_a_commission(merchant: Merchant, program: Program) -> None:
    conversion = report(merchant, click_id=uuid.uuid4(), amount_cents=None, currency=None)
    assert not conversion.attributed and conversion.program is None
    assert_conversion_renders_alike(conversion)


def test_cpa_conversion_without_an_amount(merchant: Merchant, partner: Partner) -> None:
    program = ProgramFactory(
        merchant=merchant,
        mode="live",
        commission_type="cpa",
        cpa_amount_cents=1500,
        percent_bps=None,
    )
    ApplicationFactory(program=program, partner=partner)
    click = ClickFactory(program=program, partner=partner)
    conversion = report(merchant, click_id=click.pk, amount_cents=None, currency=None)
    assert conversion.commission.rate_bps is None and conversion.amount_cents is None
    assert_conversion_renders_alike(conversion)


@pytest.mark.parametrize("status", [CommissionStatus.PENDING, CommissionStatus.APPROVED])
def test_reversed_conversion_and_commission(
    merchant: Merchant, click: Click, approved: Any, status: str
) -> None:
    conversion = report(merchant, click_id=click.pk)
    Commission.objects.update(status=status, approved_at=timezone.now())
    reversed_conversion = reverse(conversion, "chargeback")
    assert reversed_conversion.commission.status == CommissionStatus.REVERSED
    assert_conversion_renders_alike(reversed_conversion)


def test_paid_commission_reversed_with_an_adjustment(
    merchant: Merchant, click: Click, approved: Any
) -> None:
    conversion = report(merchant, click_id=click.pk)
    Commission.objects.update(status=CommissionStatus.PAID, paid_at=timezone.now())
    reversed_conversion = reverse(conversion, "fraud")
    assert reversed_conversion.commission.adjustment.amount_cents == -490
    assert_conversion_renders_alike(reversed_conversion)


def test_conversion_of_an_erased_partner(
    merchant: Merchant, click: Click, approved: Any, partner: Partner
) -> None:
    conversion = report(merchant, click_id=click.pk)
    partner_services.partner_erase(partner=partner)
    assert_conversion_renders_alike(Conversion.objects.get(pk=conversion.pk))


def test_test_mode_conversion(merchant: Merchant, test_click: Click, test_program: Any) -> None:
    ApplicationFactory(program=test_program, partner=test_click.partner)
    conversion = report(merchant, mode="test", click_id=test_click.pk)
    assert conversion.mode == "test" and conversion.attributed
    assert_conversion_renders_alike(conversion)


def test_times_follow_the_active_time_zone_as_drf_does(
    merchant: Merchant, click: Click, approved: Any
) -> None:
    conversion = report(merchant, click_id=click.pk)
    with timezone.override("America/St_Johns"):
        assert_conversion_renders_alike(conversion)


def test_conversions_approved_in_a_batch_render_alike(
    merchant: Merchant, click: Click, approved: Any
) -> None:
    conversion = report(merchant, click_id=click.pk)
    Commission.objects.update(approve_after=timezone.now() - timedelta(seconds=1))
    assert services.commissions_approve_due() == 1
    assert_conversion_renders_alike(Conversion.objects.get(pk=conversion.pk))


def _fields(serializer: BaseSerializer) -> list[str]:
    return list(serializer.fields)  # type: ignore[attr-defined]


def test_keys_are_the_declared_fields_of_the_serializers(
    merchant: Merchant, click: Click, approved: Any
) -> None:
    conversion = report(merchant, click_id=click.pk)
    Commission.objects.update(status=CommissionStatus.PAID, paid_at=timezone.now())
    conversion = reverse(conversion)
    commission = Commission.objects.get()

    data = conversion_data(conversion)
    assert list(data) == _fields(ConversionOut())
    assert list(data["attribution"]) == _fields(AttributionOut())
    assert list(data["attribution"]["explanation"]) == _fields(ExplanationOut())
    assert data["attribution"]["steps"]
    for step in data["attribution"]["steps"]:
        assert list(step) == _fields(StepOut())
    assert list(data["program"]) == _fields(ProgramRefOut())
    assert list(data["partner"]) == _fields(PartnerRefOut())
    assert list(data["commission"]) == _fields(CommissionBriefOut())
    assert list(data["commission"]["adjustment"]) == _fields(AdjustmentOut())

    merchant_side = commission_data(commission)
    assert list(merchant_side) == _fields(CommissionOut())
    assert list(merchant_side["program"]) == _fields(ProgramRefOut())
    assert list(merchant_side["partner"]) == _fields(PartnerRefOut())
    assert list(merchant_side["adjustment"]) == _fields(AdjustmentOut())

    partner_side = partner_commission_data(commission)
    assert list(partner_side) == _fields(PartnerCommissionOut())
    assert list(partner_side["merchant"]) == _fields(MerchantRefOut())
    assert list(partner_side["program"]) == _fields(ProgramRefOut())
    assert list(partner_side["adjustment"]) == _fields(AdjustmentOut())
