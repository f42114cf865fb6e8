"""One delivery attempt against a real receiver: success, failures, and what is kept."""

from __future__ import annotations

import ssl
import time
from datetime import UTC, datetime, timedelta

import pytest
import trustme
from django.utils import timezone
from standardwebhooks import Webhook

from accounts.models import Role
from tests.factories import MembershipFactory
from tests.webhooks.receiver import Receiver, Reply
from webhooks import services, transport
from webhooks.models import Delivery, Event, WebhookEndpoint

pytestmark = pytest.mark.django_db


def _deliver_one(merchant, endpoint, type="conversion.created") -> Delivery:
    event = services.emit(merchant=merchant, mode=endpoint.mode, type=type, data={"id": "x"})
    (delivery_id,) = services.event_fan_out(event_id=event.pk)
    services.delivery_attempt(delivery_id=delivery_id)
    return Delivery.objects.get(pk=delivery_id)


def test_a_5xx_answer_fails_the_attempt_and_schedules_the_next_in_about_5_seconds(
    merchant, endpoint, receiver
):
    receiver.default = Reply(500, b"upstream exploded")
    delivery = _deliver_one(merchant, endpoint)
    assert (delivery.status, delivery.response_status) == ("failed", 500)
    assert delivery.response_excerpt == "upstream exploded"
    assert delivery.error == "The endpoint answered 500"
    retry = Delivery.objects.get(attempt=2)
    assert (retry.status, retry.trigger, retry.event_id) == (
        "pending",
        "automatic",
        delivery.event_id,
    )
    wait = retry.next_attempt_at - delivery.attempted_at
    assert timedelta(seconds=4.5) <= wait <= timedelta(seconds=5.6)
    endpoint.refresh_from_db()
    assert endpoint.failing_since is not None
    assert endpoint.last_failure_at is not None
    assert endpoint.disabled_at is None


def test_a_redirect_is_a_failure_and_is_never_followed(merchant, endpoint, receiver):
    receiver.default = Reply(302, b"", {"Location": "http://169.254.169.254/latest/meta-data/"})
    delivery = _deliver_one(merchant, endpoint)
    assert (delivery.status, delivery.response_status) == ("failed", 302)
    assert len(receiver.requests) == 1


def test_a_hanging_receiver_is_abandoned_at_the_timeout(merchant, endpoint, receiver, settings):
    settings.SELGEO_WEBHOOKS_TIMEOUT_SECONDS = 1.0
    receiver.default = Reply(hang_seconds=10)
    started = time.monotonic()
    delivery = _deliver_one(merchant, endpoint)
    assert time.monotonic() - started < 2.5
    assert delivery.status == "failed"
    assert delivery.response_status is None
    assert delivery.error == "Timed out after 1 s"
    assert 950 <= delivery.latency_ms < 2500


def test_a_receiver_dribbling_its_answer_is_cut_at_the_deadline(
    merchant, endpoint, receiver, settings
):
    # Each byte comes well within the read timeout; only the overall deadline stops it.
    settings.SELGEO_WEBHOOKS_TIMEOUT_SECONDS = 1.0
    receiver.default = Reply(200, body_size=1000, dribble_seconds=0.2)
    started = time.monotonic()
    delivery = _deliver_one(merchant, endpoint)
    assert time.monotonic() - started < 2.5
    assert delivery.status == "failed"
    assert delivery.response_status is None
    assert delivery.error == "Timed out after 1 s"


def test_a_huge_answer_is_read_only_up_to_the_cap(merchant, endpoint, receiver):
    receiver.default = Reply(200, body_size=20 * 1024 * 1024)
    started = time.monotonic()
    delivery = _deliver_one(merchant, endpoint)
    assert time.monotonic() - started < 2
    assert (delivery.status, delivery.response_status) == ("succeeded", 200)
    assert delivery.response_excerpt == "x" * 2048


