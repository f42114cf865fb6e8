"""POST /api/v1/conversions/<id>/reverse: refunds and chargebacks, before and after payment."""

from __future__ import annotations

from typing import Any

import pytest

from conversions.models import (
    Commission,
    CommissionAdjustment,
    CommissionStatus,
    Conversion,
)
from tests.conftest import Keys, api_client, assert_error
from tests.conversions.conftest import body, post
from tracking.models import Click
from webhooks.models import Event

pytestmark = pytest.mark.django_db


def reverse(client: Any, conversion_id: str, reason: Any = "refund") -> Any:
    return client.post(
        f"/api/v1/conversions/{conversion_id}/reverse", {"reason": reason}, format="json"
    )


@pytest.fixture
def reported(sk_live: Any, click: Click) -> dict[str, Any]:
    response = post(sk_live, body(click_id=str(click.pk)))
    assert response.status_code == 201
    data: dict[str, Any] = response.json()
    return data


@pytest.mark.parametrize("status", ["pending", "approved"])
def test_reversal_before_payment_reverses_conversion_and_commission(
    sk_live: Any, reported: dict[str, Any], status: str
) -> None:
    Commission.objects.update(status=status)

    response = reverse(sk_live, reported["id"], "chargeback")

    assert response.status_code == 200
    data = response.json()
    assert data["status"] == "reversed" and data["reversal_reason"] == "chargeback"
    assert data["reversed_at"] is not None
    assert data["commission"]["status"] == "reversed"
    assert data["commission"]["reversed_at"] is not None
    assert data["commission"]["adjustment"] is None
    conversion = Conversion.objects.get()
    assert (conversion.status, conversion.reversal_reason) == ("reversed", "chargeback")
    assert Commission.objects.get().status == "reversed"
    assert CommissionAdjustment.objects.count() == 0


def test_reversal_emits_conversion_and_commission_reversed(
    sk_live: Any, reported: dict[str, Any]
) -> None:
    response = reverse(sk_live, reported["id"])

    events = {e.type: e.payload["data"] for e in Event.objects.filter(type__endswith="reversed")}
    assert set(events) == {"conversion.reversed", "commission.reversed"}
    assert events["conversion.reversed"] == response.json()
    assert events["commission.reversed"]["status"] == "reversed"


def test_reversal_after_payment_records_a_negative_adjustment(
    sk_live: Any, reported: dict[str, Any]
) -> None:
    Commission.objects.update(status=CommissionStatus.PAID)

    response = reverse(sk_live, reported["id"], "fraud")

    assert response.status_code == 200
    commission = Commission.objects.get()
    adjustment = CommissionAdjustment.objects.get()
    assert commission.status == "paid" and commission.reversed_at is not None
    assert (adjustment.amount_cents, adjustment.currency) == (-490, "EUR")
    assert (adjustment.status, adjustment.reason) == ("open", "fraud")
    assert adjustment.partner_id == commission.partner_id
    assert (adjustment.merchant_id, adjustment.mode) == (commission.merchant_id, "live")
    assert response.json()["commission"]["adjustment"] == {
        "id": str(adjustment.pk),
        "amount_cents": -490,
        "currency": "EUR",
        "reason": "fraud",
        "status": "open",
        "created_at": response.json()["commission"]["adjustment"]["created_at"],
        "applied_at": None,
    }
    assert Event.objects.filter(type="commission.reversed").count() == 1


def test_reversing_twice_is_idempotent_and_keeps_the_first_reason(
    sk_live: Any, reported: dict[str, Any]
) -> None:
    first = reverse(sk_live, reported["id"], "refund")
    events = Event.objects.count()

    second = reverse(sk_live, reported["id"], "fraud")

    assert second.status_code == 200
    assert second.json() == first.json()
    assert second.json()["reversal_reason"] == "refund"
    assert Event.objects.count() == events


def test_reversing_a_paid_commission_twice_creates_one_adjustment(
    sk_live: Any, reported: dict[str, Any]
) -> None:
    Commission.objects.update(status=CommissionStatus.PAID)

    reverse(sk_live, reported["id"])
    reverse(sk_live, reported["id"])

    assert CommissionAdjustment.objects.count() == 1


def test_unattributed_conversion_can_be_reversed(sk_live: Any) -> None:
    created = post(sk_live, body(promo_code="NOPE")).json()

    response = reverse(sk_live, created["id"], "other")

    assert response.status_code == 200
    assert response.json()["status"] == "reversed" and response.json()["commission"] is None
    assert list(Event.objects.filter(type__endswith="reversed").values_list("type", flat=True)) == [
        "conversion.reversed"
    ]


@pytest.mark.parametrize("reason", ["", "mistake", None, 1])
def test_unknown_reason_is_400_and_changes_nothing(
    sk_live: Any, reported: dict[str, Any], reason: Any
) -> None:
    error = assert_error(reverse(sk_live, reported["id"], reason), 400, "VALIDATION_ERROR")

    assert error["details"][0]["field"] == "reason"
    assert Conversion.objects.get().status == "pending"


def test_another_merchants_conversion_is_404(other_keys: Keys, reported: dict[str, Any]) -> None:
    assert_error(reverse(api_client(other_keys.sk_live), reported["id"]), 404, "NOT_FOUND")
    assert Conversion.objects.get().status == "pending"


def test_a_live_conversion_is_404_for_the_test_key(keys: Keys, reported: dict[str, Any]) -> None:
    assert_error(reverse(api_client(keys.sk_test), reported["id"]), 404, "NOT_FOUND")
    assert Conversion.objects.get().status == "pending"


def test_unknown_id_is_404(sk_live: Any) -> None:
    assert_error(reverse(sk_live, "550e8400-e29b-41d4-a716-446655440000"), 404, "NOT_FOUND")


def test_dashboard_token_cannot_reverse(alice_client: Any, reported: dict[str, Any]) -> None:
    assert_error(reverse(alice_client, reported["id"]), 403, "FORBIDDEN")
    assert Conversion.objects.get().status == "pending"


def test_reversal_without_key_is_401_invalid_api_key(
    anon_client: Any, reported: dict[str, Any]
) -> None:
    assert_error(reverse(anon_client, reported["id"]), 401, "INVALID_API_KEY")
