"""Money rows in the admin: conversions, commissions and adjustments are read-only there;
statuses change only through the services, by actions that emit the events."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.contrib.messages import get_messages
from django.test import Client
from django.utils import timezone

from conversions.models import (
    Commission,
    CommissionAdjustment,
    CommissionStatus,
    Conversion,
    ConversionStatus,
)
from tests.conversions.conftest import body, post
from tests.factories import UserFactory
from tracking.models import Click
from webhooks.models import Event

pytestmark = pytest.mark.django_db

MONEY = ["conversion", "commission", "commissionadjustment"]


@pytest.fixture
def staff() -> Client:
    client = Client()
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    return client


@pytest.fixture
def sale(sk_live: Any, click: Click) -> Conversion:
    response = post(sk_live, body(click_id=str(click.pk)))
    assert response.status_code == 201
    return Conversion.objects.get()


@pytest.fixture
def adjusted(sk_live: Any, sale: Conversion) -> CommissionAdjustment:
    Commission.objects.update(status=CommissionStatus.PAID)
    response = sk_live.post(
        f"/api/v1/conversions/{sale.pk}/reverse", {"reason": "refund"}, format="json"
    )
    assert response.status_code == 200
    return CommissionAdjustment.objects.get()


def _snapshot() -> list[Any]:
    return [
        list(Conversion.objects.values().order_by("pk")),
        list(Commission.objects.values().order_by("pk")),
        list(CommissionAdjustment.objects.values().order_by("pk")),
        list(Event.objects.values_list("type", flat=True).order_by("created_at")),
    ]


def _act(staff: Client, model: str, action: str, *rows: Any) -> list[str]:
    response = staff.post(
        f"/admin/conversions/{model}/",
        {"action": action, "_selected_action": [str(row.pk) for row in rows]},
    )
    assert response.status_code == 302
    return [str(message) for message in get_messages(response.wsgi_request)]


@pytest.mark.parametrize("model", MONEY)
def test_money_rows_cannot_be_added_changed_or_deleted_in_the_admin(
    staff: Client, adjusted: CommissionAdjustment, model: str
) -> None:
    row = {
        "conversion": adjusted.commission.conversion,
        "commission": adjusted.commission,
        "commissionadjustment": adjusted,
    }[model]
    before = _snapshot()

    add = staff.get(f"/admin/conversions/{model}/add/")
    change = staff.post(
        f"/admin/conversions/{model}/{row.pk}/change/",
        {"status": "approved", "amount_cents": "1", "currency": "USD"},
    )
    delete = staff.post(f"/admin/conversions/{model}/{row.pk}/delete/", {"post": "yes"})
    page = staff.get(f"/admin/conversions/{model}/{row.pk}/change/")

    assert (add.status_code, change.status_code, delete.status_code) == (403, 403, 403)
    assert page.status_code == 200
    assert 'name="_save"' not in page.content.decode()
    assert _snapshot() == before


def test_reversing_a_conversion_goes_through_the_service_and_emits_its_events(
    staff: Client, sale: Conversion
) -> None:
    events_before = Event.objects.count()

    notes = _act(staff, "conversion", "reverse_refund", sale)

    assert notes == ["1 reversed"]
    sale.refresh_from_db()
    assert (sale.status, sale.reversal_reason) == (ConversionStatus.REVERSED, "refund")
    assert sale.reversed_at is not None
    commission = Commission.objects.get()
    assert commission.status == CommissionStatus.REVERSED
    new_events = list(
        Event.objects.order_by("created_at").values_list("type", flat=True)[events_before:]
    )
    assert new_events == ["conversion.reversed", "commission.reversed"]


def test_reversing_a_reversed_conversion_is_refused_with_a_message_and_changes_nothing(
    staff: Client, adjusted: CommissionAdjustment
) -> None:
    conversion = adjusted.commission.conversion
    before = _snapshot()

    notes = _act(staff, "conversion", "reverse_fraud", conversion)

    assert notes == [f"{conversion}: The conversion is already reversed"]
    assert _snapshot() == before


def test_approving_a_due_commission_emits_commission_approved(
    staff: Client, sale: Conversion
) -> None:
    commission = Commission.objects.get()
    Commission.objects.update(approve_after=timezone.now() - timedelta(minutes=1))
    events_before = Event.objects.count()

    notes = _act(staff, "commission", "approve_due", commission)

    assert notes == ["1 approved"]
    commission.refresh_from_db()
    assert commission.status == CommissionStatus.APPROVED
    assert commission.approved_at is not None
    assert Conversion.objects.get().status == ConversionStatus.APPROVED
    assert list(Event.objects.values_list("type", flat=True).order_by("created_at"))[
        events_before:
    ] == ["commission.approved"]
    event = Event.objects.get(type="commission.approved")
    assert event.payload["data"]["id"] == str(commission.pk)
    assert event.payload["data"]["status"] == "approved"


def test_approving_a_commission_still_on_hold_is_refused_with_a_message(
    staff: Client, sale: Conversion
) -> None:
    commission = Commission.objects.get()
    assert commission.approve_after > timezone.now()
    before = _snapshot()

    notes = _act(staff, "commission", "approve_due", commission)

    assert notes == [
        f"{commission}: The hold period is not over: the commission is due on "
        f"{commission.approve_after:%Y-%m-%d %H:%M} UTC"
    ]
    assert _snapshot() == before


def test_approving_a_paid_commission_is_refused_with_a_message(
    staff: Client, sale: Conversion
) -> None:
    Commission.objects.update(
        status=CommissionStatus.PAID, approve_after=timezone.now() - timedelta(days=1)
    )
    commission = Commission.objects.get()
    before = _snapshot()

    notes = _act(staff, "commission", "approve_due", commission)

    assert notes == [f"{commission}: Only a pending commission can be approved (it is paid)"]
    assert _snapshot() == before


def test_one_refusal_does_not_stop_the_other_rows(
    staff: Client, sk_live: Any, adjusted: CommissionAdjustment, click: Click
) -> None:
    reversed_one = adjusted.commission.conversion
    response = post(sk_live, body(click_id=str(click.pk), external_transaction_id="order_789"))
    assert response.status_code == 201
    open_one = Conversion.objects.get(external_transaction_id="order_789")

    notes = _act(staff, "conversion", "reverse_chargeback", reversed_one, open_one)

    assert sorted(notes) == sorted(
        [f"{reversed_one}: The conversion is already reversed", "1 reversed"]
    )
    open_one.refresh_from_db()
    reversed_one.refresh_from_db()
    assert (open_one.status, open_one.reversal_reason) == ("reversed", "chargeback")
    assert reversed_one.reversal_reason == "refund"