def test_a_closed_port_fails_the_attempt_without_raising(merchant, endpoint, receiver):
    receiver.stop()
    delivery = _deliver_one(merchant, endpoint)
    assert delivery.status == "failed"
    assert delivery.response_status is None
    assert delivery.error.startswith("Connection failed")


def test_410_gone_disables_the_endpoint_and_tells_owners_and_admins(
    merchant, alice, endpoint, receiver, mailoutbox, django_capture_on_commit_callbacks
):
    admin = MembershipFactory(merchant=merchant, role=Role.ADMIN).user
    MembershipFactory(merchant=merchant, role=Role.MEMBER)
    receiver.default = Reply(410, b"gone")
    with django_capture_on_commit_callbacks(execute=True):
        delivery = _deliver_one(merchant, endpoint)
    assert delivery.status == "failed"
    assert not Delivery.objects.filter(attempt=2).exists()
    endpoint.refresh_from_db()
    assert endpoint.disabled_at is not None
    assert endpoint.disabled_reason == "gone"
    # One mail to each owner and admin (each may switch it off for itself).
    assert sorted(to for mail in mailoutbox for to in mail.to) == sorted([alice.email, admin.email])
    assert all(endpoint.url in mail.body for mail in mailoutbox)


@pytest.mark.parametrize("status", [429, 502, 503, 504])
def test_retry_after_is_honoured_on_throttling_and_gateway_errors(
    merchant, endpoint, receiver, status
):
    receiver.default = Reply(status, b"", {"Retry-After": "600"})
    delivery = _deliver_one(merchant, endpoint)
    retry = Delivery.objects.get(attempt=2)
    wait = retry.next_attempt_at - delivery.attempted_at
    assert timedelta(seconds=600) <= wait <= timedelta(seconds=602)


def test_retry_after_is_capped_at_one_day(merchant, endpoint, receiver):
    receiver.default = Reply(429, b"", {"Retry-After": str(30 * 86400)})
    delivery = _deliver_one(merchant, endpoint)
    retry = Delivery.objects.get(attempt=2)
    wait = retry.next_attempt_at - delivery.attempted_at
    assert timedelta(days=1) <= wait <= timedelta(days=1, seconds=2)


def test_retry_after_is_ignored_on_other_statuses(merchant, endpoint, receiver):
    receiver.default = Reply(500, b"", {"Retry-After": "600"})
    delivery = _deliver_one(merchant, endpoint)
    wait = Delivery.objects.get(attempt=2).next_attempt_at - delivery.attempted_at
    assert wait <= timedelta(seconds=6)


def test_the_hostname_is_kept_in_the_host_header_while_the_checked_address_is_dialled(
    merchant, receiver, fake_dns
):
    fake_dns["receiver.example.test"] = [["127.0.0.1"]]
    url = f"http://receiver.example.test:{receiver.port}/hooks/selgeo"
    endpoint = services.endpoint_create(merchant=merchant, mode="test", url=url)
    delivery = _deliver_one(merchant, endpoint)
    assert delivery.status == "succeeded"
    assert receiver.requests[0].headers["host"] == f"receiver.example.test:{receiver.port}"


def test_after_a_rotation_both_secrets_verify_until_the_old_one_expires(
    merchant, endpoint, receiver, time_machine
):
    time_machine.move_to("2026-03-01T12:00:00Z", tick=True)
    old_secret = endpoint.secret
    rotated = services.endpoint_rotate_secret(endpoint=endpoint, previous_valid_hours=24)
    _deliver_one(merchant, rotated)
    first = receiver.requests[0]
    assert len(first.headers["webhook-signature"].split(" ")) == 2
    Webhook(rotated.secret).verify(first.body, first.headers)
    Webhook(old_secret).verify(first.body, first.headers)
    time_machine.move_to("2026-03-02T12:00:01Z", tick=True)
    _deliver_one(merchant, rotated)
    second = receiver.requests[1]
    assert len(second.headers["webhook-signature"].split(" ")) == 1
    Webhook(rotated.secret).verify(second.body, second.headers)


