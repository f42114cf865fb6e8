"""Staff admin pages for conversions, commissions, adjustments and test sessions."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from conversions.models import Commission, CommissionAdjustment, CommissionStatus, Conversion
from tests.conversions.conftest import body, post
from tests.factories import UserFactory
from tracking.models import Click

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff() -> Client:
    client = Client()
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    return client


@pytest.fixture
def reversed_after_payment(sk_live: Any, click: Click) -> Conversion:
    created = post(sk_live, body(click_id=str(click.pk))).json()
    Commission.objects.update(status=CommissionStatus.PAID)
    response = sk_live.post(
        f"/api/v1/conversions/{created['id']}/reverse", {"reason": "refund"}, format="json"
    )
    assert response.status_code == 200
    assert CommissionAdjustment.objects.count() == 1
    return Conversion.objects.get()


@pytest.mark.parametrize(
    "model", ["conversion", "commission", "commissionadjustment", "testsession"]
)
def test_changelists_render_without_counting(
    staff: Client, reversed_after_payment: Conversion, model: str
) -> None:
    response = staff.get(f"/admin/conversions/{model}/?q=x")

    assert response.status_code == 200


def test_conversion_change_page_renders(staff: Client, reversed_after_payment: Conversion) -> None:
    response = staff.get(f"/admin/conversions/conversion/{reversed_after_payment.pk}/change/")

    assert response.status_code == 200
    assert b"attribution_steps" in response.content or b"Attribution steps" in response.content
