"""Each payout transition is announced once, signed per Standard Webhooks."""

from __future__ import annotations

import json

import pytest
from standardwebhooks import Webhook

from payouts import services
from payouts.models import Payout
from tests.factories import PartnerFactory
from tests.payouts.money import commission, paypal_account
from tests.webhooks.receiver import Receiver
from webhooks import services as webhook_services
from webhooks.models import Event

pytestmark = pytest.mark.django_db


@pytest.fixture
def receiver(settings):
    settings.SELGEO_WEBHOOKS_ALLOW_LOOPBACK = True
    server = Receiver().start()
    yield server
    server.stop()


def test_created_paid_and_failed_reach_the_endpoint_signed(
    merchant, test_program, jane, receiver, django_capture_on_commit_callbacks
):
    endpoint = webhook_services.endpoint_create(merchant=merchant, mode="test", url=receiver.url)
    kim = PartnerFactory(display_name="Kim")
    paypal_account(kim)
    commission(test_program, jane, 7000)
    commission(test_program, kim, 6000)

    with django_capture_on_commit_callbacks(execute=True):
        run = services.payout_run_create(merchant=merchant, mode="test")
    to_jane = Payout.objects.get(partner=jane)
    to_kim = Payout.objects.get(partner=kim)
    with django_capture_on_commit_callbacks(execute=True):
        services.payout_transition(
            merchant=merchant, mode="test", payout_id=to_jane.pk, to="paid", reference="BANK-9"
        )
    with django_capture_on_commit_callbacks(execute=True):
        services.payout_transition(
            merchant=merchant, mode="test", payout_id=to_kim.pk, to="failed", failure_reason="no"
        )
    # Asking again changes nothing and announces nothing.
    with django_capture_on_commit_callbacks(execute=True):
        services.payout_transition(merchant=merchant, mode="test", payout_id=to_jane.pk, to="paid")

    received = [Webhook(endpoint.secret).verify(r.body, r.headers) for r in receiver.requests]
    seen = sorted((p["type"], p["data"]["id"], p["data"]["status"]) for p in received)
    assert seen == sorted(
        [
            ("payout.created", str(to_jane.pk), "pending"),
            ("payout.created", str(to_kim.pk), "pending"),
            ("payout.paid", str(to_jane.pk), "paid"),
            ("payout.failed", str(to_kim.pk), "failed"),
        ]
    )
    paid = next(p for p in received if p["type"] == "payout.paid")
    assert paid["mode"] == "test"
    assert paid["data"]["reference"] == "BANK-9"
    assert paid["data"]["amount_cents"] == 7000
    assert paid["data"]["run_id"] == str(run.pk)
    assert Event.objects.filter(type__startswith="payout.").count() == 4
    assert json.loads(receiver.requests[0].body)["api_version"] == "v1"


def test_a_paid_payout_cannot_fail_and_nothing_changes(merchant, program, jane):
    commission(program, jane, 7000)
    services.payout_run_create(merchant=merchant, mode="live")
    payout = Payout.objects.get()
    services.payout_transition(merchant=merchant, mode="live", payout_id=payout.pk, to="paid")
    before = Event.objects.count()

    from payouts.run_errors import PayoutTransitionRefused

    with pytest.raises(PayoutTransitionRefused):
        services.payout_transition(merchant=merchant, mode="live", payout_id=payout.pk, to="failed")

    payout.refresh_from_db()
    assert payout.status == "paid"
    assert Event.objects.count() == before