def test_a_delivery_is_sent_once_however_often_its_task_runs(merchant, endpoint, receiver):
    event = services.emit(merchant=merchant, mode="test", type="payout.paid", data={})
    (delivery_id,) = services.event_fan_out(event_id=event.pk)
    assert services.delivery_attempt(delivery_id=delivery_id) is not None
    assert services.delivery_attempt(delivery_id=delivery_id) is None
    assert len(receiver.requests) == 1


def test_a_retry_is_not_sent_before_it_is_due(merchant, endpoint, receiver):
    receiver.default = Reply(500)
    _deliver_one(merchant, endpoint)
    retry = Delivery.objects.get(attempt=2)
    assert services.delivery_attempt(delivery_id=retry.pk) is None
    assert len(receiver.requests) == 1
    retry.refresh_from_db()
    assert retry.status == "pending"


def test_deliveries_to_an_endpoint_disabled_meanwhile_are_cancelled(merchant, endpoint, receiver):
    event = services.emit(merchant=merchant, mode="test", type="payout.paid", data={})
    (delivery_id,) = services.event_fan_out(event_id=event.pk)
    WebhookEndpoint.objects.filter(pk=endpoint.pk).update(disabled_at=event.created_at)
    services.delivery_attempt(delivery_id=delivery_id)
    delivery = Delivery.objects.get(pk=delivery_id)
    assert (delivery.status, delivery.error) == ("cancelled", "The endpoint is disabled")
    assert receiver.requests == []
    assert Event.objects.count() == 1


def test_https_dials_the_checked_address_with_the_hostname_for_sni_and_certificate(
    merchant, fake_dns, settings, tmp_path
):
    authority = trustme.CA()
    server_context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    authority.issue_cert("receiver.example.test").configure_cert(server_context)
    bundle = tmp_path / "ca.pem"
    authority.cert_pem.write_to_path(str(bundle))
    settings.SELGEO_WEBHOOKS_CA_BUNDLE = str(bundle)
    settings.SELGEO_WEBHOOKS_ALLOW_LOOPBACK = True
    server = Receiver(tls=server_context).start()
    try:
        fake_dns["receiver.example.test"] = [["127.0.0.1"]]
        fake_dns["impostor.example.test"] = [["127.0.0.1"]]
        good = services.endpoint_create(
            merchant=merchant, mode="live", url=f"https://receiver.example.test:{server.port}/h"
        )
        assert _deliver_one(merchant, good).status == "succeeded"
        assert server.server_names == ["receiver.example.test"]
        assert server.requests[0].headers["host"] == f"receiver.example.test:{server.port}"
        # The certificate is checked against the name in the URL, not the address dialled.
        WebhookEndpoint.objects.filter(pk=good.pk).update(disabled_at=timezone.now())
        impostor = services.endpoint_create(
            merchant=merchant, mode="live", url=f"https://impostor.example.test:{server.port}/h"
        )
        refused = _deliver_one(merchant, impostor)
        assert refused.status == "failed"
        assert "certificate" in refused.error.lower()
        assert len(server.requests) == 1
    finally:
        server.stop()


@pytest.mark.parametrize(
    ("header", "seconds"),
    [
        ("120", 120),
        (" 7 ", 7),
        ("Sun, 01 Mar 2026 12:01:00 GMT", 60),
        ("Sun, 01 Mar 2026 11:00:00 GMT", 0),
        ("soon", None),
        ("-5", None),
        ("", None),
        (None, None),
    ],
)
def test_retry_after_reads_seconds_or_an_http_date(header, seconds):
    now = datetime(2026, 3, 1, 12, 0, tzinfo=UTC).timestamp()
    assert transport.parse_retry_after(header, now=now) == seconds
