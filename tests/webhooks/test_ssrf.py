"""SSRF: webhook URLs may not reach private addresses, when saved nor at any delivery."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from tests.conftest import assert_error
from tests.webhooks.factories import WebhookEndpointFactory
from webhooks import services, ssrf
from webhooks.models import Delivery, WebhookEndpoint

pytestmark = pytest.mark.django_db

# Host forms of the battery in RELIABILITY.md, as they appear in a URL.
PRIVATE_HOSTS = [
    "127.0.0.1",
    "0177.1",
    "0x7f.1",
    "0x7f000001",
    "2130706433",
    "127.000.000.001",
    "127.0.1",
    "0.0.0.0",  # noqa: S104
    "[::]",
    "[::1]",
    "[::ffff:127.0.0.1]",
    "[::ffff:7f00:1]",
    "169.254.169.254",
    "[::ffff:169.254.169.254]",
    "[fd00:ec2::254]",
    "[fe80::1]",
    "100.64.0.1",
    "[64:ff9b::a00:1]",
    "[2002:a00:1::1]",
    "198.18.0.1",
    "224.0.0.1",
    "255.255.255.255",
    "localhost",
    "10.0.0.1",
    "172.16.0.1",
    "192.168.1.1",
    "internal.example.test",
]
# Addresses a resolver may answer with: none of them may be dialled.
PRIVATE_ADDRESSES = [
    "127.0.0.1",
    "127.8.9.10",
    "0.0.0.0",  # noqa: S104
    "::",
    "::1",
    "::ffff:127.0.0.1",
    "::ffff:10.0.0.1",
    "169.254.169.254",
    "fd00:ec2::254",
    "fe80::1",
    "100.64.0.1",
    "64:ff9b::a00:1",
    "2002:a00:1::1",
    "2001::1",
    "198.18.0.1",
    "224.0.0.1",
    "ff02::1",
    "255.255.255.255",
    "10.0.0.1",
    "192.0.0.8",
    "240.0.0.1",
]
PUBLIC = "93.184.215.14"


@pytest.fixture
def internal_name(fake_dns):
    fake_dns["internal.example.test"] = [["10.0.0.1"]]
    return fake_dns


@pytest.mark.parametrize("address", PRIVATE_ADDRESSES)
def test_every_private_or_reserved_address_is_classified_as_forbidden(address):
    assert ssrf.classify(address, allow_loopback=False) is not None


@pytest.mark.parametrize("address", [PUBLIC, "8.8.8.8", "2606:4700:4700::1111"])
def test_public_addresses_are_allowed(address):
    assert ssrf.classify(address, allow_loopback=False) is None


def test_allowing_loopback_allows_loopback_and_nothing_else():
    allowed = [a for a in PRIVATE_ADDRESSES if ssrf.classify(a, allow_loopback=True) is None]
    assert allowed == ["127.0.0.1", "127.8.9.10", "::1", "::ffff:127.0.0.1"]


@pytest.mark.parametrize("host", PRIVATE_HOSTS)
def test_creating_an_endpoint_on_a_private_host_is_refused(alice_client, internal_name, host):
    response = alice_client.post(
        "/api/v1/webhooks/endpoints?mode=test", {"url": f"http://{host}/hook"}, format="json"
    )
    assert_error(response, 422, "WEBHOOK_URL_PRIVATE_IP")
    assert WebhookEndpoint.objects.count() == 0


def test_a_host_with_any_private_address_among_its_answers_is_refused(alice_client, fake_dns):
    fake_dns["mixed.example.test"] = [[PUBLIC, "10.1.2.3"]]
    response = alice_client.post(
        "/api/v1/webhooks/endpoints?mode=test",
        {"url": "https://mixed.example.test/hook"},
        format="json",
    )
    assert_error(response, 422, "WEBHOOK_URL_PRIVATE_IP")
    assert WebhookEndpoint.objects.count() == 0


def test_an_unresolvable_host_is_refused(alice_client):
    response = alice_client.post(
        "/api/v1/webhooks/endpoints?mode=test", {"url": "http://foobar.invalid/"}, format="json"
    )
    assert_error(response, 422, "WEBHOOK_URL_UNRESOLVABLE")
    assert WebhookEndpoint.objects.count() == 0


def test_the_loopback_setting_lets_a_local_receiver_in_but_not_private_networks(
    alice_client, settings, internal_name
):
    settings.SELGEO_WEBHOOKS_ALLOW_LOOPBACK = True
    ok = alice_client.post(
        "/api/v1/webhooks/endpoints?mode=test", {"url": "http://127.0.0.1:9/hook"}, format="json"
    )
    assert ok.status_code == 201
    for host in ("10.0.0.1", "169.254.169.254", "internal.example.test", "0.0.0.0"):  # noqa: S104
        response = alice_client.post(
            "/api/v1/webhooks/endpoints?mode=test", {"url": f"http://{host}/"}, format="json"
        )
        assert_error(response, 422, "WEBHOOK_URL_PRIVATE_IP")
    assert WebhookEndpoint.objects.count() == 1


@pytest.mark.parametrize("host", PRIVATE_HOSTS)
def test_delivery_to_a_private_host_is_refused_without_connecting(merchant, internal_name, host):
    # Stored directly, as if the check had been bypassed: delivery checks again.
    endpoint = WebhookEndpointFactory(merchant=merchant, url=f"http://{host}:9/hook")
    event = services.emit(merchant=merchant, mode="test", type="payout.paid", data={})
    (delivery_id,) = services.event_fan_out(event_id=event.pk)
    services.delivery_attempt(delivery_id=delivery_id)
    delivery = Delivery.objects.get(pk=delivery_id)
    assert delivery.status == "failed"
    assert delivery.response_status is None
    assert delivery.error.startswith("Refused: ")
    assert delivery.endpoint_id == endpoint.pk


@pytest.mark.parametrize("address", PRIVATE_ADDRESSES)
def test_a_name_that_rebinds_to_a_private_address_after_creation_is_refused_at_delivery(
    merchant, receiver, fake_dns, settings, address
):
    settings.SELGEO_WEBHOOKS_ALLOW_LOOPBACK = False
    fake_dns["rebind.example.test"] = [[PUBLIC], [address]]
    endpoint = services.endpoint_create(
        merchant=merchant, mode="test", url=f"http://rebind.example.test:{receiver.port}/hook"
    )
    event = services.emit(merchant=merchant, mode="test", type="payout.paid", data={})
    (delivery_id,) = services.event_fan_out(event_id=event.pk)
    services.delivery_attempt(delivery_id=delivery_id)
    delivery = Delivery.objects.get(pk=delivery_id)
    assert (delivery.status, delivery.endpoint_id) == ("failed", endpoint.pk)
    assert delivery.error.startswith("Refused: The host resolves to a ")
    assert address not in delivery.error
    assert receiver.requests == []


def test_an_unresolvable_host_at_delivery_fails_the_attempt(merchant, fake_dns):
    fake_dns["gone.example.test"] = [[PUBLIC], []]
    services.endpoint_create(merchant=merchant, mode="test", url="http://gone.example.test/")
    event = services.emit(merchant=merchant, mode="test", type="payout.paid", data={})
    (delivery_id,) = services.event_fan_out(event_id=event.pk)
    services.delivery_attempt(delivery_id=delivery_id)
    delivery = Delivery.objects.get(pk=delivery_id)
    assert delivery.status == "failed"
    assert delivery.error == "Refused: Could not resolve gone.example.test"


def test_production_never_allows_loopback_whatever_the_environment_says():
    env = {
        **os.environ,
        "SELGEO_ENV": "production",
        # Production refuses a key of fewer than 5 different characters.
        "SECRET_KEY": "production-key-of-a-loopback-test-" + "x" * 30,
        "ALLOWED_HOSTS": "selgeo.example.com",
        "SELGEO_WEBHOOKS_ALLOW_LOOPBACK": "1",
        "DJANGO_SETTINGS_MODULE": "selgeo.settings",
    }
    code = "import django; django.setup(); from django.conf import settings; " + (
        "print(settings.SELGEO_WEBHOOKS_ALLOW_LOOPBACK)"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=60
    )
    assert result.stdout.strip() == "False", result.stderr
