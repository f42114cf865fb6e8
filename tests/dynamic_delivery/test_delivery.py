"""Dynamic delivery end to end: approval → signed POST from the task → the partner's text;
a failing URL is retried, then disabled and the merchant told; a refused one at once."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone
from standardwebhooks import Webhook

from dynamic_delivery import services
from dynamic_delivery.models import DynamicDelivery, DynamicUrl
from dynamic_delivery.tasks import deliver, sweep
from notifications.models import Kind
from partners import services as partners
from tests.dashboard.conftest import browser
from tests.notifications.conftest import notices
from tests.partners.factories import ApplicationFactory
from tests.webhooks.receiver import Reply

pytestmark = pytest.mark.django_db


def approve(application: Any, capture: Any) -> None:
    with capture(execute=True):
        partners.application_approve(application=application, message="Welcome")


def test_an_approved_partner_gets_the_text_the_dynamic_url_answers(
    serials, anna, anna_applies, receiver, django_capture_on_commit_callbacks
):
    dynamic = services.dynamic_url_set(program=serials, url=receiver.url + "?secret=s3cr3t")
    receiver.default = Reply(body=b"  KEY-ANNA-7F3Q-99\n")

    approve(anna_applies, django_capture_on_commit_callbacks)

    (request,) = receiver.requests
    assert request.path == "/hooks/selgeo?secret=s3cr3t"
    # Signed the Standard Webhooks way with the program's own secret.
    Webhook(dynamic.secret).verify(request.body, request.headers)
    delivery = DynamicDelivery.objects.get()
    assert request.headers["webhook-id"] == f"dyn_{delivery.pk}"
    body = json.loads(request.body)
    assert body["type"] == "partner.approved"
    assert body["mode"] == "test"
    assert body["program"] == {
        "id": str(serials.pk),
        "code": "KEYS",
        "name": "Game Keys",
        "currency": "EUR",
        "commission_type": "cps",
    }
    assert body["partner"]["id"] == str(anna.pk)
    assert body["partner"]["display_name"] == "Anna Plays"
    assert body["partner"]["referral_code"]
    assert body["application"]["id"] == str(anna_applies.pk)
    assert (delivery.status, delivery.text, delivery.attempts) == (
        "delivered",
        "KEY-ANNA-7F3Q-99",
        1,
    )

    # The partner sees it in the portal, on the program's card (in test mode).
    assert anna.user is not None
    page = browser(anna.user, mode="test").get("/partner/").content.decode()
    assert 'data-testid="delivery-text-KEYS"' in page
    assert "KEY-ANNA-7F3Q-99" in page

    # A second run of the task sends nothing: the delivery is done.
    assert deliver(str(delivery.pk)) is None
    assert len(receiver.requests) == 1


def test_the_answer_is_cut_to_500_characters(
    serials, anna_applies, receiver, django_capture_on_commit_callbacks
):
    services.dynamic_url_set(program=serials, url=receiver.url)
    receiver.default = Reply(body=("é" * 499 + "ü€" + "x" * 100).encode())

    approve(anna_applies, django_capture_on_commit_callbacks)

    text = DynamicDelivery.objects.get().text
    assert len(text) == 500
    assert text == "é" * 499 + "ü"


def test_a_url_that_keeps_failing_is_retried_then_disabled_and_the_merchant_told(
    serials,
    anna_applies,
    alice,
    receiver,
    mailoutbox,
    time_machine,
    django_capture_on_commit_callbacks,
):
    time_machine.move_to(timezone.now(), tick=False)
    services.dynamic_url_set(program=serials, url=receiver.url)
    receiver.default = Reply(status=500, body=b"boom")

    approve(anna_applies, django_capture_on_commit_callbacks)
    delivery = DynamicDelivery.objects.get()
    assert (delivery.status, delivery.attempts, delivery.response_status) == ("pending", 1, 500)
    # Not due yet: the sweep leaves it alone.
    assert sweep() == 0
    for wait in (30, 120, 600, 1800):
        time_machine.shift(timedelta(seconds=wait))
        with django_capture_on_commit_callbacks(execute=True):
            assert sweep() == 1

    assert len(receiver.requests) == 5
    assert {r.headers["webhook-id"] for r in receiver.requests} == {f"dyn_{delivery.pk}"}
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == ("failed", 5)
    dynamic = DynamicUrl.objects.get()
    assert dynamic.disabled_at is not None
    assert dynamic.disabled_reason == (
        "5 requests in a row failed; the last one: The URL answered HTTP 500"
    )
    (mail,) = notices(mailoutbox, Kind.DYNAMIC_URL_DISABLED)
    assert mail.to == [alice.email]
    assert mail.subject == "Dynamic delivery URL of Game Keys disabled (test mode)"
    assert receiver.url in mail.body
    assert "5 requests in a row failed" in mail.body

    # The dashboard says so, on the programs page and on the program's own page.
    web = browser(alice, serials.merchant, mode="test")
    programs = web.get("/dashboard/programs/").content.decode()
    assert 'data-testid="dynamic-url-alerts"' in programs and "Game Keys" in programs
    detail = web.get(f"/dashboard/programs/{serials.pk}/").content.decode()
    assert 'data-testid="dynamic-url-disabled"' in detail

    # A partner approved now is not sent anywhere.
    other = ApplicationFactory(program=serials, status="pending")
    approve(other, django_capture_on_commit_callbacks)
    assert len(receiver.requests) == 5
    assert DynamicDelivery.objects.count() == 1


def test_one_success_resets_the_count_of_failures(
    serials, anna_applies, receiver, time_machine, django_capture_on_commit_callbacks
):
    time_machine.move_to(timezone.now(), tick=False)
    services.dynamic_url_set(program=serials, url=receiver.url)
    receiver.replies.extend([Reply(status=503), Reply(status=502), Reply(body=b"CODE-1")])

    approve(anna_applies, django_capture_on_commit_callbacks)
    for wait in (30, 120):
        time_machine.shift(timedelta(seconds=wait))
        sweep()

    delivery = DynamicDelivery.objects.get()
    assert (delivery.status, delivery.attempts, delivery.text) == ("delivered", 3, "CODE-1")
    assert DynamicUrl.objects.get().consecutive_failures == 0


def test_an_empty_answer_is_a_failed_attempt(
    serials, anna_applies, receiver, django_capture_on_commit_callbacks
):
    services.dynamic_url_set(program=serials, url=receiver.url)
    receiver.default = Reply(body=b" \n")
    approve(anna_applies, django_capture_on_commit_callbacks)
    delivery = DynamicDelivery.objects.get()
    assert (delivery.status, delivery.last_error) == (
        "pending",
        "The URL answered with an empty body",
    )


def test_a_url_that_turns_private_is_refused_at_delivery_and_disabled_at_once(
    serials, anna_applies, alice, fake_dns, mailoutbox, django_capture_on_commit_callbacks
):
    # Public when saved, private when Selgeo is about to connect (DNS rebinding).
    fake_dns["dynamic.shop.example"] = [["93.184.216.34"], ["10.0.0.1"]]
    services.dynamic_url_set(program=serials, url="http://dynamic.shop.example/serials")

    with django_capture_on_commit_callbacks(execute=True):
        partners.application_approve(application=anna_applies)

    delivery = DynamicDelivery.objects.get()
    assert (delivery.status, delivery.attempts) == ("failed", 1)
    assert delivery.last_error == "Refused: the URL's host resolves to a private address"
    dynamic = DynamicUrl.objects.get()
    assert dynamic.disabled_reason == delivery.last_error
    assert [m.to for m in notices(mailoutbox, Kind.DYNAMIC_URL_DISABLED)] == [[alice.email]]


def test_saving_the_url_again_enables_it(serials, receiver):
    dynamic = services.dynamic_url_set(program=serials, url=receiver.url)
    DynamicUrl.objects.filter(pk=dynamic.pk).update(
        disabled_at=timezone.now(), disabled_reason="x", consecutive_failures=5
    )
    again = services.dynamic_url_set(program=serials, url=receiver.url)
    assert (again.disabled_at, again.consecutive_failures, again.secret) == (
        None,
        0,
        dynamic.secret,
    )
